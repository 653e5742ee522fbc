"""Benchmark harness for nyash-build (issue 6): `nyash bench` / `python -m benchmarks`.

See `benchmarks.harness` for what is measured and how.
"""
