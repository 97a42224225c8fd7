"""AWS CDK infrastructure for the Rekognition Video pipeline.

The runtime package under `lambdas/` owns the analysis registry and the table layout; the
infrastructure imports them instead of restating them, so the IAM actions and the DynamoDB keys can
never drift from what the handlers call. `video_pipeline` is importable because the project is
installed (pyproject.toml); `LAMBDAS_DIR`, its code root, is the functions' asset.
"""

from __future__ import annotations

from pathlib import Path

LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"
