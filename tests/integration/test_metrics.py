"""The custom metrics the operations dashboard and alarms read, as the handlers emit them (EMF on stdout)."""

from __future__ import annotations

import json


def emitted(output: str) -> list[dict]:
    """(name, unit, dimensions, value) of every EMF metric in the captured output."""
    found = []
    for line in output.splitlines():
        if not line.startswith("{") or "_aws" not in line:
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            dimensions = {name: document[name] for group in directive["Dimensions"] for name in group}
            for metric in directive["Metrics"]:
                found.append(
                    {
                        "namespace": directive["Namespace"],
                        "name": metric["Name"],
                        "unit": metric["Unit"],
                        "dimensions": dimensions,
                        "value": _total(document[metric["Name"]]),
                    }
                )
    return found


def _total(value: float | list[float]) -> float:
    # Powertools writes a metric added several times in one invocation as a list of values.
    return sum(value) if isinstance(value, list) else value


def named(metrics: list[dict], name: str) -> list[dict]:
    return [metric for metric in metrics if metric["name"] == name]


def test_uploads_jobs_and_upload_to_results_latency(harness, capsys):
    capsys.readouterr()
    harness.fake.script(harness.resources.bucket, "m.mp4", detections=5)
    harness.upload("m.mp4")
    harness.run_until_idle()
    metrics = emitted(capsys.readouterr().out)
    assert {metric["namespace"] for metric in metrics} == {"RekognitionVideoPipeline"}
    (received,) = named(metrics, "UploadsReceived")
    assert received["value"] == 1 and received["unit"] == "Count" and "analysis" not in received["dimensions"]
    for name in ("JobsStarted", "JobsSucceeded"):
        assert sorted(metric["dimensions"]["analysis"] for metric in named(metrics, name)) == [
            "celebrities",
            "faces",
            "persons",
        ]
    latencies = named(metrics, "UploadToResultsLatency")
    assert sorted(metric["dimensions"]["analysis"] for metric in latencies) == ["celebrities", "faces", "persons"]
    assert all(metric["unit"] == "Milliseconds" and 0 <= metric["value"] < 60_000 for metric in latencies)


def test_failed_jobs_are_counted_per_analysis(harness, capsys):
    capsys.readouterr()
    harness.fake.script(harness.resources.bucket, "bad.mp4", "StartFaceDetection", status="FAILED")
    harness.upload("bad.mp4")
    harness.run_until_idle()
    metrics = emitted(capsys.readouterr().out)
    failed = named(metrics, "JobsFailed")
    assert [metric["dimensions"]["analysis"] for metric in failed] == ["faces"]
    latencies = named(metrics, "UploadToResultsLatency")
    assert sorted(metric["dimensions"]["analysis"] for metric in latencies) == ["celebrities", "persons"]
