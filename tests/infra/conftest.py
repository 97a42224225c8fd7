"""Synthesized apps shared by the infra tests: synthesis is the slow part, so once per session.

Both are synthesized as `cdk synth` does it (cdk.json context, cdk-nag enabled), so a nag finding
fails every test that uses them, as it would fail the deploy.
"""

from __future__ import annotations

import pytest
from video_pipeline.analyses import REGISTRY

from infra.config import PipelineConfig
from tests.infra.synth import Synthesized, synthesize

# Everything that can differ from the defaults, differently.
VARIANT = PipelineConfig(
    enabled_analyses=("faces",),
    face_attributes="DEFAULT",
    input_prefix="incoming/videos/",
    video_suffixes=(".mp4",),
    log_retention_days=90,
    log_level="DEBUG",
    deletion_protection=False,
    alarm_email="ops@example.com",
    powertools_layer_version=7,
    daily_budget_minutes="faces=300,total=600",
)
# People Pathing on an account that still has it, falling back to label detection when refused; and
# two more analyses, each enabled by its name alone, one of them with options.
NATIVE_PERSONS = PipelineConfig(
    enabled_analyses=("persons", "moderation", "segments"),
    person_tracking_engine="native",
    person_tracking_fallback=True,
    analysis_options='{"moderation":{"MinConfidence":70}}',
)

# Every analysis of the registry at once, with the opt-in moderation alarm.
EVERY_ANALYSIS = PipelineConfig(enabled_analyses=tuple(REGISTRY), moderation_alarm_threshold=3)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The default configuration, from cdk.json."""
    return synthesize(tmp_path_factory.mktemp("default"), nag=True)


@pytest.fixture(scope="session")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """`VARIANT`: one analysis, a prefix, no deletion protection, an alarm e-mail."""
    return synthesize(tmp_path_factory.mktemp("variant"), config=VARIANT, nag=True)


@pytest.fixture(scope="session")
def native_persons(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """`NATIVE_PERSONS`: native person engine with the label-detection fallback, moderation, segments."""
    return synthesize(tmp_path_factory.mktemp("native-persons"), config=NATIVE_PERSONS, nag=True)


@pytest.fixture(scope="session")
def every_analysis(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """`EVERY_ANALYSIS`: each analysis of the registry enabled, and the moderation alarm at 3 flags."""
    return synthesize(tmp_path_factory.mktemp("every-analysis"), config=EVERY_ANALYSIS, nag=True)
