"""Cold start: import time of each handler module and the size of what each function deploys.

    .venv/bin/python -m benchmarks.cold_start [--quick]

Each handler module is imported in a fresh interpreter under `python -X importtime` (the
environment set as the stack sets it); the figure is the sum of the top-level imports' cumulative
times, so interpreter start-up itself is not counted. Median of several runs. Sizes: the code asset
(lambdas/, zipped with the stack's excludes; the same for every function) and, for reference, the
Powertools layer's packages as installed here (the layer is AWS's, not deployed by the stack).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS = ROOT / "lambdas"
HANDLERS = ("starter", "collector", "read_api")
# What the Powertools layer bundles (Powertools, its parser and tracer extras), boto3 aside.
LAYER_PACKAGES = (
    "aws_lambda_powertools",
    "pydantic",
    "pydantic_core",
    "aws_xray_sdk",
    "wrapt",
    "jmespath",
    "typing_extensions.py",
    "annotated_types",
    "typing_inspection",
)
_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_SERVICE_NAME": "rekognition-video-pipeline",
    "JOBS_TABLE_NAME": "jobs",
    "DETECTIONS_TABLE_NAME": "detections",
    "REKOGNITION_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:AmazonRekognition-x",
    "REKOGNITION_ROLE_ARN": "arn:aws:iam::123456789012:role/x",
    "UPLOADS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/uploads",
    "RESULTS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/results",
    "ARCHIVE_BUCKET_NAME": "archive",
    "JOB_QUOTA": "20",
}
EXCLUDED_PARTS = ("__pycache__", "tests", ".pytest_cache", ".mypy_cache")


@dataclass(frozen=True)
class ImportFigures:
    handler: str
    milliseconds: float
    heaviest: list[tuple[str, float]]


def _top_level_imports(code: str) -> list[tuple[str, float]]:
    """(module, cumulative ms) of each import made at the top level while running `code`."""
    environment = {**os.environ, **_ENVIRONMENT, "PYTHONPATH": str(LAMBDAS)}
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        env=environment,
        cwd=LAMBDAS,
        capture_output=True,
        text=True,
        check=True,
    )
    entries = []
    for line in completed.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2]
        # One space of indentation is a top-level import; nested ones are inside its cumulative time.
        if name.startswith(" ") and not name.startswith("  "):
            entries.append((name.strip(), int(parts[1]) / 1000))
    return entries


def import_time(handler: str) -> tuple[float, list[tuple[str, float]]]:
    """Milliseconds to import one handler module, and its heaviest top-level imports."""
    start_up = {name for name, _ in _top_level_imports("pass")}
    imports = [
        entry for entry in _top_level_imports(f"import video_pipeline.handlers.{handler}") if entry[0] not in start_up
    ]
    total = sum(milliseconds for _, milliseconds in imports)
    return total, sorted(imports, key=lambda entry: -entry[1])[:3]


def measure_imports(runs: int) -> list[ImportFigures]:
    figures = []
    for handler in HANDLERS:
        import_time(handler)  # compiles .pyc files, as the deployed package would ship them
        samples = [import_time(handler) for _ in range(runs)]
        median = statistics.median(total for total, _ in samples)
        figures.append(ImportFigures(handler, median, samples[0][1]))
    return figures


def zipped_size(paths: list[Path], root: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            files = [path] if path.is_file() else sorted(path.rglob("*"))
            for file in files:
                if file.is_file() and not any(part in EXCLUDED_PARTS for part in file.parts) and file.suffix != ".pyc":
                    archive.write(file, file.relative_to(root))
    return len(buffer.getvalue())


def package_sizes() -> dict[str, int]:
    site = Path(next(path for path in sys.path if path.endswith("site-packages")))
    layer = [site / name for name in LAYER_PACKAGES if (site / name).exists()]
    return {
        "code asset (lambdas/)": zipped_size([LAMBDAS], LAMBDAS),
        "Powertools layer (as installed)": zipped_size(layer, site),
    }


def print_cold_start(imports: list[ImportFigures], sizes: dict[str, int]) -> None:
    print("Cold start: handler import time (python -X importtime, median), target < 300 ms")
    for figure in imports:
        heaviest = ", ".join(f"{name} {milliseconds:.0f}" for name, milliseconds in figure.heaviest)
        print(f"  {figure.handler:<10}{figure.milliseconds:>8.0f} ms   heaviest: {heaviest}")
    print("Deployment package sizes (zipped)")
    for name, size in sizes.items():
        print(f"  {name:<34}{size / 1024:>8.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    print_cold_start(measure_imports(1 if parser.parse_args().quick else 7), package_sizes())


if __name__ == "__main__":
    main()
