"""Everything a person touches: the web interface and the command line."""
