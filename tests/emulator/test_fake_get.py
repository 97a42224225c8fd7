"""Get*: job states, outcomes, pagination and ordering."""

from __future__ import annotations

import json
import re

import pytest

from emulator import RekognitionVideoFake, sample_video_bytes
from emulator.landmarks import ALL_LANDMARKS, DEFAULT_LANDMARKS
from tests.emulator import conftest
from tests.emulator.conftest import BUCKET, KEY, SINGLE_ATTEMPT, get, get_all, start, upload, video_param

pytestmark = pytest.mark.integration

DAY = 24 * 60 * 60


def finished(fake, client, api="StartFaceDetection", key=KEY, detections=None, **params):
    if detections is not None:
        fake.script(BUCKET, key, api, detections=detections)
    job_id = start(client, api, key=key, **params)
    assert fake.complete_jobs([job_id]) == [job_id]
    return job_id


def distinct(elements):
    return {json.dumps(element, sort_keys=True) for element in elements}


def test_an_unknown_job_is_not_found(fake, rekognition):
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.get_person_tracking(JobId="f" * 64)


def test_a_job_is_only_found_by_its_own_get_operation(fake, video, rekognition):
    job_id = start(rekognition, "StartFaceDetection")
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.get_person_tracking(JobId=job_id)


def test_a_job_in_progress_has_a_status_and_no_results(fake, video, rekognition):
    job_id = start(rekognition, JobTag="pending")
    page = rekognition.get_face_detection(JobId=job_id)
    page.pop("ResponseMetadata")
    assert page == {
        "JobStatus": "IN_PROGRESS",
        "Faces": [],
        "JobId": job_id,
        "Video": video_param(),
        "JobTag": "pending",
    }
    assert fake.results(job_id) == []


def test_results_are_paged_to_the_exact_count_without_duplicates(fake, video, rekognition):
    job_id = finished(fake, rekognition, detections=2345)
    elements, sizes = get_all(rekognition, "StartFaceDetection", job_id, MaxResults=1000)
    assert sizes == [1000, 1000, 345]
    assert elements == fake.results(job_id)
    assert len(distinct(elements)) == 2345
    timestamps = [element["Timestamp"] for element in elements]
    assert timestamps == sorted(timestamps)


def test_max_results_defaults_to_and_is_capped_at_one_thousand(fake, video, rekognition):
    job_id = finished(fake, rekognition, "StartPersonTracking", detections=1001)
    assert len(get(rekognition, "StartPersonTracking", job_id)["Persons"]) == 1000
    capped = get(rekognition, "StartPersonTracking", job_id, MaxResults=5000)
    assert len(capped["Persons"]) == 1000 and capped["NextToken"]


def test_the_last_page_has_no_next_token(fake, video, rekognition):
    job_id = finished(fake, rekognition, detections=4)
    page = rekognition.get_face_detection(JobId=job_id, MaxResults=4)
    assert len(page["Faces"]) == 4 and "NextToken" not in page


def test_every_page_repeats_job_details_and_metadata(fake, video, rekognition):
    job_id = finished(fake, rekognition, detections=5, JobTag="t1")
    first = rekognition.get_face_detection(JobId=job_id, MaxResults=3)
    last = rekognition.get_face_detection(JobId=job_id, MaxResults=3, NextToken=first["NextToken"])
    for page in (first, last):
        assert page["JobStatus"] == "SUCCEEDED" and page["JobId"] == job_id and page["JobTag"] == "t1"
        assert page["Video"] == video_param() and page["VideoMetadata"] == first["VideoMetadata"]


def test_pagination_tokens_expire_after_twenty_four_hours(fake, video, rekognition):
    job_id = finished(fake, rekognition, detections=3)
    token = rekognition.get_face_detection(JobId=job_id, MaxResults=1)["NextToken"]
    fake.advance(DAY - 60)
    assert rekognition.get_face_detection(JobId=job_id, MaxResults=1, NextToken=token)["Faces"]
    fake.advance(120)
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.get_face_detection(JobId=job_id, MaxResults=1, NextToken=token)


