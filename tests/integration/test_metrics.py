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


def test_each_analysis_reports_what_it_found_once_per_job(harness, capsys):
    from tests.integration.test_more_analyses import MORE, enable

    enable(harness, MORE, {})
    harness.fake.script(harness.resources.bucket, "show.mp4", detections=40)
    harness.upload("show.mp4")
    harness.run_until_idle()
    metrics = emitted(capsys.readouterr().out)
    (video,) = harness.repository.recent_videos().items
    stored = {name: job.detection_count for name, job in video.jobs.items()}
    assert {m["dimensions"]["analysis"]: m["value"] for m in named(metrics, "DetectionsStored")} == stored
    (flags,) = named(metrics, "ModerationFlags")
    assert flags["dimensions"]["analysis"] == "moderation" and flags["value"] == stored["moderation"] > 0
    shots = {
        (element.get("ShotSegment") or {}).get("Index")
        for element in harness.fake.results(video.jobs["segments"].job_id)
        if element["Type"] == "SHOT"
    }
    (found,) = named(metrics, "ShotsFound")
    assert found["dimensions"]["analysis"] == "segments" and found["value"] == len(shots) > 0
    assert all(m["unit"] == "Count" and "service" in m["dimensions"] for m in (flags, found))


def test_a_redelivered_notice_reports_no_finding_twice(harness, capsys):
    from tests.integration.events import invoke
    from tests.integration.test_more_analyses import moderation_and_segments_notices

    bodies = moderation_and_segments_notices(harness)
    capsys.readouterr()
    invoke(harness.collector.handler, *bodies, *bodies)
    metrics = emitted(capsys.readouterr().out)
    assert [m["dimensions"]["analysis"] for m in named(metrics, "ModerationFlags")] == ["moderation"]
    assert [m["dimensions"]["analysis"] for m in named(metrics, "ShotsFound")] == ["segments"]
