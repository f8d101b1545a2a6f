"""Web UI benchmark: how fast the dashboard and a long meeting page render in Chromium.

    tests/.venv/bin/python bench/ui.py [--meetings 10000] [--segments 1000] [--repeat 5] [--binary PATH]

Starts `parley serve` on a temporary data directory, seeds the SQLite store directly
(10,000 meeting rows for one user, plus one meeting with a synthetic one-hour transcript
stored as its `summarize` stage result), then loads each page `--repeat` times in Debian's
Chromium (Playwright, headless) and prints the medians of the browser's own timings:

- TTFB (navigation responseStart), first contentful paint ("first render"),
  DOMContentLoaded end (deferred scripts have run: "interactive"), load end;
- page weight: HTML + JS + CSS bytes as transferred (no compression on the wire);
- server time for the page alone (Python requests, median of 20).

Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
import uuid
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "ui"))

from server import CHROMIUM, Server  # noqa: E402
from support import web_session  # noqa: E402

COLORS = ["#1D4ED8", "#B91C1C", "#047857", "#7E22CE", "#B45309", "#BE185D"]
WORDS = (
    "we should ship the release on friday and then review the budget with the team before the quarterly "
    "planning meeting because the customer asked about pricing latency search quality and the roadmap"
).split()


def seed_meetings(db: sqlite3.Connection, owner: str, count: int) -> None:
    """`count` synced meetings, one a minute, with speaker previews and summaries."""
    now = time.time()
    rows = []
    for index in range(count):
        speakers = [
            {
                "id": f"speaker_{n + 1}",
                "name": f"Speaker {n + 1}",
                "color": COLORS[n],
                "talking_time_percentage": round(100 / (n + 2), 1),
            }
            for n in range(random.randint(1, 4))
        ]
        created = now - (count - index) * 60
        rows.append(
            (
                f"bench-{index:06d}",
                owner,
                None,
                None,
                1,
                f"Weekly sync #{index}",
                created,
                created,
                created,
                uuid.uuid4().hex + uuid.uuid4().hex,
                10_000_000,
                "meeting.m4a",
                "audio/mp4",
                "synced",
                None,
                1.0,
                None,
                random.uniform(600, 5400),
                "aac",
                48000,
                1,
                f"audio/bench-{index:06d}/original",
                None,
                json.dumps(speakers),
                "Speaker 1 opened by saying: " + " ".join(random.choices(WORDS, k=40)),
            )
        )
    db.executemany(
        """
        INSERT INTO meeting (id, owner_id, client_id, workspace_id, is_personal, title, recorded_at, created_at,
            updated_at, sha256, size, original_name, content_type, status, stage, progress, failure_reason, duration,
            codec, sample_rate, channels, audio_path, playback_path, speakers_json, summary_preview)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        rows,
    )


