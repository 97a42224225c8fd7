"""What compression buys the packed detection items: stored bytes and write units per detection.

    .venv/bin/python -m benchmarks.packing [--detections N]

For each analysis, N elements shaped as the Rekognition fake returns them (faces with ALL attributes,
celebrities, persons; the fake writes ratios with 6 digits and percentages with 4) and the same
elements with the service's own number spelling (float32 values printed in full, 15-17 digits:
what real Get* responses carry), packed by `DetectionPacker` at its item bound, and compressed with:
none, zlib 1/6/9 and lzma over the elements' JSON text, and the collector's own codec, float32
numbers as byte-shuffled columns beside the rest as JSON, in one zlib-6 stream. Printed per
detection: stored bytes of the packed items (DynamoDB's item size rules), write units, and the
packing CPU time.
"""

from __future__ import annotations

import argparse
import lzma
import math
import struct
import time
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from video_pipeline.analyses import CELEBRITIES, FACES, PERSONS, Analysis
from video_pipeline.logic.detections import DetectionPacker, JobContext, ResultTally
from video_pipeline.logic.packed_codec import compact_json, pack_texts

from benchmarks.aws_calls import item_size
from tests.read_answers import elements as generated


def _text(compress: Callable[[bytes], bytes]) -> Callable[[Sequence[str]], bytes]:
    """The element texts as one JSON array (version 1 of the packed format), compressed."""
    return lambda texts: compress(("[" + ",".join(texts) + "]").encode())


CODECS: dict[str, Callable[[Sequence[str]], bytes]] = {
    "none": _text(lambda raw: raw),
    "zlib-1": _text(lambda raw: zlib.compress(raw, 1)),
    "zlib-6": _text(lambda raw: zlib.compress(raw, 6)),
    "zlib-9": _text(lambda raw: zlib.compress(raw, 9)),
    "lzma": _text(lambda raw: lzma.compress(raw, preset=6)),
    "f32+zlib-6": pack_texts,  # what the collector writes: float32 columns (logic/packed_codec.py)
}


def service_spelling(value: Any) -> Any:
    """Floats as the service spells them: float32 values printed in full."""
    if isinstance(value, float):
        return struct.unpack("f", struct.pack("f", value))[0]
    if isinstance(value, dict):
        return {key: service_spelling(item) for key, item in value.items()}
    if isinstance(value, list):
        return [service_spelling(item) for item in value]
    return value


def stream(analysis: Analysis, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    seed = 0
    while len(found) < count:
        found += generated(analysis, seed)
        seed += 1
    # Dense: every element 10 ms after the previous one, so items fill to their bound, not their window.
    return [{**element, "Timestamp": 10 * n} for n, element in enumerate(found[:count])]


def measure(analysis: Analysis, elements: list[dict[str, Any]], codec: str) -> tuple[float, float, float]:
    """(bytes, write units, CPU microseconds) per detection."""
    packer = DetectionPacker(
        JobContext("job-id-of-a-realistic-length-0123456789", "v" * 32, analysis, "t"), pack=CODECS[codec]
    )
    began = time.process_time()
    items = [*packer.pack(elements, ResultTally()), *packer.finish()]
    cpu = time.process_time() - began
    wire = [{name: _wire(value) for name, value in item.items()} for item in items]
    sizes = [item_size(item) for item in wire]
    units = sum(math.ceil(size / 1024) * (2 if "entity" in item else 1) for size, item in zip(sizes, wire, strict=True))
    count = len(elements)
    return sum(sizes) / count, units / count, cpu * 1e6 / count


def _wire(value: dict[str, Any]) -> dict[str, Any]:
    """An attribute value as the SDK sends it (binary as base64), for `item_size`."""
    import base64

    if "B" in value:
        return {"B": base64.b64encode(value["B"]).decode()}
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--detections", type=int, default=20_000)
    count = parser.parse_args().detections
    print(f"Packed items per detection ({count:,} dense detections per analysis; B = stored bytes, us = packing CPU)")
    print(f"{'analysis':<13}{'numbers':<9}{'JSON B':>8}" + "".join(f"{codec:>20}" for codec in CODECS))
    print(f"{'':<30}" + "".join(f"{'B   WRU     us':>20}" for _ in CODECS))
    for analysis in (FACES, CELEBRITIES, PERSONS):
        base = stream(analysis, count)
        for spelling, elements in (("fake", base), ("service", [service_spelling(e) for e in base])):
            raw = sum(len(compact_json(element)) for element in elements) / count
            cells = [measure(analysis, elements, codec) for codec in CODECS]
            print(
                f"{analysis.name:<13}{spelling:<9}{raw:>8.0f}"
                + "".join(f"{size:>8.0f}{units:>6.3f}{cpu:>6.1f}" for size, units, cpu in cells)
            )


if __name__ == "__main__":
    main()
