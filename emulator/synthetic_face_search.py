"""Synthetic face search: people of the searched collection walking through the video.

One to three of the collection's people (faces indexed from the same picture are one person) are seen
at the sampled instants, each with a stable Person.Index, a person box, the face within it and, in
FaceMatches, every indexed face of theirs, at a similarity at or above FaceMatchThreshold. A collection
without faces finds nobody, as the service returns only persons whose face matched.
"""

from __future__ import annotations

from collections.abc import Mapping

from emulator.draw import Draw
from emulator.face_collections import DEFAULT_FACE_MATCH_THRESHOLD, IndexedFace
from emulator.features import face_box_within, face_detail, tracked_box
from emulator.results import Element, SortKey
from emulator.synthetic import Synthesis, TimelineSource

_PERSON_ASPECT = (2.2, 3.2)


class FaceSearchSource(TimelineSource):
    def __init__(self, spec: Synthesis) -> None:
        people: dict[bytes, list[IndexedFace]] = {}
        for face in sorted(spec.collection, key=lambda face: face.face_id):
            people.setdefault(face.signature, []).append(face)
        draw = Draw(spec.seed, 51)
        chosen = draw.sample(sorted(people), draw.integer(1, 3)) if people else []
        self._people = [people[identity] for identity in chosen]
        threshold = spec.start_params.get("FaceMatchThreshold")
        self._threshold = float(DEFAULT_FACE_MATCH_THRESHOLD if threshold is None else threshold)
        super().__init__(spec, len(self._people))  # nobody to find: no elements at all

    def element(self, index: int, options: Mapping[str, str]) -> Element:
        sample, slot = self._position(index)
        box = tracked_box(self._seed, slot, sample, _PERSON_ASPECT)
        draw = Draw(self._seed, 52, index)
        face = face_detail(draw, face_box_within(box), all_attributes=False)
        matches = [
            {"Similarity": round(draw.uniform(max(self._threshold, 85.0), 100.0), 4), "Face": indexed.face()}
            for indexed in self._people[slot]
        ]
        person = {"Index": slot, "BoundingBox": box, "Face": face}
        return {"Timestamp": self._timeline.timestamp(sample), "Person": person, "FaceMatches": matches}

    def sort_key(self, index: int, sort_by: str) -> SortKey:
        sample, slot = self._position(index)
        if sort_by == "INDEX":
            return (slot, sample)
        return super().sort_key(index, sort_by)