def test_tokens_can_be_expired_on_demand(fake, video, rekognition):
    job_id = finished(fake, rekognition, detections=3)
    token = rekognition.get_face_detection(JobId=job_id, MaxResults=1)["NextToken"]
    fake.expire_pagination_tokens()
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.get_face_detection(JobId=job_id, NextToken=token)
    # Restarting without a token works and yields everything.
    assert len(get_all(rekognition, "StartFaceDetection", job_id, MaxResults=2)[0]) == 3


def test_an_empty_token_is_no_token(fake, video, rekognition):
    """The developer guide's examples send NextToken="" on the first call; the service reads it as none."""
    job_id = finished(fake, rekognition, detections=3)
    first = rekognition.get_face_detection(JobId=job_id, MaxResults=2, NextToken="")
    assert first["Faces"] == fake.results(job_id)[:2] and first["NextToken"]


@pytest.mark.parametrize("token", ["not-a-token", "x" * 255])
def test_tokens_the_service_never_issued_are_invalid(fake, video, rekognition, token):
    job_id = finished(fake, rekognition, detections=3)
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.get_face_detection(JobId=job_id, NextToken=token)


def test_a_token_only_works_for_the_job_that_issued_it(fake, video, rekognition):
    first = finished(fake, rekognition, detections=3)
    second = finished(fake, rekognition, detections=3)
    token = rekognition.get_face_detection(JobId=first, MaxResults=1)["NextToken"]
    with pytest.raises(rekognition.exceptions.InvalidPaginationTokenException):
        rekognition.get_face_detection(JobId=second, NextToken=token)


def test_celebrities_sorted_by_id_group_each_celebrity(fake, video, rekognition):
    job_id = finished(fake, rekognition, "StartCelebrityRecognition", detections=60)
    by_id, _ = get_all(rekognition, "StartCelebrityRecognition", job_id, SortBy="ID", MaxResults=7)
    by_time, _ = get_all(rekognition, "StartCelebrityRecognition", job_id, SortBy="TIMESTAMP", MaxResults=7)
    keys = [(element["Celebrity"]["Id"], element["Timestamp"]) for element in by_id]
    assert keys == sorted(keys) and distinct(by_id) == distinct(by_time)
    assert by_id == fake.results(job_id, SortBy="ID")


def test_persons_keep_their_index_across_timestamps_and_sort_by_it(fake, video, rekognition):
    job_id = finished(fake, rekognition, "StartPersonTracking", detections=40)
    by_time, _ = get_all(rekognition, "StartPersonTracking", job_id)
    indexes_per_timestamp: dict[int, list[int]] = {}
    for element in by_time:
        indexes_per_timestamp.setdefault(element["Timestamp"], []).append(element["Person"]["Index"])
    tracks = {tuple(indexes) for indexes in indexes_per_timestamp.values()}
    assert len(tracks) <= 2  # every full timestamp shows the same people; only the last may be partial
    by_index, _ = get_all(rekognition, "StartPersonTracking", job_id, SortBy="INDEX", MaxResults=9)
    keys = [(element["Person"]["Index"], element["Timestamp"]) for element in by_index]
    assert keys == sorted(keys) and distinct(by_index) == distinct(by_time)


def test_a_token_keeps_the_order_it_was_issued_under(fake, video, rekognition):
    job_id = finished(fake, rekognition, "StartPersonTracking", detections=30)
    first = rekognition.get_person_tracking(JobId=job_id, SortBy="INDEX", MaxResults=10)
    rest = rekognition.get_person_tracking(JobId=job_id, NextToken=first["NextToken"], SortBy="TIMESTAMP")
    assert first["Persons"] + rest["Persons"] == fake.results(job_id, SortBy="INDEX")


