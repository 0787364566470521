"""The bundled corpus: the documents Kilde ships with and their metadata (metadata.toml)."""
