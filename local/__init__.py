"""Run the pipeline on this machine: moto for AWS, the project's Rekognition fake for Rekognition."""

import sys
from pathlib import Path

# In Lambda the `lambdas/` directory is the code root; locally it must be importable the same way.
_LAMBDA_ROOT = str(Path(__file__).resolve().parent.parent / "lambdas")
if _LAMBDA_ROOT not in sys.path:
    sys.path.insert(0, _LAMBDA_ROOT)
