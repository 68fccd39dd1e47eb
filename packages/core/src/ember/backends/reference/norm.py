"""Reference optional-tier kernels (being written)."""
