"""MediaPipe's Face Mesh V2 and Blendshape V2 fitted to a face dlib found: 52 expression coefficients.

Two of the models in Google's `face_landmarker.task` bundle (Apache-2.0; emulator/vision/models.py
installs it), run by ai-edge-litert as MediaPipe's face landmarker runs them. The mesh model places 478
points (the 468 of the old mesh and ten on the irises) on a 256x256 RGB crop of one face, in [0, 1], and
says with a logit whether the crop holds a face. The blendshape model reads 146 of those points, their x
and y in the frame's pixels, and answers 52 coefficients in [0, 1], ARKit's names: how far the brows are
lowered or raised, the eyes shut or wide, the jaw dropped, the lips' corners pulled up or down, the nose
wrinkled. The face crop is placed as for the old mesh (emulator/vision/face_mesh.py): from dlib's eye and
nose points, where MediaPipe places it from its own detector's box; both frame the face alike.
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from emulator.vision.detectors import Image
from emulator.vision.face_mesh import face_transform
from emulator.vision.models import (
    FACE_LANDMARKER,
    FACE_LANDMARKER_MEMBERS,
    INSTALL_COMMAND,
    ModelMissingError,
    installed_path,
)

FACE_SIDE = 256
MESH_POINTS = 478
_MESH_MODEL, _BLENDSHAPE_MODEL = FACE_LANDMARKER_MEMBERS
# Below this logit the mesh model itself says the crop is more likely not a face (MediaPipe's face
# presence threshold, 0.5 after its sigmoid).
_FACE_LOGIT = 0.0

# The mesh points the blendshape model reads, in its input's order: kLandmarksSubsetIdxs in MediaPipe's
# mediapipe/tasks/cc/vision/face_landmarker/face_blendshapes_graph.cc.
BLENDSHAPE_LANDMARKS = (
    *(0, 1, 4, 5, 6, 7, 8, 10, 13, 14, 17, 21, 33, 37, 39, 40, 46, 52, 53, 54, 55, 58, 61, 63, 65, 66, 67),
    *(70, 78, 80, 81, 82, 84, 87, 88, 91, 93, 95, 103, 105, 107, 109, 127, 132, 133, 136, 144, 145, 146),
    *(148, 149, 150, 152, 153, 154, 155, 157, 158, 159, 160, 161, 162, 163, 168, 172, 173, 176, 178, 181),
    *(185, 191, 195, 197, 234, 246, 249, 251, 263, 267, 269, 270, 276, 282, 283, 284, 285, 288, 291, 293),
    *(295, 296, 297, 300, 308, 310, 311, 312, 314, 317, 318, 321, 323, 324, 332, 334, 336, 338, 356, 361),
    *(362, 365, 373, 374, 375, 377, 378, 379, 380, 381, 382, 384, 385, 386, 387, 388, 389, 390, 397, 398),
    *(400, 402, 405, 409, 415, 454, 466, 468, 469, 470, 471, 472, 473, 474, 475, 476, 477),
)
# The model's outputs, in order (kBlendshapeNames in the same file). "Left" is the subject's left.
BLENDSHAPE_NAMES = (
    *("_neutral", "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight"),
    *("cheekPuff", "cheekSquintLeft", "cheekSquintRight", "eyeBlinkLeft", "eyeBlinkRight", "eyeLookDownLeft"),
    *("eyeLookDownRight", "eyeLookInLeft", "eyeLookInRight", "eyeLookOutLeft", "eyeLookOutRight"),
    *("eyeLookUpLeft", "eyeLookUpRight", "eyeSquintLeft", "eyeSquintRight", "eyeWideLeft", "eyeWideRight"),
    *("jawForward", "jawLeft", "jawOpen", "jawRight", "mouthClose", "mouthDimpleLeft", "mouthDimpleRight"),
    *("mouthFrownLeft", "mouthFrownRight", "mouthFunnel", "mouthLeft", "mouthLowerDownLeft"),
    *("mouthLowerDownRight", "mouthPressLeft", "mouthPressRight", "mouthPucker", "mouthRight"),
    *("mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmileLeft"),
    *("mouthSmileRight", "mouthStretchLeft", "mouthStretchRight", "mouthUpperUpLeft", "mouthUpperUpRight"),
    *("noseSneerLeft", "noseSneerRight"),
)

# The mesh point of each ALL-only landmark of the service (emulator/landmarks.py; the service's "left"
# is the image's left, the subject's right), by the mesh's topology: eye corners and lids (33, 133,
# 159, 145; 362, 263, 386, 374), the nostrils' wings (98, 327), the lips' top and bottom (0, 17), the
# jaw at eye level, at the mouth's corners and the chin (234, 172, 152, 397, 454). A brow's three
# points are, in the captured response, left to right across the brow whatever their names: Left,
# Right, Up (the image-left brow's outer end, top, inner end: 70, 105, 107; the other's inner end,
# top, outer end: 336, 334, 300). The pupils are the eyes' (emulator/landmarks.py).
SERVICE_LANDMARK_POINTS: Mapping[str, int] = {
    "leftEyeBrowLeft": 70,
    "leftEyeBrowRight": 105,
    "leftEyeBrowUp": 107,
    "rightEyeBrowLeft": 336,
    "rightEyeBrowRight": 334,
    "rightEyeBrowUp": 300,
    "leftEyeLeft": 33,
    "leftEyeRight": 133,
    "leftEyeUp": 159,
    "leftEyeDown": 145,
    "rightEyeLeft": 362,
    "rightEyeRight": 263,
    "rightEyeUp": 386,
    "rightEyeDown": 374,
    "noseLeft": 98,
    "noseRight": 327,
    "mouthUp": 0,
    "mouthDown": 17,
    "upperJawlineLeft": 234,
    "midJawlineLeft": 172,
    "chinBottom": 152,
    "midJawlineRight": 397,
    "upperJawlineRight": 454,
}


@dataclass(frozen=True, slots=True)
class Expression:
    """One face's 478 mesh points (x and y in the frame's pixels) and its 52 blendshape coefficients."""

    mesh: np.ndarray
    coefficients: Mapping[str, float]

    def both(self, name: str) -> float:
        """A coefficient the model gives per side (`name` without Left/Right): the two sides' mean."""
        if name in self.coefficients:
            return self.coefficients[name]
        return (self.coefficients[f"{name}Left"] + self.coefficients[f"{name}Right"]) / 2

    def asymmetry(self, name: str) -> float:
        return abs(self.coefficients[f"{name}Left"] - self.coefficients[f"{name}Right"])

    def service_landmarks(self) -> dict[str, tuple[float, float]]:
        """The ALL-only landmarks the mesh places, in the frame's pixels."""
        return {name: (float(self.mesh[i][0]), float(self.mesh[i][1])) for name, i in SERVICE_LANDMARK_POINTS.items()}


