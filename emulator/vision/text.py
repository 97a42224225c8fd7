"""Real text detection: RapidOCR (PP-OCRv6 small detection and recognition models, ONNX) on sampled frames.

The models ship inside the `rapidocr` wheel under Apache-2.0 (its MODEL_LICENSES.md: PaddleOCR's
weights, converted by the PaddlePaddle project) and run on onnxruntime's CPU provider; nothing is
downloaded. Text stays on screen for seconds, so frames are read once per `TEXT_SAMPLE_EVERY_MS` by
default, at most `OCR_WIDTH` pixels wide. Each OCR line becomes a LINE, its word boxes WORDs
(emulator/text.py applies the Start call's filters).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from emulator.analyzers import AnalysisError, AnalysisRequest
from emulator.errors import ServiceError
from emulator.results import ElementSource, ScriptedSource
from emulator.text import TEXT_ORDER, Line, TextFilters, Word, text_elements
from emulator.vision.admission import ProbingAnalyzer, Sampling
from emulator.vision.decode import MediaError, sample

TEXT_SAMPLE_EVERY_MS = 1000
OCR_WIDTH = 960


class Ocr(Protocol):
    def __call__(self, image: NDArray[np.uint8]) -> list[Line]:
        """The text lines in a BGR image, with polygons in ratios of its size."""


def _ratios(points: Any, width: int, height: int) -> tuple[tuple[float, float], ...]:
    return tuple((float(x) / width, float(y) / height) for x, y in np.asarray(points, dtype=float).reshape(-1, 2))


class RapidOcr:
    """RapidOCR's default pipeline (detection, angle classification, recognition) with word boxes.

    The engine loads its three models once, on first use (a few seconds); calls are serialised, as
    the worker pool may analyse several videos at once.
    """

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        if self._engine is None:
            try:
                from rapidocr import RapidOCR  # noqa: PLC0415 - optional and slow to import
            except ImportError as missing:
                raise RuntimeError(
                    "real text detection needs rapidocr and onnxruntime: pip install -e '.[local]'"
                ) from missing
            # Its model-loading chatter, and a warning for every frame without text, would drown the run's log.
            self._engine = RapidOCR(params={"Global.log_level": "error"})
        return self._engine

    def __call__(self, image: NDArray[np.uint8]) -> list[Line]:
        height, width = image.shape[:2]
        with self._lock:
            found = self._loaded()(image, return_word_box=True)
        if found.txts is None:
            return []
        words_per_line: Sequence[Any] = found.word_results or [() for _ in found.txts]
        lines = []
        for box, score, words in zip(found.boxes, found.scores, words_per_line, strict=True):
            parts = tuple(
                Word(str(text), 100.0 * float(confidence), _ratios(points, width, height))
                for text, confidence, points in words
            )
            lines.append(Line(parts, 100.0 * float(score), _ratios(box, width, height)))
        return lines


class TextAnalyzer(ProbingAnalyzer):
    """StartTextDetection on frames sampled once a second: OCR lines and words."""

    note: str | None = "text: RapidOCR (PP-OCRv6 small, Apache-2.0 ONNX models) on one frame per second"

    def __init__(self, sampling: Sampling | None = None, ocr: Ocr | None = None) -> None:
        super().__init__(sampling or Sampling(every_ms=TEXT_SAMPLE_EVERY_MS))
        self._ocr: Ocr = ocr or RapidOcr()

    def analyze(self, request: AnalysisRequest) -> ElementSource:
        filters = TextFilters.of(request.params)
        elements: list[dict[str, Any]] = []
        try:
            with self._open(request) as stream:
                info = self._probe(stream)
                stream.seek(0)
                for frame in sample(stream, self.sampling.every_ms, OCR_WIDTH):
                    elements += text_elements(frame.timestamp_ms, self._ocr(frame.image), filters)
                    if info.duration_ms:
                        request.report_progress(min(0.99, frame.timestamp_ms / info.duration_ms))
        except (ServiceError, MediaError) as error:
            raise AnalysisError(error.message) from None
        request.report_progress(1.0)
        return ScriptedSource(elements, info.video_metadata(), TEXT_ORDER)
