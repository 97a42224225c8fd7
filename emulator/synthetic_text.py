"""Synthetic text: captions and signs from a small vocabulary, on `detections` sampled instants.

A caption stays on screen for several instants in a row, as captions do; each is laid out as a line of
words whose boxes follow their character counts. The Start call's filters apply exactly as to the real
OCR's findings (emulator/text.py).
"""

from __future__ import annotations

from typing import Any

from emulator.draw import Draw
from emulator.results import ScriptedSource
from emulator.synthetic import Synthesis
from emulator.text import TEXT_ORDER, Line, TextFilters, Word, rectangle, text_elements
from emulator.video import Timeline

CAPTIONS: tuple[str, ...] = (
    "BREAKING NEWS",
    "Live from the harbour",
    "Final score 3 - 1",
    "Exit 12 Main Street",
    "OPEN 24 HOURS",
    "Chapter Two",
    "Thank you for watching",
)
_INSTANTS_PER_CAPTION = 5
_CHARACTER_WIDTH = 0.028  # of the frame's width, at the caption's size


def caption_line(text: str, top: float, height: float, confidence: float, draw: Draw) -> Line:
    """`text` laid out on one line `height` tall, its words as wide as their characters, within the frame."""
    character = min(_CHARACTER_WIDTH * height / 0.06, 0.9 / len(text))
    position = left = draw.uniform(0.02, 0.98 - character * len(text))
    words = []
    for token in text.split():
        width = len(token) * character
        word_confidence = round(draw.uniform(confidence - 6, min(100.0, confidence + 2)), 4)
        words.append(Word(token, word_confidence, rectangle(position, top, width, height)))
        position += width + character
    return Line(tuple(words), confidence, rectangle(left, top, position - character - left, height))


def text_source(spec: Synthesis) -> ScriptedSource:
    samples = Timeline.fitting(spec.profile, spec.count)
    timeline = Timeline(spec.profile, samples)
    filters = TextFilters.of(spec.start_params)
    elements: list[dict[str, Any]] = []
    for sample in range(samples):
        scene = sample // _INSTANTS_PER_CAPTION
        draw = Draw(spec.seed, 31, scene)
        height = draw.uniform(0.04, 0.09)
        text = draw.choice(CAPTIONS)
        top = draw.uniform(0.05, 0.85)
        line = caption_line(text, top, height, draw.uniform(82.0, 99.9), Draw(spec.seed, 31, scene, 1))
        elements += text_elements(timeline.timestamp(sample), [line], filters)
    return ScriptedSource(elements, spec.profile, TEXT_ORDER)
