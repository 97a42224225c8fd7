"""Recognizing known faces without a recognition model: a gallery of reference pictures.

No offline celebrity model ships in a package, so recognition only works against faces the user
configures: a directory of pictures named after the person (`Ada Lovelace.png`). A detected face
matches the reference whose gradient descriptor it is closest to, above a threshold; everything else stays unknown,
as the service leaves unrecognized faces out of the celebrity results.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from emulator.vision.detectors import Image
from emulator.vision.faces import FaceDetector

_TEMPLATE_SIDE = 64
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp"})
_ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class KnownFace:
    id: str
    name: str
    template: NDArray[np.float32]


def celebrity_id(name: str) -> str:
    """A stable 8-character id, the form the service uses, derived from the name."""
    number = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    characters = []
    for _ in range(8):
        number, digit = divmod(number, len(_ID_ALPHABET))
        characters.append(_ID_ALPHABET[digit])
    return "".join(characters)


_DESCRIPTOR = cv2.HOGDescriptor((_TEMPLATE_SIDE, _TEMPLATE_SIDE), (16, 16), (8, 8), (8, 8), 9)


def face_template(crop: Image) -> NDArray[np.float32]:
    """A unit-length gradient-orientation descriptor: tolerant of the few pixels detectors' boxes shift by."""
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    resized = cv2.resize(grey, (_TEMPLATE_SIDE, _TEMPLATE_SIDE), interpolation=cv2.INTER_AREA)
    vector: NDArray[np.float32] = np.asarray(_DESCRIPTOR.compute(resized), dtype=np.float32).ravel()
    centred = vector - vector.mean()
    norm = float(np.linalg.norm(centred)) or 1.0
    unit: NDArray[np.float32] = (centred / norm).astype(np.float32)
    return unit


class FaceGallery:
    def __init__(self, known: list[KnownFace], threshold: float = 0.6) -> None:
        self.known = known
        self.threshold = threshold

    @classmethod
    def from_directory(cls, directory: Path, detector: FaceDetector | None = None) -> FaceGallery:
        if not directory.is_dir():
            raise ValueError(f"celebrity gallery {directory} is not a directory")
        detector = detector or FaceDetector()
        known = []
        for path in sorted(directory.iterdir()):
            if path.suffix.lower() not in _IMAGE_SUFFIXES:
                continue
            read = cv2.imread(str(path))
            if read is None:
                raise ValueError(f"celebrity gallery picture {path} cannot be read")
            image: Image = np.asarray(read, dtype=np.uint8)
            faces = detector.detect(image)
            if not faces:
                # Its template would be of something else, and no face in any video could ever match it.
                raise ValueError(
                    f"celebrity gallery picture {path} shows no face the face detector can find; "
                    "use a sharp, frontal picture of the face"
                )
            # The largest face, framed exactly as faces in videos are, so that templates compare like for like.
            box = max(faces, key=lambda face: face.box["Width"] * face.box["Height"]).box
            height, width = image.shape[:2]
            top, left = int(box["Top"] * height), int(box["Left"] * width)
            image = image[top : top + int(box["Height"] * height), left : left + int(box["Width"] * width)]
            known.append(KnownFace(celebrity_id(path.stem), path.stem, face_template(image)))
        if not known:
            raise ValueError(f"celebrity gallery {directory} holds no pictures ({', '.join(sorted(_IMAGE_SUFFIXES))})")
        return cls(known)

    def match(self, crop: Image) -> tuple[KnownFace, float] | None:
        """The closest known face and its cosine similarity (0-1), if above the threshold."""
        template = face_template(crop)
        scored = [(float((template * known.template).sum()), known) for known in self.known]
        score, best = max(scored, key=lambda pair: pair[0])
        return (best, score) if score >= self.threshold else None