@pytest.mark.parametrize("status", ["FAILED", "ERROR"])
def test_scripted_failures_report_failed_with_the_message(fake, video, rekognition, status):
    fake.script(BUCKET, KEY, "StartFaceDetection", status=status, status_message="It went wrong.")
    job_id = start(rekognition)
    person_job = start(rekognition, "StartPersonTracking")
    fake.complete_jobs()
    page = rekognition.get_face_detection(JobId=job_id)
    # The model's VideoJobStatus has no ERROR: Get* reports FAILED; only the notification says ERROR.
    assert (page["JobStatus"], page["StatusMessage"], page["Faces"]) == ("FAILED", "It went wrong.", [])
    assert "VideoMetadata" not in page and "NextToken" not in page
    assert fake.jobs[job_id].status.value == status
    assert rekognition.get_person_tracking(JobId=person_job)["JobStatus"] == "SUCCEEDED"


def test_a_file_that_is_not_mp4_or_mov_fails_as_unsupported(fake, video, rekognition):
    upload("clip.avi", b"RIFF\x00\x00\x00\x00AVI LIST" * 4)
    job_id = start(rekognition, key="clip.avi")
    fake.complete_jobs()
    page = rekognition.get_face_detection(JobId=job_id)
    assert (page["JobStatus"], page["StatusMessage"]) == ("FAILED", "Unsupported codec/format.")


def test_an_object_deleted_while_the_job_runs_fails_it(fake, video, rekognition, s3):
    job_id = start(rekognition)
    s3.delete_object(Bucket=BUCKET, Key=KEY)
    fake.complete_jobs()
    assert rekognition.get_face_detection(JobId=job_id)["JobStatus"] == "FAILED"


def test_a_script_for_one_api_wins_over_one_for_all(fake, video, rekognition):
    fake.script(BUCKET, KEY, detections=7)
    fake.script(BUCKET, KEY, "StartPersonTracking", detections=2)
    faces, persons = start(rekognition), start(rekognition, "StartPersonTracking")
    fake.complete_jobs()
    assert (len(fake.results(faces)), len(fake.results(persons))) == (7, 2)


def test_zero_detections_succeed_with_an_empty_list(fake, video, rekognition):
    job_id = finished(fake, rekognition, detections=0)
    page = rekognition.get_face_detection(JobId=job_id)
    assert page["JobStatus"] == "SUCCEEDED" and page["Faces"] == [] and "NextToken" not in page


def test_the_default_detection_count_is_configurable(aws, video):
    configured = RekognitionVideoFake(default_detections=3)
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    with configured.activate():
        job_id = start(client, "StartCelebrityRecognition")
        configured.complete_jobs()
        assert len(get(client, "StartCelebrityRecognition", job_id)["Celebrities"]) == 3


def test_scripted_elements_are_returned_in_timestamp_order(fake, video, rekognition):
    box = {"Width": 0.1, "Height": 0.2, "Left": 0.3, "Top": 0.4}
    elements = [
        {"Timestamp": 2000, "Person": {"Index": 1, "BoundingBox": box}},
        {"Timestamp": 0, "Person": {"Index": 0, "BoundingBox": box}},
    ]
    fake.script(BUCKET, KEY, "StartPersonTracking", elements=elements)
    job_id = finished(fake, rekognition, "StartPersonTracking")
    page = rekognition.get_person_tracking(JobId=job_id)
    assert page["Persons"] == [elements[1], elements[0]]
    assert page["VideoMetadata"]["DurationMillis"] > 2000


def test_scripted_elements_must_match_the_model(fake):
    with pytest.raises(ValueError, match=r"Person\.Index"):
        fake.script(BUCKET, KEY, "StartPersonTracking", elements=[{"Timestamp": 0, "Person": {"Index": "one"}}])
    with pytest.raises(ValueError, match="not both"):
        fake.script(BUCKET, KEY, "StartPersonTracking", detections=1, elements=[])
    with pytest.raises(ValueError, match="not a Start operation"):
        fake.script(BUCKET, KEY, "GetFaceDetection", detections=1)


