"""The packing of a job's result stream: windows, bounded items, appearances, the same items whatever the paging."""

from __future__ import annotations

import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from video_pipeline.analyses import CELEBRITIES, FACES, LABELS, MODERATION, PERSONS, PERSONS_FROM_LABELS, SEGMENTS
from video_pipeline.logic.detections import DetectionPacker, JobContext, ResultTally
from video_pipeline.logic.packed_codec import unpack_elements, unpack_ordinals
from video_pipeline.schema import (
    APPEARANCE_GAP_MS,
    MAX_ELEMENT_BYTES,
    PACK_MAX_DETECTIONS,
    PACK_MAX_TEXT_BYTES,
    WINDOW_MS,
    window_sk_parts,
)


def context(analysis):
    return JobContext(job_id="job1", video_id="vid1", analysis=analysis, uploaded_at="2026-11-22T10:00:00.000Z")


def packed(analysis, pages, *, checkpoint_every_page=False):
    """Every item a stream of pages produces; optionally through a checkpoint (JSON) after each page."""
    tally, packer, items = ResultTally(), DetectionPacker(context(analysis)), []
    for page in pages:
        items += packer.pack(page, tally)
        if checkpoint_every_page:
            state = json.loads(json.dumps(packer.state()))
            packer = DetectionPacker(context(analysis), state)
    return items + packer.finish(), tally


def windows(items):
    return [item for item in items if item["sk"]["S"].startswith("W#")]


def appearances(items):
    return [item for item in items if item["sk"]["S"].startswith("A#")]


def stored_elements(items):
    """The detections of the window items, in stream order (each at the position its item gives it)."""
    placed = []
    for item in windows(items):
        elements = unpack_elements(item["z"]["B"])
        first = window_sk_parts(item["sk"]["S"])[1]
        placed += zip(unpack_ordinals(first, len(elements), item.get("o", {}).get("B")), elements, strict=True)
    assert len({ordinal for ordinal, _element in placed}) == len(placed)
    return [element for _ordinal, element in sorted(placed, key=lambda pair: pair[0])]


def test_detections_are_packed_per_window_with_deterministic_keys():
    elements = [{"Timestamp": t, "Face": {"Confidence": 99.5}} for t in (40, 40, 9_999, 10_000, 25_000)]
    items, tally = packed(FACES, [elements])
    assert [item["sk"]["S"] for item in items] == [
        "W#000000000000#00000000",
        "W#000000010000#00000003",
        "W#000000020000#00000004",
    ]
    assert [item["n"]["N"] for item in items] == ["3", "1", "1"]
    assert stored_elements(items) == elements
    assert items[0]["pk"] == {"S": "job1"} and items[0]["video_id"] == {"S": "vid1"}
    assert packed(FACES, [elements])[0] == items
    assert tally.detections == 5


def test_a_dense_window_splits_into_bounded_items():
    big = {"Timestamp": 5, "Face": {"Note": "x" * 10_000}}
    items, _ = packed(FACES, [[big] * 50 + [{"Timestamp": 6, "Face": {}}] * (PACK_MAX_DETECTIONS + 5)])
    texts = [json.dumps(element, separators=(",", ":")) for element in stored_elements(items)]
    assert len(texts) == 50 + PACK_MAX_DETECTIONS + 5
    for item in items:
        elements = unpack_elements(item["z"]["B"])
        size = sum(len(json.dumps(element, separators=(",", ":"))) for element in elements)
        assert len(elements) <= PACK_MAX_DETECTIONS
        assert size <= PACK_MAX_TEXT_BYTES
    assert all(window_sk_parts(item["sk"]["S"])[0] == 0 for item in items)


