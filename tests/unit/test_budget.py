"""The daily budget of video minutes: its setting, the duration it counts, and the starter's waiting."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from video_pipeline.analyses import CELEBRITIES, FACES, Analysis, JobSettings
from video_pipeline.contract import BudgetSpecError, DailyBudget, parse_budget
from video_pipeline.logic.budget import estimated_cost_usd, guessed_duration_ms, video_minutes
from video_pipeline.logic.identity import holder_id, video_id
from video_pipeline.logic.media_duration import duration_ms
from video_pipeline.logic.starting import JobStarter, NotificationChannel, StartOutcome, UploadReport
from video_pipeline.models import JobStatus, UploadedObject

from tests.unit.fakes import Clock, InMemoryBudget, InMemoryJobs, InMemoryObjects, InMemorySlots, ScriptedRekognition

CHANNEL = NotificationChannel("arn:aws:sns:us-east-1:123456789012:AmazonRekognition-t", "arn:aws:iam::1:role/r")


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def mvhd(seconds: float, *, version: int = 0, timescale: int = 600) -> bytes:
    units = round(seconds * timescale)
    if version == 1:
        return box(b"mvhd", bytes([1, 0, 0, 0]) + struct.pack(">QQIQ", 0, 0, timescale, units) + bytes(80))
    return box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, timescale, units) + bytes(80))


def movie(seconds: float, *, moov_last: bool = False, version: int = 0) -> bytes:
    ftyp = box(b"ftyp", b"mp42\x00\x00\x00\x00mp42isom")
    moov = box(b"moov", box(b"udta", bytes(20)) + mvhd(seconds, version=version))
    mdat = box(b"mdat", bytes(5000))
    return ftyp + (mdat + moov if moov_last else moov + mdat)


def reader(content: bytes):
    reads: list[tuple[int, int]] = []

    def read(offset: int, length: int) -> bytes:
        reads.append((offset, length))
        return content[offset : offset + length]

    return read, reads


@pytest.mark.parametrize("moov_last", [False, True])
@pytest.mark.parametrize("version", [0, 1])
def test_the_duration_comes_from_the_movie_header_in_a_few_small_reads(moov_last: bool, version: int) -> None:
    content = movie(95.5, moov_last=moov_last, version=version)
    read, reads = reader(content)
    assert duration_ms(read, len(content)) == 95_500
    assert len(reads) <= 6 and all(length <= 32 for _offset, length in reads)


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x00\x00\x18ftypmp42" + bytes(100), box(b"moov", box(b"mvhd", bytes(3))), box(b"ftyp", b"") * 2],
)
def test_a_file_without_a_readable_movie_header_has_no_duration(content: bytes) -> None:
    read, _reads = reader(content)
    assert duration_ms(read, len(content)) is None


def test_a_box_that_claims_to_be_smaller_than_its_header_stops_the_walk() -> None:
    content = struct.pack(">I4s", 3, b"free") + movie(10)
    read, reads = reader(content)
    assert duration_ms(read, len(content)) is None and len(reads) == 1


def test_minutes_round_up_to_the_hundredth_and_a_guess_comes_from_the_size() -> None:
    assert video_minutes(60_000) == 1.0 and video_minutes(60_001) == 1.01 and video_minutes(0) == 0
    assert guessed_duration_ms(1) == 60_000  # at least a minute
    assert guessed_duration_ms(75_000_000) == 10 * 60_000  # 1 Mbit/s
    assert guessed_duration_ms(10**12) == 360 * 60_000  # never more than Rekognition accepts


def test_the_cost_is_minutes_times_each_analysis_price() -> None:
    assert estimated_cost_usd(10, (FACES, CELEBRITIES)) == pytest.approx(10 * 0.10 * 2)


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("", {}),
        ("600", {"total": 600.0}),
        (" faces=300, total=600 ", {"faces": 300.0, "total": 600.0}),
        ("persons=12.5", {"persons": 12.5}),
    ],
)
def test_a_budget_is_a_total_or_per_analysis(text: str, limits: dict[str, float]) -> None:
    assert parse_budget(text).limits == limits


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("lots", "'lots' is not a number of minutes"),
        ("facez=3", "unknown analysis 'facez'"),
        ("faces=0", "faces must be a positive number"),
        ("-5", "total must be a positive number"),
        ("600,total=7", "total is given twice"),
        ("nan", "total must be a positive number"),
    ],
)
def test_a_budget_that_cannot_be_read_says_what_is_wrong_in_one_line(text: str, says: str) -> None:
    with pytest.raises(BudgetSpecError) as error:
        parse_budget(text)
    assert says in str(error.value) and "\n" not in str(error.value)


def test_a_job_counts_against_the_total_and_its_own_limit_only() -> None:
    budget = parse_budget("faces=10,celebrities=20,total=25")
    assert budget.limits_for("faces") == {"faces": 10.0, "total": 25.0}
    assert budget.limits_for("persons") == {"total": 25.0}


# The starter under a budget: a 10-minute video, two analyses.
TEN_MINUTES = movie(600)


def upload(number: int) -> UploadedObject:
    return UploadedObject(
        bucket="videos",
        key=f"library/{number}.mp4",
        size=len(TEN_MINUTES),
        etag=f"etag-{number}",
        version_id=None,
        event_time="2026-12-01T11:59:00.000Z",
    )


@dataclass
class World:
    budget: DailyBudget
    analyses: tuple[Analysis, ...] = (FACES, CELEBRITIES)
    quota: int = 20
    jobs: InMemoryJobs = field(default_factory=InMemoryJobs)
    objects: InMemoryObjects = field(default_factory=InMemoryObjects)
    ledger: InMemoryBudget = field(default_factory=InMemoryBudget)
    rekognition: ScriptedRekognition = field(default_factory=ScriptedRekognition)
    clock: Clock = field(default_factory=Clock)

    def __post_init__(self) -> None:
        self.slots = InMemorySlots(self.quota)
        self.deploy(self.budget)

    def deploy(self, budget: DailyBudget) -> None:
        """A (re)deployment with this budget: the ledger of what was spent stays."""
        self.starter = JobStarter(
            jobs=self.jobs,
            slots=self.slots,
            objects=self.objects,
            rekognition=self.rekognition,
            channel=CHANNEL,
            analyses=self.analyses,
            settings=JobSettings(),
            budget=self.ledger,
            limits=budget,
            clock=self.clock,
        )

    def handle(self, number: int, *, waited: bool = False) -> UploadReport:
        item = upload(number)
        if (item.bucket, item.key, None) not in self.objects.objects:
            self.objects.put(item.bucket, item.key, None, len(TEN_MINUTES), TEN_MINUTES)
        return self.starter.handle(item, waited=waited)

    def status(self, number: int, analysis: str) -> JobStatus:
        return self.jobs.record(video_id(upload(number)), analysis).status


def test_uploads_beyond_the_budget_wait_holding_no_slot_and_nothing_fails() -> None:
    world = World(parse_budget("25"))  # two 10-minute jobs fit, a third does not
    first, second = world.handle(1), world.handle(2)
    assert first.outcomes == {"faces": StartOutcome.STARTED, "celebrities": StartOutcome.STARTED}
    assert second.outcomes == {"faces": StartOutcome.WAITING, "celebrities": StartOutcome.WAITING}
    assert second.over_budget and not second.quota_full
    assert world.status(2, "faces") is JobStatus.STARTING  # waiting, never FAILED
    assert holder_id(video_id(upload(2)), "faces") not in world.slots.holders
    assert world.ledger.used["2026-12-01"]["total"] == 20.0
    assert len(world.rekognition.starts) == 2


def test_waiting_uploads_start_when_the_next_day_begins() -> None:
    world = World(parse_budget("10"))
    world.handle(1)
    assert world.handle(2, waited=True).outcomes["faces"] is StartOutcome.WAITING
    world.clock.advance(timedelta(hours=13))  # past midnight UTC
    report = world.handle(2, waited=True)
    assert report.outcomes["faces"] is StartOutcome.STARTED
    assert world.ledger.used["2026-12-02"]["total"] == 10.0


def test_waiting_uploads_start_once_the_budget_is_raised() -> None:
    world = World(parse_budget("10"))
    world.handle(1)
    assert world.handle(2).over_budget
    world.deploy(parse_budget("40"))
    assert world.handle(2, waited=True).outcomes == {
        "faces": StartOutcome.STARTED,
        "celebrities": StartOutcome.STARTED,
    }


def test_a_per_analysis_limit_holds_back_that_analysis_only() -> None:
    world = World(parse_budget("faces=10"))
    world.handle(1)
    report = world.handle(2)
    assert report.outcomes == {"faces": StartOutcome.WAITING, "celebrities": StartOutcome.STARTED}


def test_repeated_deliveries_charge_a_job_once_and_read_the_duration_once() -> None:
    world = World(parse_budget("1000"))
    world.handle(1)
    reads = world.objects.reads
    world.handle(1)
    world.handle(1, waited=True)
    assert world.ledger.used["2026-12-01"] == {"total": 20.0, "faces": 10.0, "celebrities": 10.0}
    # Later deliveries read the object's first bytes again (admission), never its duration.
    assert world.objects.reads - reads == 2


def test_a_video_longer_than_the_whole_budget_starts_alone_as_the_first_job_of_a_day() -> None:
    world = World(parse_budget("5"), analyses=(FACES,))
    assert world.handle(1).outcomes["faces"] is StartOutcome.STARTED
    assert world.handle(2).outcomes["faces"] is StartOutcome.WAITING


def test_an_unreadable_duration_is_charged_from_the_size() -> None:
    world = World(parse_budget("1000"), analyses=(FACES,))
    item = upload(9)
    world.objects.put(item.bucket, item.key, None, 7_500_000)  # no movie header: 1 minute at 1 Mbit/s
    report = world.starter.handle(item)
    assert report.minutes == 1.0 and report.outcomes["faces"] is StartOutcome.STARTED
