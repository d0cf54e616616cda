"""Side-by-side benchmarks for the libraries `fiscal` depends on (run with ``python -m``)."""