def _bundle_models(bundle: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(bundle) as archive:
            return {member: archive.read(member) for member in FACE_LANDMARKER_MEMBERS}
    except (zipfile.BadZipFile, KeyError) as error:
        raise ModelMissingError(
            f"{bundle} is not the face landmarker bundle ({error}): delete it and run `{INSTALL_COMMAND}`"
        ) from None


class FaceLandmarker:
    """The two models, checked for at construction (a missing bundle fails the analyzer's start); their
    interpreters load on first use, one per thread (an interpreter keeps its tensors)."""

    def __init__(self, bundle: Path | None = None) -> None:
        self._bundle = bundle or installed_path(FACE_LANDMARKER)
        self._local = threading.local()

    def _interpreters(self) -> tuple[Any, Any]:
        loaded: tuple[Any, Any] | None = getattr(self._local, "interpreters", None)
        if loaded is None:
            from ai_edge_litert.interpreter import Interpreter  # type: ignore[import-untyped]  # noqa: PLC0415 - a second's import, paid only by face attributes

            contents = _bundle_models(self._bundle)
            mesh, blendshapes = (
                Interpreter(model_content=contents[member], num_threads=1) for member in FACE_LANDMARKER_MEMBERS
            )
            mesh.allocate_tensors()
            blendshapes.allocate_tensors()
            loaded = self._local.interpreters = (mesh, blendshapes)
        return loaded

    def expression(self, image: Image, landmarks: Sequence[Mapping[str, Any]]) -> Expression | None:
        """The face's mesh and coefficients, or None when the mesh model does not see a face where dlib did."""
        height, width = image.shape[:2]
        transform = face_transform(landmarks, width, height, FACE_SIDE)
        if transform is None:
            return None
        crop = cv2.warpAffine(image, transform, (FACE_SIDE, FACE_SIDE))
        rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
        mesh_model, blendshape_model = self._interpreters()
        # Its outputs, in the file's order: the points (x, y, z in the crop's pixels), the face logit, and
        # a third score the emulator does not use.
        points, face_logit = _run(mesh_model, rgb[np.newaxis])[:2]
        if float(face_logit.ravel()[0]) < _FACE_LOGIT:
            return None
        in_crop = points.reshape(MESH_POINTS, 3)[:, :2].astype(np.float64)
        back = cv2.invertAffineTransform(transform)
        mesh = in_crop @ back[:, :2].T + back[:, 2]
        # MediaPipe feeds the points in the frame's pixels: the blendshape model was trained on those.
        subset = mesh[list(BLENDSHAPE_LANDMARKS)].astype(np.float32)[np.newaxis]
        [coefficients] = _run(blendshape_model, subset)
        return Expression(mesh, dict(zip(BLENDSHAPE_NAMES, map(float, coefficients.ravel()), strict=True)))


def _run(interpreter: Any, tensor: np.ndarray) -> list[np.ndarray]:
    [model_input] = interpreter.get_input_details()
    interpreter.set_tensor(model_input["index"], tensor)
    interpreter.invoke()
    return [interpreter.get_tensor(output["index"]) for output in interpreter.get_output_details()]
