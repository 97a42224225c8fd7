"""Scripts that print performance figures; run them as `python -m benchmarks.<name>`."""

import local  # noqa: F401  (puts lambdas/ on sys.path before a benchmark imports the Lambda code)
