"""Keyphrases with YAKE (unsupervised, statistical, no model; its stopword lists ship in
the wheel). YAKE's English stopwords are extended with spoken fillers and words that are
too generic in meetings, so "yeah", "mm-hmm" or "things" never come out as topics."""

import functools
import re
from collections import Counter

import yake

from .words import FILLERS, GENERIC, STOP_WORDS, WEAK, stem, words

MAX_NGRAM = 3
CANDIDATES = 60  # meeting-level candidates: filtering and merging drop some, and
# speaker topics are chosen among them
_SPELLED = re.compile(r"\b(?:[A-Za-z]_){2,}")  # AMI-style spelled acronyms: "L_C_D_"


def _unspell(text: str) -> str:
    return _SPELLED.sub(lambda m: m.group().replace("_", ""), text)


@functools.lru_cache(maxsize=1)
def _stopwords() -> frozenset:
    return frozenset(yake.KeywordExtractor(lan="en").stopword_set) | FILLERS | GENERIC


# Stop words allowed inside a phrase ("terms of service", "research and development");
# others mark a verb phrase ("send the report", "sarah will update", "launch to march").
INNER_STOP_WORDS = frozenset({"of", "and", "for"})


def _ok(phrase_words: list[str]) -> bool:
    if not phrase_words or any(w in FILLERS for w in phrase_words):
        return False
    if len(phrase_words) == 1 and (
        phrase_words[0] in WEAK or re.search(r"[^e]ed$", phrase_words[0])
    ):  # "decided", "finished": a verb, not a topic
        return False
    edges = (phrase_words[0], phrase_words[-1])
    if any(
        w in STOP_WORDS or w in GENERIC or len(w) < 2 or w.isdigit() or w.endswith("ly") for w in edges
    ):  # "necessarily understand"
        return False
    return not any(w in STOP_WORDS and w not in INNER_STOP_WORDS for w in phrase_words)


def candidates(text: str, limit: int = CANDIDATES) -> list[str]:
    """Lower-case keyphrases of `text`, best first, deduplicated on plural-stripped word
    sets: a phrase inside a better one is dropped; a phrase that contains a better one
    is dropped too ("product launch plan" after "product launch"), except that it
    replaces a single better word ("mobile" -> "mobile phone")."""
    text = _unspell(text)
    if limit <= 0 or not any(c.isalpha() for c in text):
        return []
    extractor = yake.KeywordExtractor(lan="en", n=MAX_NGRAM, top=limit, dedup_lim=0.9, stopwords=set(_stopwords()))
    kept: list[tuple[str, frozenset]] = []
    for phrase, _score in extractor.extract_keywords(text):
        ws = words(phrase)
        if not _ok(ws):
            continue
        phrase, stems = " ".join(ws), frozenset(stem(w) for w in ws)
        if any(stems <= s or s < stems and len(s) > 1 for _, s in kept):
            continue
        wider = [i for i, (_, s) in enumerate(kept) if s < stems]
        if wider:  # a better-ranked single word is part of this phrase: show the phrase
            kept[wider[0]] = (phrase, stems)
            kept = [k for i, k in enumerate(kept) if i not in wider[1:]]
        else:
            kept.append((phrase, stems))
    return [p for p, _ in kept]


def keyphrases(text: str, top: int) -> list[str]:
    """The `top` best keyphrases of `text` (see `candidates`)."""
    return candidates(text)[:top] if top > 0 else []


def _ngram_counts(text: str) -> Counter:
    stems = [stem(w) for w in words(_unspell(text))]
    return Counter(tuple(stems[i : i + n]) for n in range(1, MAX_NGRAM + 1) for i in range(len(stems) - n + 1))


def per_speaker(phrases: list[str], texts: dict, top: int) -> dict:
    """For each speaker (key of `texts`), up to `top` of the meeting's `phrases` that the
    speaker said, ranked by how much they own the phrase: (their uses) x (their share
    of all uses); ties keep the meeting order. One yake pass serves the whole meeting,
    and speaker topics stay consistent with the meeting topics."""
    keys = [tuple(stem(w) for w in words(p)) for p in phrases]
    counts = {spk: _ngram_counts(t) for spk, t in texts.items()}
    totals = [sum(c[k] for c in counts.values()) for k in keys]
    out = {}
    for spk, c in counts.items():
        ranked = sorted((-c[k] * c[k] / totals[i], i) for i, k in enumerate(keys) if c[k])
        out[spk] = [phrases[i] for _, i in ranked[:top]]
    return out
