"""Past one machine: embedding on a Ray cluster (`ray_embed`) and searching a Milvus collection (`milvus_*`).

Imported only when `--ray` or `--engine milvus` is used; needs `pip install 'kilde[cluster]'`.
"""
