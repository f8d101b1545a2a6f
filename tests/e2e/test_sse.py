"""Live progress over Server-Sent Events: a meeting's events reach its owner until it is
synced, and nobody else's stream."""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time


class EventStream:
    """Reads `event:`/`data:` blocks from GET /api/v1/events on a thread. http.client, so
    that close() can shut the socket: closing a streamed requests response waits for the
    read timeout."""

    def __init__(self, server, api):
        self.events: "queue.Queue[tuple[str, dict]]" = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        self.connection.request("GET", "/api/v1/events", headers=api.auth)
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")
        assert self.response.getheader("Cache-Control") == "no-store"
        assert self.response.readline() == b": connected\n"  # subscribed from here on
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        name, data = None, []
        try:
            while line := self.response.readline():
                line = line.decode().rstrip("\n")
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    data.append(line.split(":", 1)[1].strip())
                elif line == "" and data:
                    self.events.put((name, json.loads("\n".join(data))))
                    name, data = None, []
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed by close()

    def drain(self) -> list[tuple[str, dict]]:
        items = []
        while not self.events.empty():
            items.append(self.events.get_nowait())
        return items

    def close(self):
        try:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()
        self.thread.join(10)


def test_events_follow_a_meeting_until_synced(server, user, other_user, make_wav):
    mine = EventStream(server, user)
    theirs = EventStream(server, other_user)
    try:
        data = make_wav(11).read_bytes()
        meeting = user.upload(data, title="Live")
        seen: list[dict] = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                name, event = mine.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            assert name == "meeting"
            if event["meeting_id"] != meeting["id"]:
                continue
            seen.append(event)
            if event["status"] in ("synced", "failed"):
                break
        assert seen, f"no events for the meeting; server log:\n{server.log_tail()}"
        assert seen[-1]["status"] == "synced", seen[-1]
        statuses = [event["status"] for event in seen]
        assert "processing" in statuses
        stages = [event.get("stage") for event in seen if event["status"] == "processing"]
        assert {"transcribe", "diarize"} <= set(stages), stages
        for event in seen:
            assert event["owner_id"] == meeting["owner_id"] and event["is_personal"] is True
            assert 0 <= event["progress"] <= 1
        # The other user heard nothing of it.
        assert [event for _, event in theirs.drain() if event["meeting_id"] == meeting["id"]] == []
    finally:
        mine.close()
        theirs.close()
