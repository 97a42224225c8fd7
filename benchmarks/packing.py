"""What compression buys the packed detection items: stored bytes and write units per detection.

    .venv/bin/python -m benchmarks.packing [--detections N]

For each analysis, N elements shaped as the Rekognition fake returns them (faces with ALL attributes
and their thirty landmarks, celebrities, persons; the fake writes ratios with 6 digits and
percentages with 4) and the same elements with the service's own number spelling (float32 values
printed in full, 15-17 digits: what real Get* responses carry), packed by `DetectionPacker` at its
item bound, and compressed with: none, zlib 1/6/9 and lzma over the elements' JSON text, and the
collector's own codec, float32 numbers as byte-shuffled columns beside the rest as JSON, in one
zlib-6 stream. Printed per detection: stored bytes of the packed items (DynamoDB's item size rules),
write units, and the packing CPU time. Then, for the float32 columns with the service's spelling,
where the bytes go: the JSON skeleton, the numbers, and each byte of a float32 (the entropy left per
number).
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
from video_pipeline.logic.packed_codec import VERSION_FLOAT32, compact_json, pack_texts

from benchmarks.aws_calls import item_size, wire_item
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
        found += generated(analysis, seed, five_landmarks=False)
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
    wire = [wire_item(item) for item in items]
    sizes = [item_size(item) for item in wire]
    units = sum(math.ceil(size / 1024) * (2 if "entity" in item else 1) for size, item in zip(sizes, wire, strict=True))
    count = len(elements)
    return sum(sizes) / count, units / count, cpu * 1e6 / count


def float32_breakdown(analysis: Analysis, elements: list[dict[str, Any]]) -> tuple[float, float, float, list[float]]:
    """Where version 2's bytes go, per detection: (float32 numbers, skeleton bytes, numbers' bytes,
    compressed bytes per number of each byte plane, least significant first), each part compressed
    apart with zlib-6, in items as the packer closes them."""
    packer = DetectionPacker(JobContext("job", "video", analysis, "t"))
    items = [item for item in [*packer.pack(elements, ResultTally()), *packer.finish()] if "z" in item]
    numbers = skeleton = column = 0
    planes = [0, 0, 0, 0]
    for item in items:
        data = zlib.decompress(item["z"]["B"])
        if data[0] != VERSION_FLOAT32:
            continue
        _version, length, count, _stride = struct.unpack_from("<BIII", data)
        start = struct.calcsize("<BIII") + length
        numbers += count
        skeleton += len(zlib.compress(data[struct.calcsize("<BIII") : start], 6))
        column += len(zlib.compress(data[start:], 6))
        for plane in range(4):
            planes[plane] += len(zlib.compress(data[start + plane * count : start + (plane + 1) * count], 6))
    per_number = [size / max(numbers, 1) for size in planes]
    return numbers / len(elements), skeleton / len(elements), column / len(elements), per_number


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
    print()
    print("f32+zlib-6 with the service's spelling, per detection (each part compressed apart)")
    header = f"{'analysis':<13}{'numbers':>8}{'skeleton B':>11}{'numbers B':>10}{'B/number':>9}"
    print(header + "  B/number by byte, low to high")
    for analysis in (FACES, CELEBRITIES, PERSONS):
        elements = [service_spelling(element) for element in stream(analysis, count)]
        numbers, skeleton, column, planes = float32_breakdown(analysis, elements)
        print(
            f"{analysis.name:<13}{numbers:>8.1f}{skeleton:>11.1f}{column:>10.1f}{column / max(numbers, 1e-9):>9.2f}  "
            + " ".join(f"{plane:.2f}" for plane in planes)
        )


if __name__ == "__main__":
    main()