def synthetic_meeting(segments: int, seconds: float = 3600.0) -> dict:
    """A ProcessedMeeting (ParleyCore's Transcript JSON keys) with `segments` segments."""
    speakers = 4
    length = seconds / segments
    items, turns = [], []
    for index in range(segments):
        start = index * length
        speaker = index % speakers
        count = random.randint(8, 20)
        words, step = [], (length - 0.4) / count
        for n in range(count):
            words.append(
                {
                    "start": round(start + n * step, 2),
                    "end": round(start + (n + 1) * step, 2),
                    "word": random.choice(WORDS),
                    "probability": 0.9,
                }
            )
        text = " ".join(word["word"] for word in words).capitalize() + "."
        words[-1]["word"] += "."
        words[0]["word"] = words[0]["word"].capitalize()
        items.append(
            {
                "start": round(start, 2),
                "end": round(start + length - 0.4, 2),
                "text": text,
                "speaker_id": f"Speaker {speaker + 1}",
                "confidence": 0.9,
                "words": words,
            }
        )
        turns.append(
            {"start": round(start, 2), "end": round(start + length - 0.4, 2), "speaker_id": f"speaker_{speaker + 1}"}
        )
    people = [
        {
            "id": f"speaker_{n + 1}",
            "display_name": f"Speaker {n + 1}",
            "custom_name": None,
            "total_duration": seconds / speakers,
            "segment_count": segments // speakers,
            "talking_time_percentage": 25.0,
            "speaker_color": COLORS[n],
            "word_count": 0,
            "words_per_minute": 150.0,
        }
        for n in range(speakers)
    ]
    insights = {
        "summary": [
            {"speaker_id": "Speaker 1", "text": items[i]["text"], "start": items[i]["start"], "end": items[i]["end"]}
            for i in range(0, segments, max(1, segments // 5))
        ],
        "key_topics": ["release", "budget", "roadmap"],
        "speakers": [
            {"speaker_id": f"speaker_{n + 1}", "key_topics": ["budget"], "sentiment": "neutral", "action_items": []}
            for n in range(speakers)
        ],
        "action_items": [
            {"owner": "speaker_2", "text": items[i]["text"], "start": items[i]["start"], "end": items[i]["end"]}
            for i in range(3, segments, max(1, segments // 8))
        ],
        "decisions": [],
        "questions": [],
        "source": "offline",
    }
    transcript = {
        "duration": seconds,
        "language": "en",
        "model": "synthetic",
        "segments": items,
        "speakers": people,
        "speaker_turns": turns,
    }
    return {"transcript": transcript, "insights": insights}


def seed_long_meeting(db: sqlite3.Connection, owner: str, segments: int) -> tuple[str, int]:
    meeting_id = "bench-long-meeting"
    processed = synthetic_meeting(segments)
    now = time.time() + 10  # newest, so it is also on the dashboard's first page
    speakers = [
        {"id": s["id"], "name": s["display_name"], "color": s["speaker_color"], "talking_time_percentage": 25.0}
        for s in processed["transcript"]["speakers"]
    ]
    db.execute(
        """
        INSERT INTO meeting (id, owner_id, is_personal, title, created_at, updated_at, sha256, size, status, progress,
            duration, audio_path, speakers_json, summary_preview)
        VALUES (?, ?, 1, 'One-hour planning meeting', ?, ?, ?, 100000000, 'synced', 1, 3600, 'audio/none', ?, ?)""",
        (meeting_id, owner, now, now, "f" * 64, json.dumps(speakers), "A long synthetic meeting."),
    )
    db.execute(
        "INSERT INTO stage_result (meeting_id, stage, result, seconds, created_at) VALUES (?, 'summarize', ?, 1, ?)",
        (meeting_id, json.dumps(processed), now),
    )
    # Search rows, as the index stage writes them (the FTS triggers fill segment_fts).
    db.executemany(
        """INSERT INTO segment (meeting_id, position, start, end, speaker_id, speaker_name, text, kind)
                      VALUES (?, ?, ?, ?, ?, ?, ?, 'transcript')""",
        [
            (meeting_id, i, s["start"], s["end"], "speaker_" + s["speaker_id"].split()[-1], s["speaker_id"], s["text"])
            for i, s in enumerate(processed["transcript"]["segments"])
        ],
    )
    words = sum(len(s["words"]) for s in processed["transcript"]["segments"])
    return meeting_id, words


def measure(page, url: str) -> dict:
    page.goto(url, wait_until="load")
    page.wait_for_timeout(150)
    return page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const paint = performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint');
        const resources = performance.getEntriesByType('resource')
            .filter(r => /\\.(js|css)(\\?|$)/.test(r.name));
        return {
            ttfb: nav.responseStart, fcp: paint ? paint.startTime : null,
            interactive: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
            html: nav.transferSize || nav.encodedBodySize, html_body: nav.decodedBodySize,
            assets: resources.reduce((sum, r) => sum + (r.transferSize || r.encodedBodySize || r.decodedBodySize), 0),
            asset_body: resources.reduce((sum, r) => sum + r.decodedBodySize, 0),
            words: document.querySelectorAll('.w').length, cards: document.querySelectorAll('.card').length,
            results: document.querySelectorAll('.result').length,
        };
    }""")


def median(runs: list[dict], key: str) -> float:
    values = [run[key] for run in runs if run[key] is not None]
    return statistics.median(values) if values else float("nan")


def timed(url: str, cookies: dict, count: int = 20) -> list[float]:
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        response = requests.get(url, cookies=cookies, timeout=60)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def report(name: str, runs: list[dict], server_ms: list[float], api: tuple[str, list[float]] | None) -> None:
    first = runs[0]
    print(f"\n{name}")
    print(f"  server answer (requests, median of {len(server_ms)}): {statistics.median(server_ms):7.1f} ms")
    if api:
        print(f"  same data as JSON ({api[0]}): {statistics.median(api[1]):7.1f} ms")
    print(f"  TTFB                     {median(runs, 'ttfb'):7.1f} ms")
    print(f"  first contentful paint   {median(runs, 'fcp'):7.1f} ms")
    print(f"  interactive (DCL end)    {median(runs, 'interactive'):7.1f} ms")
    print(f"  load end                 {median(runs, 'load'):7.1f} ms")
    weight = first["html_body"] + first["asset_body"]
    print(
        f"  page weight: HTML {first['html_body'] / 1024:.1f} KiB + JS/CSS {first['asset_body'] / 1024:.1f} KiB "
        f"= {weight / 1024:.1f} KiB (uncompressed)"
    )
    if first["cards"]:
        print(f"  cards rendered: {first['cards']}")
    if "/search" in name:
        print(f"  results rendered: {first['results']}")
    if first["words"]:
        print(f"  word spans: {first['words']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--segments", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--binary", help="parley binary (default .build/debug/parley, or $PARLEY_BINARY)")
    args = parser.parse_args()
    if args.binary:
        import server as server_module

        server_module.BINARY = Path(args.binary)
    random.seed(7)

    instance = Server().start()
    try:
        name, token = instance.add_user("bench")
        db = sqlite3.connect(instance.data_dir / "parley.sqlite", timeout=30)
        owner = db.execute("SELECT id FROM user WHERE name = ?", (name,)).fetchone()[0]
        started = time.perf_counter()
        seed_meetings(db, owner, args.meetings)
        long_id, words = seed_long_meeting(db, owner, args.segments)
        db.commit()
        db.close()
        print(f"binary: {__import__('server').BINARY}")
        print(
            f"seeded {args.meetings} meetings + one {args.segments}-segment, {words}-word, 1-hour transcript "
            f"in {time.perf_counter() - started:.1f} s"
        )

        session = web_session(instance.url, token)  # the cookie is a session id, not the token
        cookies = {"parley_session": session}
        pages = {
            f"dashboard, first page of {args.meetings} meetings (/)": "/",
            "dashboard, page 2 (keyset cursor)": None,
            f"meeting page, 1-hour transcript ({args.segments} segments)": f"/meetings/{long_id}",
            "search page (/search?q=budget)": "/search?q=budget",
        }
        first = requests.get(instance.url + "/", cookies=cookies, timeout=30).text
        older = first.split('id="older-link"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        pages["dashboard, page 2 (keyset cursor)"] = older

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "parley_session", "value": session, "url": instance.url}])
            page = context.new_page()
            apis = {
                "/": "/api/v1/meetings/summary?limit=50",
                f"/meetings/{long_id}": f"/api/v1/meetings/{long_id}",
                "/search?q=budget": "/api/v1/search?q=budget&limit=100",
            }
            for label, path in pages.items():
                server_ms = timed(instance.url + path, cookies)
                api = (apis[path], timed(instance.url + apis[path], cookies)) if path in apis else None
                measure(page, instance.url + path)  # warm the connection and the asset cache
                runs = []
                for _ in range(args.repeat):
                    # A cold asset cache each time: page weight counts the JS and CSS too.
                    context.clear_cookies()
                    context.add_cookies([{"name": "parley_session", "value": session, "url": instance.url}])
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.clearBrowserCache")
                    cdp.detach()
                    runs.append(measure(page, instance.url + path))
                report(label, runs, server_ms, api)
            browser.close()
    finally:
        instance.stop()
        instance.remove()


if __name__ == "__main__":
    main()
