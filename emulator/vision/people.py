"""People with two detectors: BlazePose's person detector for real footage, OpenCV's HOG beside it.

BlazePose (emulator/vision/blazepose.py) finds the real people HOG misses (in bikes.mp4, the man and
the cyclist); HOG frames an upright figure closely (the generated test clip's drawn walkers), where
BlazePose's box, drawn from the hips and the body's circle, is loose. Where both find a person, HOG's
box is kept. Neither is trusted alone on one frame: `persons.consistent_people` keeps only what
persists and moves.
"""

from __future__ import annotations

from emulator.vision.blazepose import BlazePersonDetector
from emulator.vision.detectors import Found, Image, PersonDetector
from emulator.vision.tracking import iou

# A BlazePose box overlapping a HOG box this much is the same person, reported once, in HOG's framing:
# HOG's window frames an upright body closely, where BlazePose's box is drawn from the hips and the
# body's circle (wide enough for a cyclist; on the generated clip's walkers it halves the mean IoU).
_SAME_PERSON_IOU = 0.3


class PeopleDetector(PersonDetector):
    """OpenCV's HOG people detector with BlazePose's persons added; safe to share between threads."""

    def __init__(self, blazepose: BlazePersonDetector | None = None) -> None:
        super().__init__()
        # Built here, so a missing model file is reported when the analyzers are made, not mid-video.
        self._blazepose = blazepose or BlazePersonDetector()

    def detect(self, frame: Image) -> list[Found]:
        found = super().detect(frame)
        found += [
            person
            for person in self._blazepose.detect(frame)
            if not any(iou(person.box, other.box) >= _SAME_PERSON_IOU for other in found)
        ]
        return sorted(found, key=lambda person: person.box["Left"])
