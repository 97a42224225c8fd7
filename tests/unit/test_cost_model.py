"""The cost model's per-analysis rows: each analysis at its own Rekognition price, stand-ins explicit."""

from __future__ import annotations

import argparse

import pytest
from video_pipeline.analyses import REGISTRY, STORED_VIDEO_USD_PER_MINUTE

from benchmarks.collector_ingest import ANALYSES, _names, _sizes
from benchmarks.cost_model import DENSITIES, Measured, print_densities, rekognition_price, with_stand_ins


def measured(analysis: str, write_units: float = 0.1) -> Measured:
    return Measured(analysis, 0.3, write_units, 1.0, 400.0, 100.0)


def test_each_analysis_is_priced_from_the_registry_and_face_search_at_the_stored_video_price() -> None:
    for name, entry in REGISTRY.items():
        assert rekognition_price(name) == entry.usd_per_minute, name
    assert rekognition_price("face_search") == STORED_VIDEO_USD_PER_MINUTE == 0.10


def test_a_stand_in_copies_the_measured_row_under_its_own_name_and_never_replaces_a_measurement() -> None:
    rows = [measured("celebrities", 0.08), measured("labels")]
    (*_, added) = with_stand_ins(rows, ["face_search=celebrities"])
    assert (added.analysis, added.write_units_per_detection) == ("face_search", 0.08)
    with pytest.raises(SystemExit, match="MEASURED one of"):
        with_stand_ins(rows, ["face_search=faces"])
    with pytest.raises(SystemExit, match="labels was measured"):
        with_stand_ins(rows, ["labels=celebrities"])


def test_the_density_table_has_every_analysis_at_every_density_and_their_total(capsys) -> None:
    print_densities(with_stand_ins([measured("labels"), measured("celebrities")], ["face_search=celebrities"]))
    lines = capsys.readouterr().out.splitlines()
    for rate in DENSITIES:
        shown = [line.split()[1] for line in lines if line.split()[:1] == [f"{rate:.0f}"]]
        assert shown == ["labels", "celebrities", "face_search", "all"], rate
    assert "reaches 1% of Rekognition's cost at" in lines[-1]


def test_the_ingest_benchmark_covers_the_registry_and_refuses_unknown_names_and_sizes() -> None:
    assert tuple(REGISTRY) == ANALYSES
    assert _names("labels, text") == ("labels", "text") and _sizes("1000,20000") == (1000, 20000)
    for bad in ("labls", ""):
        with pytest.raises(argparse.ArgumentTypeError, match="known:"):
            _names(bad)
    for bad in ("1k", "0"):
        with pytest.raises(argparse.ArgumentTypeError):
            _sizes(bad)
