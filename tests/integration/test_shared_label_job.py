"""General labels and label-based person tracking, both enabled, share one label job (issue #18):
one StartLabelDetection, one quota slot, one budget charge, two analyses' results, each as a job of its
own would have stored them; duplicated, reordered and failed notices change nothing more."""

from __future__ import annotations

import json

import boto3
import pytest
from video_pipeline.analyses import PERSON_LABEL_MIN_CONFIDENCE
from video_pipeline.contract import Env
from video_pipeline.logic.result_streams import AsAsked, PersonsFromLabels
from video_pipeline.logic.shared_jobs import rekognition_job_id, riding_job_id
from video_pipeline.models import JobStatus
from video_pipeline.schema import LEDGER_KEY

from in_process.functions import pipeline_functions
from tests.integration.events import failed_ids, invoke
from tests.integration.test_collector import stored

pytestmark = pytest.mark.integration

# An object whose synthetic labels include Person, some of its boxes below 50 % confidence.
KEY = "k2.mp4"
PERSONS_ASKED = {
    "MinConfidence": PERSON_LABEL_MIN_CONFIDENCE,
    "Features": ["GENERAL_LABELS"],
    "Settings": {"GeneralLabels": {"LabelInclusionFilters": ["Person"]}},
}


def enable(harness, options=None):
    variables = {Env.ENABLED_ANALYSES: "labels,persons", Env.ANALYSIS_OPTIONS: json.dumps(options or {})}
    harness.redeploy_starter(pipeline_functions({**harness.resources.environment(), **variables}).starter)


def label_starts(harness):
    return [params for operation, params in harness.fake.calls if operation == "StartLabelDetection"]


def ledger_holders(harness):
    jobs_table, _ = harness.tables()
    return set(jobs_table.get_item(Key=LEDGER_KEY, ConsistentRead=True).get("Item", {}).get("holders", set()))


def separate_job(harness, **options):
    """What a job of its own, started with `options`, returns for the same object (the emulator's
    results are a function of the object and the options, not of the JobId)."""
    client = boto3.client("rekognition", region_name="us-east-1")
    video = {"S3Object": {"Bucket": harness.resources.bucket, "Name": KEY}}
    job_id = client.start_label_detection(Video=video, **options)["JobId"]
    harness.fake.complete_jobs([job_id])
    return harness.fake.results(job_id, SortBy="TIMESTAMP", AggregateBy="TIMESTAMPS")


def tracked(elements, asked):
    stream = AsAsked(PersonsFromLabels(), asked)
    derived = [dict(element) for element in (*stream.feed(elements), *stream.finish())]
    return sorted(derived, key=lambda element: element["Timestamp"])


def shared_video(harness, detections=900):
    enable(harness)
    harness.fake.script(harness.resources.bucket, KEY, detections=detections)
    harness.upload(KEY)
    harness.run_starter()
    (video,) = harness.repository.recent_videos().items
    return video


def billed_analyses(output: str) -> set[str]:
    """The analyses the starter's metrics charged minutes or cost to."""
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return {
        line["analysis"]
        for line in lines
        if "VideoMinutesStarted" in line or "EstimatedCostUSD" in line or "BudgetMinutesUsed" in line
    } - {"total"}


def test_one_label_job_serves_labels_and_person_tracking_as_separate_jobs_would(harness, capsys):
    video = shared_video(harness)
    assert billed_analyses(capsys.readouterr().out) == {"labels"}  # one bill: minutes, cost and budget
    (request,) = label_starts(harness)
    # The union of both analyses' options: labels' own (no filters, 50 %) widened to the tracker's 40 %.
    assert request["MinConfidence"] == PERSON_LABEL_MIN_CONFIDENCE
    assert request["Features"] == ["GENERAL_LABELS"] and "Settings" not in request
    assert ledger_holders(harness) == {f"{video.video_id}#labels"}  # one slot, the carrier's

    harness.run_until_idle()
    assert len(label_starts(harness)) == 1
    jobs = harness.repository.video(video.video_id).jobs
    labels, persons = jobs["labels"], jobs["persons"]
    assert (labels.status, persons.status) == (JobStatus.SUCCEEDED, JobStatus.SUCCEEDED)
    assert persons.job_id == riding_job_id(labels.job_id, "persons")
    assert persons.engine == "labels"
    assert ledger_holders(harness) == set()

    # Labels: exactly what a job of their own (the deployment's options) returns.
    own_labels = separate_job(harness, MinConfidence=50.0, Features=["GENERAL_LABELS"])
    shared = harness.fake.results(labels.job_id)
    assert own_labels != shared  # the shared job returned more (boxes from 40 %): filtered back
    assert [d.data for d in stored(harness, video, "labels")] == own_labels
    assert labels.detection_count == len(own_labels)

    # Persons: the tracker over the shared job's Person label, as its own options ask for it.
    expected = tracked(shared, PERSONS_ASKED)
    assert expected and [d.data for d in stored(harness, video, "persons")] == expected
    assert persons.detection_count == len(expected) and persons.entity_count >= 1


def test_duplicated_and_reordered_notices_store_each_analysis_once(harness):
    video = shared_video(harness, detections=1500)  # two Get* pages
    harness.complete_jobs()
    sqs = boto3.client("sqs")
    (message,) = sqs.receive_message(QueueUrl=harness.resources.results_queue_url, MaxNumberOfMessages=10)["Messages"]
    body = message["Body"]
    response, _ = invoke(harness.collector.handler, body, body, body)
    assert failed_ids(response) == []
    harness.run_collector()  # the riders' notices the carrier's deliveries queued
    response, _ = invoke(harness.collector.handler, body)
    harness.run_collector()
    jobs = harness.repository.video(video.video_id).jobs
    for name in ("labels", "persons"):
        job = jobs[name]
        assert job.status is JobStatus.SUCCEEDED, name
        assert job.detection_count == len(stored(harness, video, name)) > 0, name
    assert len(label_starts(harness)) == 1
    assert ledger_holders(harness) == set()
    gets = {rekognition_job_id(params["JobId"]) for op, params in harness.fake.calls if op == "GetLabelDetection"}
    assert gets == {jobs["labels"].job_id}  # Rekognition is only ever asked about the one job


def test_a_failed_label_job_fails_both_analyses_with_its_message(harness):
    enable(harness)
    harness.fake.script(harness.resources.bucket, KEY, status="FAILED", status_message="codec not supported")
    harness.upload(KEY)
    harness.run_until_idle()
    (video,) = harness.repository.recent_videos().items
    jobs = harness.repository.video(video.video_id).jobs
    for name in ("labels", "persons"):
        assert jobs[name].status is JobStatus.FAILED, name
        assert jobs[name].status_message == "codec not supported", name
    assert len(label_starts(harness)) == 1
    assert ledger_holders(harness) == set()


def test_labels_alone_or_persons_alone_run_a_job_of_their_own(harness):
    variables = {Env.ENABLED_ANALYSES: "labels,faces", Env.ANALYSIS_OPTIONS: "{}"}
    harness.redeploy_starter(pipeline_functions({**harness.resources.environment(), **variables}).starter)
    harness.fake.script(harness.resources.bucket, KEY, detections=30)
    harness.upload(KEY)
    harness.run_until_idle()
    (request,) = label_starts(harness)
    assert request["MinConfidence"] == 50.0
    (video,) = harness.repository.recent_videos().items
    assert "persons" not in harness.repository.video(video.video_id).jobs
