"""Result pages read from the service's text: the same values as json.loads, each element's text kept."""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from video_pipeline.analyses import FACES
from video_pipeline.logic.detections import DetectionPacker, JobContext, ResultTally
from video_pipeline.result_pages import ServiceElement, parse_page

RESULT_KEY = "Faces"

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _with_results(members: dict[str, Any], results: list[Any], position: int) -> dict[str, Any]:
    names = list(members)
    names.insert(min(position, len(names)), RESULT_KEY)
    return {name: results if name == RESULT_KEY else members[name] for name in names}


elements = st.dictionaries(st.text(max_size=8), values, max_size=5)
pages = st.builds(
    _with_results,
    st.dictionaries(st.text(max_size=10).filter(lambda name: name != RESULT_KEY), values, max_size=4),
    st.lists(elements | values, max_size=6),
    st.integers(min_value=0, max_value=4),
)
styles = st.sampled_from(
    [
        {"separators": (",", ":"), "ensure_ascii": False},
        {"separators": (",", ":"), "ensure_ascii": True},
        {"separators": (", ", ": ")},
        {"indent": 2},
        {"indent": "\t", "ensure_ascii": False},
    ]
)


@settings(max_examples=300, deadline=None)
@given(pages, styles)
def test_a_page_reads_as_json_loads_and_each_element_keeps_its_own_text(page, style):
    text = json.dumps(page, **style)
    parsed = parse_page(text, RESULT_KEY)
    assert parsed == json.loads(text)
    for element in parsed[RESULT_KEY]:
        if isinstance(element, dict):
            assert type(element) is ServiceElement
            assert element.text in text
            assert json.loads(element.text) == element
        else:
            assert type(element) is not ServiceElement


@settings(max_examples=300, deadline=None)
@given(st.lists(elements, max_size=5))
def test_in_the_services_compact_form_an_elements_text_is_its_compact_encoding(results):
    text = json.dumps({"JobStatus": "SUCCEEDED", RESULT_KEY: results}, separators=(",", ":"), ensure_ascii=False)
    for element in parse_page(text, RESULT_KEY)[RESULT_KEY]:
        assert element.text == json.dumps(element, separators=(",", ":"), ensure_ascii=False)


@settings(max_examples=500, deadline=None)
@given(pages, st.data())
def test_damaged_text_is_refused_exactly_when_json_loads_refuses_it(page, data):
    text = json.dumps(page)
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    insert = data.draw(st.sampled_from(["", ",", "}", "]", "x", " ", '"', "{", "[1"]))
    damaged = text[:cut] + insert + text[cut + (1 if data.draw(st.booleans()) else 0) :]
    try:
        expected = json.loads(damaged)
    except ValueError:
        with pytest.raises(ValueError):
            parse_page(damaged, RESULT_KEY)
        return
    if isinstance(expected, dict):
        assert parse_page(damaged, RESULT_KEY) == expected
    else:
        with pytest.raises(ValueError, match="JSON object"):
            parse_page(damaged, RESULT_KEY)


@pytest.mark.parametrize("text", ["", "[]", '"Faces"', "{} {}", '{"Faces":[{}],}', '{"Faces" [] }', "{'a': 1}"])
def test_what_is_not_one_json_object_is_refused(text):
    with pytest.raises(ValueError):
        parse_page(text, RESULT_KEY)


def test_a_service_element_is_stored_as_the_service_wrote_it():
    # Key order, number spelling and escapes are the service's, not a re-encoding's. (0.510 is
    # not a float32 value, so the item keeps the text; float32 numbers: test_packed_codec.py.)
    text = '{"Faces":[{"Face":{"Confidence":0.510},"Timestamp":40,"Name":"caf\\u00e9"}]}'
    (element,) = parse_page(text, RESULT_KEY)[RESULT_KEY]
    context = JobContext("job1", "vid1", FACES, "2026-11-22T10:00:00.000Z")
    service = DetectionPacker(context)
    service.pack([element], ResultTally())
    (item,) = service.finish()
    assert (
        zlib.decompress(item["z"]["B"]).decode() == '[{"Face":{"Confidence":0.510},"Timestamp":40,"Name":"caf\\u00e9"}]'
    )
    assert item["sk"] == {"S": "W#000000000000#00000000"}
    packer = DetectionPacker(context)
    packer.pack([dict(element)], ResultTally())
    (derived,) = packer.finish()
    assert zlib.decompress(derived["z"]["B"]).decode() == '[{"Face":{"Confidence":0.51},"Timestamp":40,"Name":"café"}]'
