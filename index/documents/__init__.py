"""Reading documents: formats, metadata, sources, and splitting documents into passages."""
