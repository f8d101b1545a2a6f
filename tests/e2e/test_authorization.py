"""Who sees what: personal meetings are their owner's alone, workspace meetings are seen by
the workspace's members, and someone else's meeting is 404 (never 403) everywhere."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from support import TUS, sha256, tus_metadata, wait_for


@pytest.fixture
def team(server):
    """alice owns a personal and a workspace meeting; carol is in the workspace, bob is not."""
    workspace = f"team-{uuid.uuid4().hex[:8]}"
    alice, bob, carol = server.add_user(), server.add_user(), server.add_user()
    server.join(alice, workspace)
    server.join(carol, workspace)
    personal_bytes = b"RIFF personal " + uuid.uuid4().bytes * 100
    shared_bytes = b"RIFF shared " + uuid.uuid4().bytes * 100
    personal = alice.upload(personal_bytes, client_id="alice-personal", title="Alice alone")
    shared = alice.upload(
        shared_bytes, client_id="alice-shared", title="Team sync", scope="workspace", workspace=workspace
    )
    alice.cancel(personal["id"])
    alice.cancel(shared["id"])
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "workspace": workspace,
        "personal": personal,
        "shared": shared,
        "personal_bytes": personal_bytes,
    }


def ids(api, path, **params):
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def by_id_requests(meeting_id):
    base = f"/api/v1/meetings/{meeting_id}"
    return [
        ("GET", base, {}),
        ("GET", f"{base}/status", {}),
        ("GET", f"{base}/audio/metadata", {}),
        ("GET", f"{base}/audio/stream", {}),
        ("GET", f"{base}/audio/stream", {"params": {"variant": "original"}}),
        ("HEAD", f"{base}/audio/stream", {}),
        ("GET", f"{base}/audio/stream", {"headers": {"Range": "bytes=0-9"}}),
        ("POST", f"{base}/process-async", {}),
        ("POST", f"{base}/process-async", {"json": {"from_stage": "normalize"}}),
        ("POST", f"{base}/cancel", {}),
        ("DELETE", base, {}),
    ]


def settled_status(api, meeting_id):
    """The status once it has stopped changing (the cancel in `team` may still be landing)."""
    previous = [api.status(meeting_id)]

    def stable():
        time.sleep(0.2)
        current = api.status(meeting_id)
        same = current == previous[0]
        previous[0] = current
        return current if same else None

    return wait_for(stable, 10, interval=0, what="the meeting's status to settle")


def assert_invisible(api, meeting_id):
    for method, path, kwargs in by_id_requests(meeting_id):
        response = api.request(method, path, **kwargs)
        assert response.status_code == 404, f"{method} {path} {kwargs}: {response.status_code}"
        if method != "HEAD":
            assert response.json()["error"]["code"] == "not_found"
            assert meeting_id not in response.text


def test_another_user_sees_none_of_my_personal_meetings(team):
    alice, bob, personal = team["alice"], team["bob"], team["personal"]
    assert personal["id"] in ids(alice, "/api/v1/meetings/summary")
    before = settled_status(alice, personal["id"])
    for scope in ("all", "personal", "workspace"):
        assert ids(bob, "/api/v1/meetings/summary", scope=scope) == set()
    assert ids(bob, "/api/v1/meetings/synced") == set()
    assert_invisible(bob, personal["id"])
    # The duplicate check answers for the caller's own meetings only.
    for checked in (personal["id"], "alice-personal"):
        assert bob.get(f"/api/v1/meetings/check/{checked}").json() == {"exists": False}
    assert bob.get("/api/v1/meetings/check/x", params={"sha256": sha256(team["personal_bytes"])}).json() == {
        "exists": False
    }
    # tus: her meeting's upload URL means nothing to him.
    assert bob.request("HEAD", f"/api/v1/uploads/{personal['id']}", headers=TUS).status_code == 404
    # And none of it was changed by his attempts.
    assert alice.status(personal["id"]) == before
    assert alice.original(personal["id"]) == team["personal_bytes"]


def test_the_same_bytes_uploaded_by_another_user_are_his_own(team):
    bob = team["bob"]
    response = bob.post("/api/v1/meetings", data=team["personal_bytes"], params={"client_id": "alice-personal"})
    assert response.status_code == 201
    mine = response.json()["meeting"]
    bob.cancel(mine["id"])
    assert mine["id"] != team["personal"]["id"]
    assert ids(bob, "/api/v1/meetings/summary") == {mine["id"]}


def test_workspace_meetings_are_visible_to_members_only(team):
    alice, bob, carol, shared, personal = team["alice"], team["bob"], team["carol"], team["shared"], team["personal"]
    assert shared["is_personal"] is False and shared["workspace_id"]
    assert ids(carol, "/api/v1/meetings/summary") == {shared["id"]}
    assert ids(carol, "/api/v1/meetings/summary", scope="workspace") == {shared["id"]}
    assert ids(carol, "/api/v1/meetings/summary", scope="personal") == set()
    assert ids(alice, "/api/v1/meetings/summary", scope="workspace") == {shared["id"]}
    assert ids(alice, "/api/v1/meetings/summary", scope="personal") == {personal["id"]}
    for path in ("", "/status", "/audio/metadata", "/audio/stream"):
        assert carol.get(f"/api/v1/meetings/{shared['id']}{path}").status_code == 200, path
    # Members read; only the owner deletes, cancels or re-runs.
    for method, suffix in (("DELETE", ""), ("POST", "/cancel"), ("POST", "/process-async")):
        assert carol.request(method, f"/api/v1/meetings/{shared['id']}{suffix}").status_code == 404
    assert alice.get(f"/api/v1/meetings/{shared['id']}").status_code == 200
    # carol's personal view and her reconciliation list hold only her own meetings.
    assert ids(carol, "/api/v1/meetings/synced") == set()
    assert_invisible(carol, personal["id"])
    assert_invisible(bob, shared["id"])
    assert ids(bob, "/api/v1/meetings/summary", scope="workspace") == set()


def test_uploading_into_a_workspace_needs_membership(team):
    bob = team["bob"]
    response = bob.post(
        "/api/v1/meetings", data=b"RIFF bob", params={"scope": "workspace", "workspace": team["workspace"]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_workspace"
    creation = bob.post(
        "/api/v1/uploads",
        headers={
            **TUS,
            "Upload-Length": "8",
            "Upload-Metadata": tus_metadata(sha256=sha256(b"RIFF bob"), scope="workspace", workspace=team["workspace"]),
        },
    )
    assert creation.status_code == 400
    assert bob.meetings() == []


def test_owner_can_delete(team):
    alice, personal = team["alice"], team["personal"]
    assert alice.request("DELETE", f"/api/v1/meetings/{personal['id']}").status_code == 204
    assert alice.get(f"/api/v1/meetings/{personal['id']}").status_code == 404
    assert personal["id"] not in ids(alice, "/api/v1/meetings/summary")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer prl_not-a-real-token",
        "Basic YWxpY2U6c2VjcmV0",
        "prl_token-without-scheme",
        "Bearer " + "x" * 600,
        "Token prl_x",
    ],
)
def test_invalid_tokens_are_401(server, team, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    meeting_id = team["personal"]["id"]
    for method, path in (
        ("GET", "/api/v1/meetings/summary"),
        ("GET", f"/api/v1/meetings/{meeting_id}"),
        ("GET", f"/api/v1/meetings/{meeting_id}/audio/stream"),
        ("GET", "/api/v1/meetings/synced"),
        ("POST", "/api/v1/meetings"),
        ("DELETE", f"/api/v1/meetings/{meeting_id}"),
        ("GET", "/api/v1/events"),
    ):
        response = requests.request(method, server.url + path, headers=headers, timeout=10)
        assert response.status_code == 401, f"{method} {path}"
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "unauthorized"
    tus = requests.post(server.url + "/api/v1/uploads", headers={**headers, **TUS, "Upload-Length": "1"}, timeout=10)
    assert tus.status_code == 401
    assert team["alice"].get(f"/api/v1/meetings/{meeting_id}").status_code == 200


def test_a_token_of_another_server_is_rejected(server, tmp_path):
    from support import ParleyServer

    elsewhere = ParleyServer(tmp_path / "elsewhere")
    token = elsewhere.cli("user", "add", "stranger")
    response = requests.get(
        server.url + "/api/v1/meetings/summary", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 401
