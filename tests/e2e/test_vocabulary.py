"""Vocabularies through the API: a user's own list and a workspace's (members read, admins
write), normalised as stored, and every bad list refused without changing the stored one."""

from __future__ import annotations

import re
import sqlite3

import pytest

from support import NAMES_TERMS as TERMS, Api, names_meeting


def workspace_id(server, name: str) -> str:
    with sqlite3.connect(server.data_dir / "parley.sqlite") as database:
        return database.execute("SELECT id FROM workspace WHERE name = ?", (name,)).fetchone()[0]


def test_own_vocabulary_is_normalised_and_private(user: Api, other_user: Api):
    assert user.get("/api/v1/vocabulary").json() == {"terms": []}
    saved = user.request(
        "PUT", "/api/v1/vocabulary", json={"terms": ["  Zorvane ", "Quilla   tek", "", "zorvane", "ACME-7"]}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["terms"] == ["Zorvane", "Quilla tek", "ACME-7"]
    assert user.get("/api/v1/vocabulary").json()["terms"] == ["Zorvane", "Quilla tek", "ACME-7"]
    assert other_user.get("/api/v1/vocabulary").json() == {"terms": []}


@pytest.mark.parametrize(
    "body",
    [
        {"terms": ["x" * 61]},
        {"terms": ["two\nlines"]},
        {"terms": [f"term{i}" for i in range(101)]},
        {"terms": "Zorvane"},
        {"terms": [7]},
        {},
        [],
    ],
)
def test_bad_vocabularies_change_nothing(user: Api, body):
    user.request("PUT", "/api/v1/vocabulary", json={"terms": ["Keep"]})
    refused = user.request("PUT", "/api/v1/vocabulary", json=body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] in ("bad_vocabulary", "bad_request")
    assert user.get("/api/v1/vocabulary").json()["terms"] == ["Keep"]


def test_workspace_vocabulary_members_read_admins_write(server, user: Api, other_user: Api):
    outsider = server.add_user()
    server.cli("user", "join", user.name, "--workspace", "vocab-team", "--admin")
    server.join(other_user, "vocab-team")
    wid = workspace_id(server, "vocab-team")
    path = f"/api/v1/workspaces/{wid}/vocabulary"
    assert user.request("PUT", path, json={"terms": ["Brannigast"]}).status_code == 200
    assert other_user.get(path).json()["terms"] == ["Brannigast"]
    refused = other_user.request("PUT", path, json={"terms": ["Mine"]})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_admin"
    assert outsider.get(path).status_code == 404
    assert outsider.request("PUT", path, json={"terms": ["x"]}).status_code == 404
    assert user.get("/api/v1/workspaces/no-such-workspace/vocabulary").status_code == 404
    assert user.get(path).json()["terms"] == ["Brannigast"]


def spelled_right(transcript: dict) -> set[str]:
    words = set(re.sub(r"[^a-z]+", " ", " ".join(s["text"] for s in transcript["segments"]).lower()).split())
    return {term for term in TERMS if term.lower() in words}


def test_the_vocabulary_reaches_the_model(server, user: Api, other_user: Api, tmp_path):
    """A meeting that says four made-up names: its owner's vocabulary gets them spelled
    right; the same recording from a user without one does not (tiny.en hears "Norman",
    "Quill Attack"...). The transcript says which profile ran."""
    wav = names_meeting(tmp_path / "names.wav")
    assert user.request("PUT", "/api/v1/vocabulary", json={"terms": TERMS}).status_code == 200
    taught = user.upload(wav.read_bytes(), title="names")
    plain = other_user.upload(wav.read_bytes(), title="names")
    for api, meeting in ((user, taught), (other_user, plain)):
        assert api.wait_status(meeting["id"], timeout=300)["status"] == "synced"
    with_vocabulary = user.get(f"/api/v1/meetings/{taught['id']}").json()["transcript"]
    without = other_user.get(f"/api/v1/meetings/{plain['id']}").json()["transcript"]
    assert len(spelled_right(with_vocabulary)) >= 3, with_vocabulary["segments"]
    assert len(spelled_right(without)) <= 1, without["segments"]
    assert with_vocabulary["profile"] == "balanced"
