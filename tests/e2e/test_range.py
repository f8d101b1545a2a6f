"""Audio streaming: byte-exact Range answers against the stored files, 416, If-Range, HEAD."""

from __future__ import annotations

import pytest

from support import sha256


def stream(owner, meeting_id, range_header=None, variant="original", method="GET", **headers):
    if range_header is not None:
        headers["Range"] = range_header
    params = {"variant": variant} if variant else {}
    return owner.request(method, f"/api/v1/meetings/{meeting_id}/audio/stream", params=params, headers=headers)


@pytest.fixture(scope="module")
def original(processed):
    owner, meeting_id, data = processed
    full = stream(owner, meeting_id)
    assert full.status_code == 200
    assert full.content == data, "the stored original differs from the uploaded bytes"
    return owner, meeting_id, data


def expected_slice(spec: str, size: int) -> tuple[int, int]:
    first, last = spec.removeprefix("bytes=").split("-")
    if first == "":
        return max(0, size - int(last)), size - 1
    return int(first), min(int(last), size - 1) if last else size - 1


RANGES = [
    "bytes=0-0",
    "bytes=0-99",
    "bytes=100-",
    "bytes=-500",
    "bytes=1000-1999",
    "bytes=12345-12345",
    "bytes=-1",
    "bytes=0-",
    "LAST",
    "PAST_END",
    "SUFFIX_TOO_LONG",
]


@pytest.mark.parametrize("spec", RANGES)
def test_partial_content_is_byte_exact(original, spec):
    owner, meeting_id, data = original
    size = len(data)
    spec = {
        "LAST": f"bytes={size - 1}-",
        "PAST_END": f"bytes={size - 10}-{size + 5000}",
        "SUFFIX_TOO_LONG": f"bytes=-{size + 100}",
    }.get(spec, spec)
    first, last = expected_slice(spec, size)
    response = stream(owner, meeting_id, spec)
    assert response.status_code == 206, spec
    assert response.headers["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert int(response.headers["Content-Length"]) == last - first + 1
    assert response.content == data[first : last + 1]
    assert response.headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("spec", ["START_AT_SIZE", "START_PAST_SIZE", "bytes=-0", "CLOSED_PAST_SIZE"])
def test_unsatisfiable_range_is_416(original, spec):
    owner, meeting_id, data = original
    size = len(data)
    spec = {
        "START_AT_SIZE": f"bytes={size}-",
        "START_PAST_SIZE": f"bytes={size + 1000}-",
        "CLOSED_PAST_SIZE": f"bytes={size}-{size + 10}",
    }.get(spec, spec)
    response = stream(owner, meeting_id, spec)
    assert response.status_code == 416, spec
    assert response.headers["Content-Range"] == f"bytes */{size}"
    assert response.json()["error"]["code"] == "range_not_satisfiable"
    head = stream(owner, meeting_id, spec, method="HEAD")
    assert head.status_code == 416 and head.headers["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize(
    "spec", ["bytes=abc", "items=0-10", "bytes=50-10", "bytes=0-1,5-6", "bytes=", "bytes=--5", "bytes=1-2-3", "x" * 300]
)
def test_malformed_range_gets_the_whole_file(original, spec):
    owner, meeting_id, data = original
    response = stream(owner, meeting_id, spec)
    assert response.status_code == 200, spec
    assert response.content == data
    assert "Content-Range" not in response.headers


def test_if_range(original):
    owner, meeting_id, data = original
    etag = stream(owner, meeting_id, method="HEAD").headers["ETag"]
    assert etag == f'"{sha256(data)}"'
    matching = stream(owner, meeting_id, "bytes=10-19", **{"If-Range": etag})
    assert matching.status_code == 206 and matching.content == data[10:20]
    for stale in ('"0000"', f"W/{etag}", "Wed, 21 Oct 2015 07:28:00 GMT"):
        response = stream(owner, meeting_id, "bytes=10-19", **{"If-Range": stale})
        assert response.status_code == 200, stale
        assert response.content == data


def test_head_has_headers_and_no_body(original):
    owner, meeting_id, data = original
    response = stream(owner, meeting_id, method="HEAD")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(data)
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Type"] == "audio/wav"
    assert response.content == b""
    partial = stream(owner, meeting_id, "bytes=5-9", method="HEAD")
    assert partial.status_code == 206
    assert partial.headers["Content-Range"] == f"bytes 5-9/{len(data)}"
    assert partial.headers["Content-Length"] == "5"
    assert partial.content == b""


def test_playback_copy_ranges_are_byte_exact(original):
    owner, meeting_id, data = original
    metadata = owner.get(f"/api/v1/meetings/{meeting_id}/audio/metadata").json()
    assert metadata["playback_available"] is True
    full = stream(owner, meeting_id, variant=None)
    assert full.status_code == 200
    assert full.headers["Content-Type"] == "audio/mpeg"
    assert full.headers["ETag"].startswith('"pb-')
    playback = full.content
    assert playback and playback != data
    size = len(playback)
    for spec in ("bytes=0-1023", "bytes=-777", f"bytes={size // 2}-"):
        first, last = expected_slice(spec, size)
        response = stream(owner, meeting_id, spec, variant=None)
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes {first}-{last}/{size}"
        assert response.content == playback[first : last + 1]
    # The playback ETag does not validate a range of the original, and vice versa.
    crossed = stream(owner, meeting_id, "bytes=0-9", **{"If-Range": full.headers["ETag"]})
    assert crossed.status_code == 200 and crossed.content == data


def test_metadata_describes_the_stored_original(original):
    owner, meeting_id, data = original
    metadata = owner.get(f"/api/v1/meetings/{meeting_id}/audio/metadata").json()
    assert metadata["size"] == len(data)
    assert metadata["sha256"] == sha256(data)
    assert metadata["content_type"] == "audio/wav"
    assert metadata["sample_rate"] == 16000 and metadata["channels"] == 1
    assert metadata["duration"] == pytest.approx(11, abs=0.5)
