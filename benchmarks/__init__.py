"""Scripts that print performance figures; run them as `python -m benchmarks.<name>`."""
