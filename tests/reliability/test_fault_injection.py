"""The fault-injection suite of docs/reliability.md, at CI's size: every scenario through the real
handlers, moto and the Rekognition fake in virtual time. `benchmarks/reliability.py` prints the same
figures at a thousand uploads."""

from __future__ import annotations

import pytest
from moto import mock_aws

from local.scenarios import CI, scenarios
from local.simulation import Figures, Simulation

SCENARIOS = {scenario.name: scenario for scenario in scenarios(**CI)}


@pytest.fixture(scope="module")
def figures() -> dict[str, Figures]:
    results = {}
    for name, scenario in SCENARIOS.items():
        with mock_aws():
            results[name] = Simulation(scenario).run()
    return results


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_nothing_is_lost_or_duplicated_and_the_quota_holds(figures: dict[str, Figures], name: str) -> None:
    result, scenario = figures[name], SCENARIOS[name]
    expected_jobs = 3 * scenario.uploads
    assert (result.succeeded, result.lost) == (expected_jobs, 0), result
    assert result.jobs == expected_jobs and result.duplicated_jobs == 0, result
    assert result.duplicated_detections == 0, result
    assert result.max_in_flight <= scenario.quota, result
    assert result.dead_letters == 0, result


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_pipeline_never_causes_limit_exceeded_itself(figures: dict[str, Figures], name: str) -> None:
    injected = sum(times for _op, code, times in SCENARIOS[name].faults if code == "LimitExceededException")
    # Only the answers injected on purpose (other workloads sharing the quota) are ever seen.
    assert figures[name].limit_exceeded == injected


def test_a_burst_drains_close_to_the_ideal(figures: dict[str, Figures]) -> None:
    burst = figures["burst"]
    assert burst.max_in_flight == SCENARIOS["burst"].quota  # the quota was used, not just respected
    # Virtual time: the ratio measures pacing (how fast a freed slot is taken), not machine speed.
    assert 1.0 <= burst.drain_ratio < 1.25, burst


def test_lost_notifications_are_finished_by_the_reconciler(figures: dict[str, Figures]) -> None:
    assert figures["lost notifications"].reconciled > 0


def test_poison_input_writes_nothing(figures: dict[str, Figures]) -> None:
    assert figures["poison input"].poison_writes == 0
