"""Per-token rate limiting: a burst past the budget is 429 with Retry-After; other tokens and
the unauthenticated probes keep their own budgets."""

from __future__ import annotations

import pytest
import requests

from support import ParleyServer


@pytest.fixture(scope="module")
def limited():
    instance = ParleyServer(env={"PARLEY_RATE_LIMIT": "5"}).start()
    yield instance
    instance.stop()
    instance.remove()


def test_burst_is_429_with_retry_after(limited):
    greedy, patient = limited.add_user(), limited.add_user()
    # 5 per second with a burst of 20: 60 back-to-back requests cannot all pass.
    responses = [greedy.get("/api/v1/meetings/summary") for _ in range(60)]
    statuses = [response.status_code for response in responses]
    assert set(statuses) == {200, 429}, statuses
    assert statuses[:15] == [200] * 15  # the burst is honoured
    limited_response = next(response for response in responses if response.status_code == 429)
    assert int(limited_response.headers["Retry-After"]) >= 1
    assert limited_response.json()["error"]["code"] == "rate_limited"
    # Another token has its own bucket.
    assert patient.get("/api/v1/meetings/summary").status_code == 200
    # The limit applies to uploads too, before any byte is taken.
    upload = greedy.post("/api/v1/meetings", data=b"RIFF limited")
    assert upload.status_code == 429


def test_unauthenticated_requests_are_limited_per_address(limited):
    statuses = [requests.get(limited.url + "/health", timeout=10).status_code for _ in range(60)]
    assert 429 in statuses and statuses[0] == 200
