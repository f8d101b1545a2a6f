"""Quality profiles and the vocabulary: what `transcribe` tells faster-whisper.

Profiles bundle decoding settings so most users choose a trade-off, not knobs; an explicit
`beam_size` / `temperature` in the request still wins. `auto` (pick by queue length) is
the server's decision: the engine only ever sees a concrete profile.
"""

from .errors import BadRequest

TEMPERATURES = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]  # Whisper's fallback on failed decodes

PROFILES = {
    # large-v2-class settings from the seed: wider beam, full fallback
    "accurate": {"beam_size": 8, "temperature": TEMPERATURES, "batched": False},
    # what the engine always did before profiles existed
    "balanced": {"beam_size": 5, "temperature": TEMPERATURES, "batched": False},
    # greedy, and the VAD chunks decoded in batches (BatchedInferencePipeline) where possible
    "fast": {"beam_size": 1, "temperature": TEMPERATURES, "batched": True},
}
DEFAULT = "balanced"
BATCH_SIZE = 8  # chunks of <= 30 s decoded at once; more only adds memory on CPU

MAX_TERMS = 100  # vocabulary entries per request
MAX_TERM_CHARS = 64
# Whisper's prompt is at most half its 448-token text context (n_text_ctx // 2 - 1, what
# faster-whisper cuts hotwords and previous text to); the vocabulary and the caller's
# initial_prompt share it.
MAX_PROMPT_TOKENS = 223


def settings(profile: str | None, beam_size=None, temperature=None) -> dict:
    name = profile or DEFAULT
    if name not in PROFILES:
        raise BadRequest(f"unknown profile {name!r}; use one of: {', '.join(PROFILES)}")
    out = dict(PROFILES[name], profile=name)
    if beam_size is not None:
        out["beam_size"] = beam_size
    if temperature is not None:
        out["temperature"] = temperature
    return out


def check_vocabulary(terms) -> str | None:
    """Why `terms` is not an acceptable vocabulary, or None."""
    if not isinstance(terms, list):
        return "`vocabulary` must be a list of strings"
    if len(terms) > MAX_TERMS:
        return f"`vocabulary` has {len(terms)} terms; the limit is {MAX_TERMS}"
    for i, t in enumerate(terms):
        if not isinstance(t, str) or not t.strip():
            return f"vocabulary[{i}] is not a non-empty string"
        if len(t.strip()) > MAX_TERM_CHARS or "\n" in t:
            return f"vocabulary[{i}] is longer than {MAX_TERM_CHARS} characters or has a line break"
    return None


def hotwords(terms: list[str], initial_prompt: str | None, count_tokens) -> tuple:
    """Turn the vocabulary into faster-whisper `hotwords`: "Zorvane, Quillatek, Brannigast".

    Why hotwords rather than folding the terms into initial_prompt: faster-whisper puts
    hotwords in front of *every* 30-second window, while an initial prompt only conditions
    the start and is dropped after a temperature fallback, so names said late in a long
    meeting would not benefit. The caller's initial_prompt is kept as given; the terms get
    what is left of the prompt budget, in the order given (duplicates removed), and the
    ones that do not fit are returned as dropped.
    Returns (hotwords string or None, applied terms, dropped terms)."""
    seen, unique = set(), []
    for t in (" ".join(t.split()) for t in terms):
        if t.lower() not in seen:
            seen.add(t.lower())
            unique.append(t)
    budget = MAX_PROMPT_TOKENS - (count_tokens(initial_prompt) if initial_prompt else 0)
    applied = []
    for i, term in enumerate(unique):
        if count_tokens(", ".join(applied + [term])) > budget:
            return (", ".join(applied) or None), applied, unique[i:]
        applied.append(term)
    return (", ".join(applied) or None), applied, []
