"""Split transcript segments into sentences that keep their speaker and an estimated time.

Rules:
- A sentence ends at `.`, `!` or `?` (runs such as `?!` or `...` count as one, closing
  quotes/brackets stay with it) followed by white space or the end of the text.
- A `.` is not an end after a title-like abbreviation ("Mr.", "Dr.", "e.g.", "approx.")
  or a single initial ("J. Smith"), nor when the next word starts with a lower-case
  letter ("... and then", "10 a.m. tomorrow").
- Times are proportional to character offsets inside the segment: a sentence covering
  characters 40-80 of a 100-character segment from 10 s to 20 s gets 14.0-18.0 s.
- Whisper often cuts one sentence over two segments ("And so my fellow" | "Americans,
  ask not..."). A segment's last sentence without end punctuation is joined with the next
  segment's first one when the speaker is the same, the gap is short and the result stays
  reasonably short (unpunctuated ASR output still splits at segment boundaries).
- A *turn* is a maximal run of consecutive segments by one speaker; sentences carry their
  turn index so "the next two turns" can be looked up (open questions, request replies).
"""

import re
from dataclasses import dataclass

MAX_JOIN_GAP = 1.5  # seconds of silence across which an unfinished sentence continues
MAX_JOIN_CHARS = 400  # never grow a sentence past this by joining segments

# Abbreviations after which a '.' never ends a sentence (a name or number follows), unless
# the text ends there. Others ("etc.", "a.m.", "Inc.") end one when a capital follows.
NEVER_END = frozenset(
    """
    mr mrs ms dr prof sr jr st mt vs approx dept no nos vol fig cf e.g i.e jan feb mar apr
    jun jul aug sep sept oct nov dec
""".split()
)

_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")
_CLOSED = re.compile(r"[.!?][\"'”’)\]]*$")


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str
    speaker_id: str | None
    start: float
    end: float
    turn: int

    @property
    def is_question(self) -> bool:
        return self.text.rstrip("\"'”’)] ").endswith("?")

    def as_dict(self, speaker_key: str = "speaker_id") -> dict:
        return {
            speaker_key: self.speaker_id,
            "text": self.text,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
        }


def split_text(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences in `text`, white space trimmed."""
    spans, begin = [], 0
    for m in _END.finditer(text):
        if not _is_boundary(text, m):
            continue
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b and any(c.isalnum() for c in text[a:b]):
            out.append((a, b))
    return out


def _is_boundary(text: str, m: re.Match) -> bool:
    punct = m.group().rstrip("\"'”’)]")
    if "?" in punct or "!" in punct:
        return True
    rest = text[m.end() :].lstrip()
    if rest[:1].islower():  # "... and then", "e.g. the", "approx. ten"
        return False
    if len(punct) == 1:  # a single '.': abbreviation or initial?
        before = text[: m.start()].rsplit(None, 1)
        token = (before[-1] if before else "").lstrip("(\"'“‘")
        if token.lower() in NEVER_END:
            return rest == ""
        if len(token) == 1 and token.isalpha() and token != "I":  # "J. Smith"
            return rest == ""
    return True


def split_segments(segments: list[dict]) -> list[Sentence]:
    """Sentences of `segments` (dicts with start, end, text, optional speaker_id), in time
    order. Segments are stably sorted by start first."""
    pieces = []  # [text, speaker, start, end, turn, last_in_segment, first_in_segment]
    turn, prev_speaker = -1, object()
    for seg in sorted(segments, key=lambda s: s["start"]):
        speaker = seg.get("speaker_id")
        if speaker != prev_speaker:
            turn, prev_speaker = turn + 1, speaker
        text = seg["text"].strip()
        spans = split_text(text)
        t0, t1 = float(seg["start"]), float(seg["end"])
        scale = (t1 - t0) / max(1, len(text))
        for i, (a, b) in enumerate(spans):
            pieces.append([text[a:b], speaker, t0 + a * scale, t0 + b * scale, turn, i == len(spans) - 1, i == 0])

    merged: list[list] = []
    for p in pieces:
        last = merged[-1] if merged else None
        if (
            last is not None
            and p[6]
            and last[5]
            and last[1] == p[1]
            and last[4] == p[4]
            and not _CLOSED.search(last[0])
            and p[2] - last[3] <= MAX_JOIN_GAP
            and len(last[0]) + len(p[0]) < MAX_JOIN_CHARS
        ):
            last[0] = f"{last[0]} {p[0]}"
            last[3], last[5] = p[3], p[5]
        else:
            merged.append(p)
    return [Sentence(i, p[0], p[1], p[2], p[3], p[4]) for i, p in enumerate(merged)]
