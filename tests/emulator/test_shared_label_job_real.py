"""The shared label job against the real label analyzer (issue #18): a world where what a job finds
depends only on the frames, so the comparison with separate jobs is exact. Filtered back to each
analysis' own options, the one job started with the merged options returns what each analysis' own
job returns, and the tracker derives the same people from it."""

from __future__ import annotations

import pytest
from video_pipeline.analyses import LABELS, PERSONS_FROM_LABELS, JobSettings
from video_pipeline.logic.result_streams import AsAsked, PersonsFromLabels
from video_pipeline.logic.shared_jobs import kept_as_asked, merged_label_options

from tests.emulator.test_real_labels import _source

pytestmark = pytest.mark.unit


def returned(path, options):
    source = _source(path, **options)
    return [source.element(index, {"AggregateBy": "TIMESTAMPS"}) for index in range(source.count)]


def tracks(elements, asked=None):
    stream = PersonsFromLabels() if asked is None else AsAsked(PersonsFromLabels(), asked)
    return [dict(element) for element in (*stream.feed(elements), *stream.finish())]


@pytest.mark.parametrize("labels_options", [{}, {"MinConfidence": 75.0}, {"MinConfidence": 20.0}])
def test_one_job_filtered_back_equals_each_analysis_own_job(clip, labels_options):
    path, _truth = clip
    settings = JobSettings(options={"labels": labels_options})
    labels_asked = LABELS.start_options(settings)
    persons_asked = PERSONS_FROM_LABELS.start_options(settings)
    shared = returned(path, merged_label_options(labels_asked, persons_asked))
    own_labels = returned(path, labels_asked)
    own_persons = returned(path, persons_asked)
    assert own_persons, "the clip has people"
    kept = [element for element in (kept_as_asked(item, labels_asked) for item in shared) if element is not None]
    assert kept == own_labels
    assert tracks(shared, persons_asked) == tracks(own_persons)
