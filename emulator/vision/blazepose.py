"""People with BlazePose's person detector (MediaPipe), run by ai-edge-litert, offline.

The detector is the first stage of MediaPipe's pose pipeline (`pose_detection.tflite`, Apache-2.0, taken
from Google's mediapipe 0.10.21 wheel by `python -m emulator.vision.models`, which says why not
installed). It looks at the whole frame, letterboxed to 224x224, and answers, per anchor of an SSD grid,
a score and a few virtual keypoints: the midpoint of the hips and a point on the circle that
circumscribes the whole body. The person's box is drawn from those: the body stands in the circle,
narrower than it is tall. It finds people OpenCV's HOG window does not (in bikes.mp4, the man and the
cyclist), but its box, drawn from two keypoints, is looser than HOG's on an upright figure.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from emulator.vision.detectors import Found, Image, ratio_box
from emulator.vision.models import BLAZEPOSE_DETECTOR, installed_path

_SIDE = 224
# MediaPipe's anchor grid for this model (pose_detection_cpu.pbtxt): five layers of strides 8, 16 and
# three of 32; two anchors per cell and layer, the cells of the layers that share a stride stacked.
_STRIDES = (8, 16, 32, 32, 32)
# A person's score above this is a person. The labelled clips' real people score 0.51-0.99 (the walker,
# seen from behind at 8 s, the lowest), while in a cartoon (Big Buck Bunny) something scores up to 0.76
# on most sampled frames; with HOG's people and the tracker's persistence test, this keeps the cartoon
# empty. Chosen on those clips (benchmarks/analyzer_accuracy.py), not validated beyond them.
THRESHOLD = 0.8
_OVERLAP = 0.3
# The body's box from the hips' midpoint and the circle's radius R: left and top offsets, width, height,
# in radii; about the medians over the 11 labelled people it finds in bikes.mp4 (-0.66, -1.0, 1.06, 2.0):
# wide, as a cyclist with the bicycle is.
_BODY_IN_CIRCLE = (-0.65, -1.0, 1.05, 2.0)


def _anchors() -> NDArray[np.float32]:
    centres: list[tuple[float, float]] = []
    layer = 0
    while layer < len(_STRIDES):
        shared = layer
        while shared < len(_STRIDES) and _STRIDES[shared] == _STRIDES[layer]:
            shared += 1
        cells = -(-_SIDE // _STRIDES[layer])
        per_cell = 2 * (shared - layer)
        for y in range(cells):
            for x in range(cells):
                centres += [((x + 0.5) / cells, (y + 0.5) / cells)] * per_cell
        layer = shared
    return np.asarray(centres, dtype=np.float32)


_ANCHORS = _anchors()


class BlazePersonDetector:
    """People in a frame, as ratio boxes with 0-100 confidences. The model file must be installed when
    this is built; the interpreter loads on first use, one per thread (an interpreter keeps its tensors)."""

    def __init__(self, model: Path | None = None, threshold: float = THRESHOLD) -> None:
        self._model = model or installed_path(BLAZEPOSE_DETECTOR)
        self._threshold = threshold
        self._local = threading.local()

    def _interpreter(self) -> Any:
        interpreter = getattr(self._local, "interpreter", None)
        if interpreter is None:
            from ai_edge_litert.interpreter import Interpreter  # type: ignore[import-untyped]  # noqa: PLC0415 - a second's import, paid only by a person analysis

            interpreter = Interpreter(str(self._model), num_threads=1)  # the examiner runs a frame per core
            interpreter.allocate_tensors()
            self._local.interpreter = interpreter
        return interpreter

    def detect(self, frame: Image) -> list[Found]:
        height, width = frame.shape[:2]
        side = max(height, width)
        top, left = (side - height) // 2, (side - width) // 2
        square = cv2.copyMakeBorder(frame, top, side - height - top, left, side - width - left, cv2.BORDER_CONSTANT)
        rgb = cv2.cvtColor(cv2.resize(square, (_SIDE, _SIDE), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        interpreter = self._interpreter()
        [image] = interpreter.get_input_details()
        interpreter.set_tensor(image["index"], (rgb.astype(np.float32) / 127.5 - 1.0)[np.newaxis])
        interpreter.invoke()
        regressions, logits = (
            interpreter.get_tensor(output["index"])[0] for output in interpreter.get_output_details()
        )
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits[:, 0], -80.0, 80.0)))
        boxes: list[tuple[float, float, float, float]] = []
        kept_scores: list[float] = []
        for anchor in np.nonzero(scores > self._threshold)[0]:
            # Keypoints 0 and 1, in the square's pixels: the hips' midpoint and a point on the body's circle.
            points = (regressions[anchor, 4:8].reshape(2, 2) / _SIDE + _ANCHORS[anchor]) * side
            radius = float(np.linalg.norm(points[1] - points[0]))
            dx, dy, dw, dh = _BODY_IN_CIRCLE
            hip_x, hip_y = float(points[0][0]) - left, float(points[0][1]) - top
            boxes.append((hip_x + dx * radius, hip_y + dy * radius, dw * radius, dh * radius))
            kept_scores.append(float(scores[anchor]))
        if not boxes:
            return []
        kept = cv2.dnn.NMSBoxes([list(box) for box in boxes], kept_scores, self._threshold, _OVERLAP)
        return [
            Found(ratio_box(*boxes[int(index)], frame), round(100.0 * kept_scores[int(index)], 3))
            for index in np.ravel(kept)
        ]
