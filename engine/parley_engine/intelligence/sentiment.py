"""Per-speaker sentiment with VADER (a rule-based lexicon shipped inside the
vaderSentiment wheel; no model, no download).

Each sentence gets VADER's compound score (-1..1) after spoken fillers are removed: VADER
reads "yeah" (+0.30), "okay" (+0.23) and the filler "like" ("things like that", "it's
like, big") as approval, which would make every talkative speaker look happy. A speaker's
score is the mean of their sentence scores weighted by word count.

Labels and thresholds (asymmetric on purpose):
- `positive` if score >= 0.3. Meeting talk is mildly positive by default ("great",
  "thanks", "sounds good", "sure" are routine politeness), so VADER's conventional +0.05
  would call almost everyone positive; 0.3 needs clearly warm or enthusiastic talk.
  A speaker with a few pleasantries among factual statements lands around 0.05-0.2.
- `concerned` if score <= -0.05 (VADER's own negative threshold). Given that positive
  baseline, any net negativity over a whole speaker's talk is notable: worry, problems,
  risks, complaints.
- `neutral` otherwise.
"""

import functools
import re

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from .words import words

POSITIVE = 0.3
CONCERNED = -0.05

# Fillers removed before scoring. "like" is kept after a subject or auxiliary ("I like",
# "would like", "don't like") where it is the verb; elsewhere it is a filler or a
# preposition, which VADER would still score as approval.
_FILLER = re.compile(
    r"\b(?:yeah|yep|yup|okay|ok|alright|mm-hmm|uh-huh|um+|uh+|erm|hmm+|mm+|you know|"
    r"i mean|kind of|sort of)\b[,.]?",
    re.IGNORECASE,
)
_LIKE = re.compile(
    r"(?<!\bi )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!\bhe )(?<!\bshe )(?<!\bwould )"
    r"(?<!\bdo )(?<!\bdon't )(?<!\bdidn't )(?<!\bdoesn't )(?<!\breally )"
    r"(?<!\bjust )(?<!\bpeople )(?<!\busers )(?<!\bcustomers )(?<!\bwould not )"
    r"\blike\b,?",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # reads the lexicon from the wheel once


def clean(text: str) -> str:
    """`text` without spoken fillers (see module doc)."""
    text = _FILLER.sub(" ", text.replace("’", "'"))
    # "I'd like to see the numbers" is a wish, not approval
    text = re.sub(r"(?:'d|\bwould) like to\b", " want to", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", _LIKE.sub(" ", text)).strip(" ,")


def sentence_score(text: str) -> tuple[float, int]:
    """(VADER compound of the cleaned sentence, its word count as the weight)."""
    cleaned = clean(text)
    n = len(words(cleaned))
    if n == 0:
        return 0.0, 0
    return _analyzer().polarity_scores(cleaned)["compound"], n


def speaker_score(texts: list[str]) -> float:
    """Word-count-weighted mean compound score of a speaker's sentences (0.0 if none)."""
    total = weight = 0.0
    for text in texts:
        score, n = sentence_score(text)
        total += score * n
        weight += n
    return total / weight if weight else 0.0


def label(score: float) -> str:
    if score >= POSITIVE:
        return "positive"
    if score <= CONCERNED:
        return "concerned"
    return "neutral"