def test_results_are_deterministic_per_object(video, rekognition, fake, s3):
    upload("other.mp4")
    first = finished(fake, rekognition, detections=20)
    again = finished(fake, rekognition, detections=20)
    other = finished(fake, rekognition, key="other.mp4", detections=20)
    assert fake.results(first) == fake.results(again) != fake.results(other)
    # A separate fake (driven directly, without routing) derives the very same results.
    separate = RekognitionVideoFake()
    separate.script(BUCKET, KEY, detections=20)
    job_id = separate.handle("StartFaceDetection", {"Video": video_param()})["JobId"]
    separate.complete_jobs()
    assert separate.results(job_id) == fake.results(first)


def test_default_face_attributes_are_a_projection_of_all(fake, video, rekognition):
    default = finished(fake, rekognition, detections=10, FaceAttributes="DEFAULT")
    full = finished(fake, rekognition, detections=10, FaceAttributes="ALL")
    projected = [{**element, "Face": _as_default(element["Face"])} for element in fake.results(full)]
    assert fake.results(default) == projected


def _as_default(face):
    """DEFAULT's members of an ALL face, its five landmarks among ALL's thirty, in DEFAULT's order."""
    projected = {name: value for name, value in face.items() if name in DEFAULT_KEYS}
    thirty = {mark["Type"]: mark for mark in face["Landmarks"]}
    assert len(thirty) == len(ALL_LANDMARKS)
    projected["Landmarks"] = [thirty[name] for name in DEFAULT_LANDMARKS]
    return projected


DEFAULT_KEYS = {"BoundingBox", "Confidence", "Pose", "Quality", "Landmarks"}


def test_metadata_is_shared_by_every_analysis_of_a_video(fake, video, rekognition):
    pages = []
    for api in ("StartFaceDetection", "StartCelebrityRecognition", "StartPersonTracking", "StartLabelDetection"):
        job_id = finished(fake, rekognition, api)
        page = get(rekognition, api, job_id)
        pages.append(page)
        result_key = conftest.GET_METHODS[api][2]
        assert max(element["Timestamp"] for element in page[result_key]) < page["VideoMetadata"]["DurationMillis"]
    assert all(page["VideoMetadata"] == pages[0]["VideoMetadata"] for page in pages)


def test_huge_results_are_generated_lazily(fake, video, rekognition):
    # Six hours at 60 fps: room for more than a million instants, none past the file's end.
    upload(KEY, sample_video_bytes(fps=60, seconds=6 * 3600 - 1))
    job_id = finished(fake, rekognition, "StartPersonTracking", detections=1_000_000)
    first = rekognition.get_person_tracking(JobId=job_id, MaxResults=3)
    second = rekognition.get_person_tracking(JobId=job_id, MaxResults=3, NextToken=first["NextToken"])
    assert second["Persons"][0]["Timestamp"] >= first["Persons"][-1]["Timestamp"]
    assert second["VideoMetadata"]["DurationMillis"] == (6 * 3600 - 1) * 1000


def test_face_occlusion_and_eye_direction_are_null_in_video(fake, video, rekognition):
    """Stored-video face detection never has FaceOccluded or EyeDirection, even with FaceAttributes=ALL:
    null members are left out of the JSON, as the service writes it."""
    job_id = start(rekognition, FaceAttributes="ALL")
    fake.complete_jobs()
    wire = fake.handle("GetFaceDetection", {"JobId": job_id})
    faces = [element["Face"] for element in wire["Faces"]]
    assert faces and all("FaceOccluded" not in face and "EyeDirection" not in face for face in faces)
    assert all("AgeRange" in face and "Emotions" in face for face in faces)


def test_tokens_look_like_the_services(fake, video, rekognition):
    """Standard base64 as the service's (never a leading '-': the AWS CLI would take it for an option)."""
    job_id = finished(fake, rekognition, detections=400)
    tokens = []
    page = rekognition.get_face_detection(JobId=job_id, MaxResults=1)
    while "NextToken" in page and len(tokens) < 200:
        tokens.append(page["NextToken"])
        page = rekognition.get_face_detection(JobId=job_id, MaxResults=1, NextToken=page["NextToken"])
    assert len(tokens) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9+/]{72}", token) for token in tokens)
