"""`summarize(segments)`: the whole meeting-intelligence pass (the engine's `summarize`).

Input segments: dicts with `start`, `end` (seconds), `text` and optional `speaker_id`
(string or null; other keys such as `words` are ignored). Output: see PROTOCOL.md.
"""

import math

from . import commitments, questions, sentiment, summary, topics
from .sentences import Sentence, split_segments
from .words import content_words, words

MEETING_TOPICS = 8
SPEAKER_TOPICS = 5
# yake is pure Python and linear in words (~0.5 s for the ~9,000 words of a one-hour
# meeting): past this many words, it reads an evenly spaced subset of the sentences.
MAX_TOPIC_WORDS = 15_000


def check_segments(segments) -> str | None:
    """Why `segments` is unusable (a one-line message), or None if it is fine."""
    if not isinstance(segments, list):
        return "`segments` must be a list"
    for i, seg in enumerate(segments):
        if not isinstance(seg, dict):
            return f"segments[{i}] is not an object"
        if not isinstance(seg.get("text"), str):
            return f"segments[{i}].text is missing or not a string"
        for key in ("start", "end"):
            v = seg.get(key)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                return f"segments[{i}].{key} is missing or not a finite number"
        if seg["end"] < seg["start"]:
            return f"segments[{i}] ends before it starts"
        speaker = seg.get("speaker_id")
        if speaker is not None and not isinstance(speaker, str):
            return f"segments[{i}].speaker_id must be a string or null"
    return None


def _joined(sentences: list[Sentence]) -> str:
    """One text for yake; every sentence closed so phrases never span two of them."""
    return "\n".join(s.text if s.text[-1] in ".!?" else s.text + "." for s in sentences)


def _topic_text(sentences: list[Sentence]) -> str:
    """The meeting's text for yake, without backchannels ("Mm-hmm.", "Yeah, right."),
    thinned evenly if it is longer than MAX_TOPIC_WORDS."""
    useful = [s for s in sentences if content_words(s.text)]
    n_words = sum(len(words(s.text)) for s in useful)
    if n_words > MAX_TOPIC_WORDS:
        step = n_words / MAX_TOPIC_WORDS
        useful = [useful[int(i * step)] for i in range(int(len(useful) / step))]
    return _joined(useful)


def summarize(segments: list[dict], *, max_sentences: int = 5, progress=None) -> dict:
    report = progress or (lambda fraction: None)
    report(0.0)
    sentences = split_segments(segments)
    report(0.1)

    picked = summary.textrank([s.text for s in sentences], summary.summary_size(len(sentences), max_sentences))
    report(0.4)

    phrases = topics.candidates(_topic_text(sentences))
    key_topics = phrases[:MEETING_TOPICS]
    report(0.6)

    items = commitments.action_items(sentences)
    decisions = commitments.decisions(sentences)
    open_questions = questions.open_questions(sentences)
    report(0.7)

    speakers = []
    order = list(dict.fromkeys(seg.get("speaker_id") for seg in sorted(segments, key=lambda s: s["start"])))
    own = {speaker: [s for s in sentences if s.speaker_id == speaker] for speaker in order}
    speaker_topics = topics.per_speaker(
        phrases, {spk: _joined(ss) if ss else "" for spk, ss in own.items()}, SPEAKER_TOPICS
    )
    for n, speaker in enumerate(order):
        score = sentiment.speaker_score([s.text for s in own[speaker]])
        speakers.append(
            {
                "speaker_id": speaker,
                "key_topics": speaker_topics[speaker],
                "sentiment": sentiment.label(score),
                "sentiment_score": round(score, 3),
                "action_items": [
                    {"text": a["text"], "start": a["start"], "end": a["end"]}
                    for a in items
                    if a["owner"] == speaker or a["assignee"] == speaker
                ],
            }
        )
        report(0.7 + 0.3 * (n + 1) / len(order))

    report(1.0)
    return {
        "summary": [sentences[i].as_dict() for i in picked],
        "key_topics": key_topics,
        "speakers": speakers,
        "action_items": items,
        "decisions": decisions,
        "questions": [q.as_dict() for q in open_questions],
    }
