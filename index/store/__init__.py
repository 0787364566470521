"""The on-disk index: builds, manifests, and publishing them crash-safely."""
