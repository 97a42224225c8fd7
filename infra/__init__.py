"""AWS CDK infrastructure for the Rekognition Video pipeline.

The runtime package under `lambdas/` owns the analysis registry and the table layout; the
infrastructure imports them instead of restating them, so the IAM actions and the DynamoDB keys can
never drift from what the handlers call. Importing `infra` makes `video_pipeline` importable.
"""

from __future__ import annotations

import sys
from pathlib import Path

LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"

if str(LAMBDAS_DIR) not in sys.path:
    sys.path.insert(0, str(LAMBDAS_DIR))
