from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from video_pipeline.analyses import REGISTRY, JobSettings
from video_pipeline.logic.identity import (
    TAG_PATTERN,
    TOKEN_PATTERN,
    client_request_token,
    job_tag,
    parse_job_tag,
    video_id,
)
from video_pipeline.models import UploadedObject

buckets = st.from_regex(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", fullmatch=True)
keys = st.text(min_size=1, max_size=1024)
versions = st.one_of(
    st.none(), st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789._", min_size=1, max_size=64)
)
etags = st.one_of(st.none(), st.text(alphabet="0123456789abcdef-", min_size=1, max_size=40))
analyses = st.sampled_from(sorted(REGISTRY))
face_attributes = st.sampled_from(["DEFAULT", "ALL"])


def upload(bucket: str, key: str, version: str | None, etag: str | None) -> UploadedObject:
    return UploadedObject(bucket=bucket, key=key, size=10, etag=etag, version_id=version, event_time="t")


@settings(max_examples=300)
@given(buckets, keys, versions, etags, analyses, face_attributes)
def test_token_and_tag_always_satisfy_the_documented_patterns(bucket, key, version, etag, name, attributes):
    analysis = REGISTRY[name]
    uploaded = upload(bucket, key, version, etag)
    token = client_request_token(analysis, uploaded, JobSettings(face_attributes=attributes))
    tag = job_tag(analysis, video_id(uploaded))
    assert TOKEN_PATTERN.fullmatch(token), token
    assert 1 <= len(token) <= 64
    assert TAG_PATTERN.fullmatch(tag), tag
    assert 1 <= len(tag) <= 1024
    assert parse_job_tag(tag) == (name, video_id(uploaded))


@settings(max_examples=300)
@given(buckets, keys, versions, etags, buckets, keys, versions, etags, analyses)
def test_distinct_uploads_get_distinct_tokens_and_video_ids(b1, k1, v1, e1, b2, k2, v2, e2, name):
    first, second = upload(b1, k1, v1, e1), upload(b2, k2, v2, e2)
    analysis = REGISTRY[name]
    same = (first.bucket, first.key, first.revision) == (second.bucket, second.key, second.revision)
    assert (video_id(first) == video_id(second)) == same
    tokens_equal = client_request_token(analysis, first, JobSettings()) == client_request_token(
        analysis, second, JobSettings()
    )
    assert tokens_equal == same


@given(buckets, keys, versions)
def test_the_same_upload_always_gets_the_same_token(bucket, key, version):
    analysis = REGISTRY["faces"]
    first = client_request_token(analysis, upload(bucket, key, version, "e"), JobSettings())
    again = client_request_token(analysis, upload(bucket, key, version, "e"), JobSettings())
    assert first == again


def test_token_differs_per_analysis_version_settings_and_channel():
    base = upload("bucket", "dir/My Video+1.mp4", "v1", "etag")
    faces, persons = REGISTRY["faces"], REGISTRY["persons"]
    token = client_request_token(faces, base, JobSettings())
    assert token != client_request_token(persons, base, JobSettings())
    assert token != client_request_token(faces, upload("bucket", "dir/My Video+1.mp4", "v2", "etag"), JobSettings())
    assert token != client_request_token(faces, base, JobSettings(face_attributes="DEFAULT"))
    assert token != client_request_token(faces, base, JobSettings(), ("arn:topic:other", "arn:role"))
    # Options that do not apply to an analysis do not change its token.
    assert client_request_token(persons, base, JobSettings()) == client_request_token(
        persons, base, JobSettings(face_attributes="DEFAULT")
    )


def test_tag_carries_no_part_of_the_key():
    uploaded = upload("bucket", "secret-customer-name/holiday.mp4", None, "abc")
    tag = job_tag(REGISTRY["faces"], video_id(uploaded))
    assert "secret" not in tag and "holiday" not in tag


def test_foreign_tags_are_not_parsed():
    for tag in (None, "", "something", "rvp:faces", "xyz:faces:abc", "rvp::abc", "rvp:faces:a:b"):
        assert parse_job_tag(tag) is None