def test_celebrity_appearances_are_runs_indexed_across_videos():
    def seen(t, celebrity):
        box = {"Width": 0.1, "Height": 0.1, "Left": t / 10**6, "Top": 0.1}
        return {
            "Timestamp": t,
            "Celebrity": {"Id": celebrity, "Name": "Ada", "Confidence": t % 7, "Face": {"BoundingBox": box}},
        }

    gone = 1_000 + APPEARANCE_GAP_MS + 1
    elements = [seen(0, "c1"), seen(500, "c2"), seen(1_000, "c1"), seen(gone, "c1")]
    items, tally = packed(CELEBRITIES, [elements])
    runs = sorted(appearances(items), key=lambda item: item["sk"]["S"])
    assert [(r["entity"]["S"], r["ts"]["N"], r["last_ts"]["N"], r["n"]["N"]) for r in runs] == [
        ("CELEB#c1", "0", "1000", "2"),
        ("CELEB#c2", "500", "500", "1"),
        ("CELEB#c1", str(gone), str(gone), "1"),
    ]
    assert runs[0]["entity_sort"]["S"] == "2026-11-22T10:00:00.000Z#vid1#000000000000#00000000"
    assert (runs[0]["first"]["N"], runs[0]["last"]["N"], runs[0]["label"]["S"]) == ("0", "2", "Ada")
    # The best view: the most confident detection of the run (Confidence 1000 % 7 = 6 over 0).
    assert json.loads(runs[0]["box"]["S"])["Left"] == 0.001
    assert tally.entities == {"c1", "c2"}


def test_person_tracks_are_appearances_within_the_job():
    elements = [{"Timestamp": t * 200, "Person": {"Index": t % 2}} for t in range(6)]
    items, tally = packed(PERSONS, [elements])
    runs = appearances(items)
    assert sorted((r["entity"]["S"], r["entity_sort"]["S"], r["n"]["N"]) for r in runs) == [
        ("TRACK#job1#0", "000000000000#00000000", "3"),
        ("TRACK#job1#1", "000000000200#00000001", "3"),
    ]
    assert tally.entities == {"0", "1"}


def test_a_tracks_detections_are_indexed_with_it_one_item_per_person_and_window():
    # Two people and an element without an index share the first window; one person goes on into the next.
    elements = [{"Timestamp": t * 2_000, "Person": {"Index": t % 2}} for t in range(7)]
    elements.insert(2, {"Timestamp": 2_000, "Person": {}})
    items, _ = packed(PERSONS, [elements])
    carried = sorted(
        (item["sk"]["S"], item.get("entity", {}).get("S"), item.get("entity_sort", {}).get("S"), item["n"]["N"])
        for item in windows(items)
    )
    assert carried == [
        ("W#000000000000#00000000", "DETECTIONS#TRACK#job1#0", "000000000000#00000000", "3"),
        ("W#000000000000#00000001", "DETECTIONS#TRACK#job1#1", "000000002000#00000001", "2"),
        ("W#000000000000#00000002", None, None, "1"),
        ("W#000000010000#00000006", "DETECTIONS#TRACK#job1#1", "000000010000#00000006", "1"),
        ("W#000000010000#00000007", "DETECTIONS#TRACK#job1#0", "000000012000#00000007", "1"),
    ]
    # Person 0 is at positions 0, 3, 5: not consecutive, so the item says where each one is.
    first = next(item for item in items if item["sk"]["S"] == "W#000000000000#00000000")
    assert unpack_ordinals(0, 3, first["o"]["B"]) == [0, 3, 5]
    assert stored_elements(items) == elements


def test_a_collection_checkpointed_before_tracks_were_carried_goes_on_as_it_began():
    elements = [{"Timestamp": t * 200, "Person": {"Index": t % 2}} for t in range(60)]
    packer = DetectionPacker(context(PERSONS))
    tally = ResultTally()
    items = packer.pack(elements[:7], tally)
    state = json.loads(json.dumps(packer.state()))
    del state["carried"], state["open"]["identities"], state["open"]["timestamps"]  # as written before
    resumed = DetectionPacker(context(PERSONS), state)
    items += resumed.pack(elements[7:], tally) + resumed.finish()
    assert not [item for item in items if item.get("entity", {}).get("S", "").startswith("DETECTIONS#")]
    assert stored_elements(items) == elements


def shot(index, start, end):
    return {
        "Type": "SHOT",
        "StartTimestampMillis": start,
        "EndTimestampMillis": end,
        "DurationMillis": end - start,
        "ShotSegment": {"Index": index, "Confidence": 99.9},
    }


