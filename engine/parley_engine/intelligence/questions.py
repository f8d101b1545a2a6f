"""Open questions: questions nobody answered.

Rule. A sentence is a candidate if it ends with '?' and is neither
- a request ("Could you share the notes?" is an action item, see commitments.py), nor
- a tag or backchannel question: two words or fewer ("Right?", "You know?", "Really?")
  or a tag such as "isn't it?", "don't you think?", "okay?".
It is *answered* if, in the next two substantive turns (turns that are not only
backchannels like "Mm-hmm."), another speaker says a sentence that
- is not itself a question and not a deferral ("I don't know", "not sure", "good
  question", "let's take that offline", "I'll get back to you", "we need to figure it
  out", ...), and
- opens with an answer cue ("probably", "I think", "we", "it's", "that's", "because", a
  number, ...), or shares a content word with the question (plural-stripped, stop words
  and meeting fillers ignored), or opens with "yes" / "no" / "yeah" / "sure" ... when the
  question is a yes-no question ("Is ...?", "Can ...?", "Did ...?").
Anything else, including a question at the very end of the meeting, stays open.
"""

import re

from .commitments import classify
from .sentences import Sentence
from .words import content_words, words

LOOKAHEAD_TURNS = 2

_TAG = re.compile(
    r"(?:^|,\s*)(?:right|okay|ok|yeah|yes|no|correct|you\s+know|isn't\s+it|"
    r"aren't\s+(?:they|we|you)|don't\s+you\s+think|doesn't\s+it|"
    r"isn't\s+that\s+so|wouldn't\s+you\s+say|huh|eh|sorry|pardon)\s*\?$",
    re.IGNORECASE,
)
_DEFER = re.compile(
    r"\b(?:i\s+(?:don't|do\s+not)\s+know|not\s+sure|no\s+idea|good\s+question|"
    r"(?:take|discuss)\s+(?:that|this|it)\s+offline|get\s+back\s+to\s+you|find\s+out|"
    r"we'll\s+see|to\s+be\s+(?:decided|confirmed)|tbd|tbc|"
    r"(?:need|have)\s+to\s+(?:figure|check|think)|haven't\s+(?:decided|figured)|"
    r"(?:no\s+one|nobody)\s+knows|hard\s+to\s+say|depends|let\s+me\s+check|"
    r"i'll\s+check)\b",
    re.IGNORECASE,
)
_LEAD = r"^(?:(?:um|uh|well|so|oh),?\s+)*"
_CUE = re.compile(
    _LEAD + r"(?:probably|maybe|perhaps|possibly|i\s+think|i\s+believe|i\s+guess|"
    r"i'd\s+say|"
    r"we|it's|it\s+is|it\s+was|that's|that\s+is|because|since|around|about|roughly|"
    r"approximately|not\s+(?:really|yet)|only|just|\d)\b",
    re.IGNORECASE,
)
# "Yes"/"no" answer only a yes-no question ("Is the demo ready?"), not "What happens ...?"
_POLAR_CUE = re.compile(
    _LEAD + r"(?:yes|yeah|yep|yup|no|nope|nah|sure|definitely|"
    r"absolutely|of\s+course|correct|exactly|right)\b",
    re.IGNORECASE,
)
_POLAR_QUESTION = re.compile(
    r"^(?:\w+,\s+)?(?:is|are|was|were|am|do|does|did|can|could|will|would|should|shall|"
    r"have|has|had|may|might|must|isn't|aren't|don't|doesn't|didn't|can't|won't)\b",
    re.IGNORECASE,
)
BACKCHANNELS = frozenset(
    """
    um umm uh uhh uh-huh erm er ah ahh eh hmm hm mm mmm mhm mm-hmm hmm-mm huh oh ooh
""".split()
)


def _is_candidate(s: Sentence) -> bool:
    if not s.is_question:
        return False
    text = s.text.replace("’", "'")
    if len(words(text)) <= 2 or _TAG.search(text):
        return False
    found = classify(text)
    return not (found and found[0] == "request")


def _substantive(turn: list[Sentence]) -> bool:
    return any(w not in BACKCHANNELS for s in turn for w in words(s.text))


def _answers(question: Sentence, reply: Sentence) -> bool:
    text = reply.text.replace("’", "'").strip()
    if reply.is_question or _DEFER.search(text):
        return False
    if _CUE.match(text) or content_words(question.text) & content_words(text):
        return True
    return bool(_POLAR_CUE.match(text) and _POLAR_QUESTION.match(question.text.strip()))


def open_questions(sentences: list[Sentence]) -> list[Sentence]:
    turns: dict[int, list[Sentence]] = {}
    for s in sentences:
        turns.setdefault(s.turn, []).append(s)
    order = sorted(turns)
    position = {t: i for i, t in enumerate(order)}
    result = []
    for q in sentences:
        if not _is_candidate(q):
            continue
        answered, seen = False, 0
        for t in order[position[q.turn] + 1 :]:
            turn = turns[t]
            if not _substantive(turn):
                continue
            seen += 1
            if turn[0].speaker_id != q.speaker_id and any(_answers(q, r) for r in turn):
                answered = True
            if answered or seen == LOOKAHEAD_TURNS:
                break
        if not answered:
            result.append(q)
    return result
