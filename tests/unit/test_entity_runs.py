from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st
from video_pipeline.dal.entity_runs import from_runs, to_runs

identities = st.sets(
    st.integers(min_value=0, max_value=10**6).map(str)
    | st.sampled_from(["007", "+7", "-1", "1.0", " 1", "\u0667", "", "1SK7cR8M", "c1"])
    | st.text(max_size=6)
)


@given(identities)
def test_every_set_of_identities_comes_back_as_it_was(entities):
    runs, others = to_runs(entities)
    assert from_runs(runs, others) == entities
    assert others == sorted(others)
    assert all(first <= last for first, last in runs)
    assert all(earlier[1] + 1 < later[0] for earlier, later in pairwise(runs))


def test_consecutive_track_indexes_collapse_into_runs():
    tracks = {str(index) for index in range(100_000) if index != 5_000}
    runs, others = to_runs(tracks | {"c1"})
    assert runs == [(0, 4_999), (5_001, 99_999)]
    assert others == ["c1"]


def test_non_canonical_integers_are_kept_as_text():
    runs, others = to_runs(["007", "7", "0"])
    assert runs == [(0, 0), (7, 7)]
    assert others == ["007"]