def test_segments_are_windowed_by_their_start_and_counted_by_identity_without_appearance_items():
    black = {
        "Type": "TECHNICAL_CUE",
        "StartTimestampMillis": 12_000,
        "EndTimestampMillis": 12_500,
        "TechnicalCueSegment": {"Type": "BlackFrames", "Confidence": 97.0},
    }
    elements = [shot(0, 0, 8_000), shot(1, 8_000, 12_000), black, shot(2, 12_500, 30_000)]
    items, tally = packed(SEGMENTS, [elements])
    assert [item["sk"]["S"] for item in windows(items)] == ["W#000000000000#00000000", "W#000000010000#00000002"]
    assert stored_elements(items) == elements
    # Every shot is an identity of its own: an appearance item would double each segment's write units.
    assert appearances(items) == []
    assert len(items) == len(windows(items))
    assert tally.entities == {"SHOT#0", "SHOT#1", "SHOT#2", "CUE#BlackFrames"}


def test_labels_and_moderation_categories_are_appearances_across_videos():
    car = {"Timestamp": 0, "Label": {"Name": "Car", "Confidence": 91.0, "Instances": [{"BoundingBox": {"Left": 0.1}}]}}
    flag = {"Timestamp": 0, "ModerationLabel": {"Name": "Violence", "ParentName": "", "Confidence": 80.0}}
    (label_run,) = appearances(packed(LABELS, [[car, {**car, "Timestamp": 200}]])[0])
    (flag_run,) = appearances(packed(MODERATION, [[flag]])[0])
    assert (label_run["entity"]["S"], label_run["n"]["N"], json.loads(label_run["box"]["S"])) == (
        "LABEL#Car",
        "2",
        {"Left": 0.1},
    )
    assert (flag_run["entity"]["S"], flag_run["label"]["S"]) == ("MODERATION#Violence", "Violence")


def test_an_element_too_large_for_one_item_is_truncated_not_dropped():
    huge = {"Timestamp": 5, "Face": {"Landmarks": ["x" * 100] * (MAX_ELEMENT_BYTES // 50)}}
    (item,) = packed(FACES, [[huge]])[0]
    assert item["truncated"] == {"NS": ["0"]}
    assert unpack_elements(item["z"]["B"]) == [{"Timestamp": 5}]


def test_a_multibyte_element_over_the_limit_in_bytes_is_truncated_and_one_under_it_kept():
    under = {"Timestamp": 1, "Face": {"Note": "é" * ((MAX_ELEMENT_BYTES - 100) // 2)}}
    over = {"Timestamp": 7, "Face": {"Note": "é" * (MAX_ELEMENT_BYTES // 2 + 10)}}
    items, _ = packed(FACES, [[under, over]])
    assert stored_elements(items) == [under, {"Timestamp": 7}]


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
_json_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_entity = st.fixed_dictionaries(
    {}, optional={"Id": st.text(max_size=6), "Name": st.text(max_size=6), "Index": st.integers(0, 9) | st.none()}
)
_elements = st.lists(
    st.fixed_dictionaries(
        {"Timestamp": st.integers(0, 5 * WINDOW_MS)},
        optional={
            "Face": _json_values,
            "Celebrity": _entity,
            "Person": _entity,
            "Extra": _json_values,
        },
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    analysis=st.sampled_from([FACES, CELEBRITIES, PERSONS, PERSONS_FROM_LABELS]),
    stream=_elements,
    cuts=st.lists(st.integers(0, 40), max_size=5),
    checkpoints=st.booleans(),
)
def test_the_items_do_not_depend_on_where_pages_end(analysis, stream, cuts, checkpoints):
    """A re-delivery may page differently or resume from a checkpoint: it must write the same items."""
    stream = sorted(stream, key=lambda element: element["Timestamp"])
    bounds = sorted({0, len(stream), *(cut for cut in cuts if cut < len(stream))})
    pages = [stream[low:high] for low, high in itertools.pairwise(bounds)]
    whole, whole_tally = packed(analysis, [stream])
    paged, paged_tally = packed(analysis, pages, checkpoint_every_page=checkpoints)
    key = lambda item: item["sk"]["S"]  # noqa: E731
    assert sorted(paged, key=key) == sorted(whole, key=key)
    assert stored_elements(whole) == stream
    assert (paged_tally.detections, paged_tally.entities) == (whole_tally.detections, whole_tally.entities)
    assert len({key(item) for item in whole}) == len(whole)
