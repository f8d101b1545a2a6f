"""Action items (commitments and requests) and decisions, by sentence-level patterns.

Action items, one per sentence at most:
- `commitment`: first person, future: "I will / I'll / I'm going to / I can take / I can
  do / I'm happy to / let me <task verb>", and "we'll / we're going to <task verb>".
  Meta talk is excluded ("I'll be honest", "let me think", "I'm going to say", "let me
  share my screen") as are negations ("I won't", "I'll never"). owner = the speaker.
- `request`: "can / could / would / will you ...", "would you mind", "please ...",
  "I need you to", "you need to / should", "make sure you", "don't forget to", and
  "<Name> will / can / should <task verb>" ("Sarah will update the list"). Conversational
  requests ("can you hear me", "could you repeat that", "please go ahead") are excluded.
  owner = the speaker who asked. `assignee` = the named person when there is one
  ("Sarah will ...", "Sarah, can you ...", "... can you send it, Sarah?"), else the
  speaker of the next turn if it opens by accepting ("Sure", "Will do", "Yes, I'll ..."),
  else null.
- `due`: see due.py.

Decisions: "we decided / we've agreed / agreed to / decided on / the decision is / let's
go with / let's go ahead / let's stick with / we'll go with / we will go ahead / signed
off on / approved", not negated ("we haven't decided", "if we agree to") and not asked.
"""

import re

from .due import due_phrase
from .sentences import Sentence

# Verbs that make something a task ("let me <verb>", "Sarah will <verb>", "we'll <verb>").
TASK_VERBS = frozenset(
    """
    send share prepare write draft review check follow look find schedule set book create
    fix handle take own lead organize organise coordinate reach contact email call ping
    talk present finalize finalise investigate test deploy build get circle loop confirm
    sort compile collect gather arrange run make do bring provide summarize summarise
    document add clean order buy pay sign submit file update design implement merge ship
    release publish announce notify inform invite chase dig sync forward upload put
    update reschedule cancel move escalate raise remind ask clarify double-check research
    analyse analyze estimate plan price quote assign hire train onboard label pull push
    work
""".split()
)

# After "I will / I'll / I'm going to": talk about the conversation itself, not a task.
META_VERBS = frozenset(
    """
    say tell admit guess think see explain start begin put repeat clarify show stop
    summarize recap jump interrupt hand pass note mention answer read go let argue
    suppose assume bet agree disagree be wonder mean hope try
""".split()
)

_ADVERBS = (
    r"(?:(?:just|also|then|definitely|probably|certainly|quickly|actually|still|"
    r"happily|personally|gladly|now|first|go ahead and|try to|make sure to|"
    r"try and)\s+)*"
)

_COMMIT = re.compile(
    r"\b(?:(?P<i>i(?:'ll\s+be(?=\s+\w+ing\b)|\s+will|'ll|\s+shall|\s+am\s+going\s+to|"
    r"'m\s+going\s+to|'m\s+gonna|\s+am\s+gonna|'m\s+happy\s+to|\s+am\s+happy\s+to|"
    r"\s+can(?=\s+(?:take|handle|do|own)\b)|\s+volunteer\s+to))|(?P<let>let\s+me)|"
    r"(?P<we>we(?:\s+will|'ll|'re\s+going\s+to|\s+are\s+going\s+to)))\s+" + _ADVERBS + r"(?P<verb>[a-z'-]+)",
    re.IGNORECASE,
)
_COMMIT_FIXED = re.compile(
    r"\b(?:leave\s+it\s+with\s+me|i'm\s+on\s+it|i\s+am\s+on\s+it|"
    r"i'll\s+take\s+care\s+of|that's\s+on\s+me)\b",
    re.IGNORECASE,
)
_NOT_A_TASK = re.compile(
    r"\b(?:share\s+my\s+screen|give\s+(?:you\s+)?an\s+example|"
    r"get\s+this\s+straight|move\s+on|take\s+a\s+step\s+back|"
    r"go\s+back|be\s+(?:honest|clear|brief|quick)|"
    r"see\s+if\s+i\s+understand)\b",
    re.IGNORECASE,
)

_REQUEST = re.compile(
    r"\b(?:(?:can|could|would|will)\s+"
    r"(?:you|someone|somebody|anyone|anybody|one\s+of\s+you)"
    r"(?:\s+(?:please|guys|all|also|maybe|just))*\s+(?P<verb>[a-z'-]+)|"
    r"would\s+you\s+mind|(?:^|[,.]\s*)please\s+(?P<pverb>[a-z'-]+)|"
    r"(?:i|we)\s+(?:need|want|'d\s+like|would\s+like)\s+(?:you|someone|somebody)\s+to|"
    r"(?:you|someone|somebody)\s+(?:need|needs|should|must|has|have)\s+to\s+"
    r"(?P<yverb>[a-z'-]+)|"
    r"make\s+sure\s+(?:you|to)|don't\s+forget\s+to|remember\s+to)",
    re.IGNORECASE,
)
_TO_ME = re.compile(
    r"\s+(?:me|us)\s+(?:more|about|what|how|why|when|where|who|which|if|"
    r"a\s+sec)\b",
    re.IGNORECASE,
)  # "can you tell me more", not a task
_CHAT_VERBS = frozenset(
    """
    hear see repeat say explain clarify speak elaborate imagine believe think guess go
    hold mute unmute stop describe walk bear continue carry note wait let be excuse
    forgive recall remember feel agree understand know admit realize realise consider
""".split()
)

_NAME_WORD = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_NAMED = re.compile(
    rf"\b(?P<name>{_NAME_WORD})(?:\s+and\s+(?P<name2>{_NAME_WORD}))?\s+(?:will|'ll|is\s+"
    r"going\s+to|is\s+gonna|can|should|needs\s+to|has\s+to|is\s+going\s+to\s+need\s+to)\s+"
    + _ADVERBS
    + r"(?P<verb>[a-z'-]+)"
)
_VOCATIVE = re.compile(
    rf"^(?:(?i:ok(?:ay)?|so|and|right|yeah),?\s+)?(?P<name>{_NAME_WORD}),\s+"
    rf"(?i:can|could|would|will)\s+you\b"
    rf"|(?i:can|could|would|will)\s+you\b.*,\s*(?P<name2>{_NAME_WORD})\s*[?.!]?$"
)
NOT_NAMES = frozenset(
    """
    I We You He She They It That This There These Those Then So And But Or Also Maybe
    Perhaps Everyone Everybody Someone Somebody Nobody Anyone Anybody Who What Which Where
    When How Why Yeah Yes No Okay Ok Well Now Next Today Tomorrow Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday January February March April May June July August
    September October November December Speaker Nothing Everything Something Anything
    If Once Hopefully Obviously Actually Basically Honestly Sure Great Good Right Let
    Please
""".split()
)

_ACCEPT = re.compile(
    r"^(?:sure|yes|yeah|yep|yup|of\s+course|absolutely|definitely|"
    r"will\s+do|no\s+problem|ok(?:ay)?|on\s+it|i\s+can|i\s+will|i'll|"
    r"happy\s+to|consider\s+it\s+done)\b",
    re.IGNORECASE,
)
_REFUSE = re.compile(r"\b(?:can't|cannot|won't|not\s+sure|no\s+time|busy)\b", re.IGNORECASE)

_DECISION = re.compile(
    r"\b(?:we(?:'ve|\s+have|'d|\s+had)?\s+(?:all\s+)?(?:decided|agreed|settled|concluded)|"
    r"(?:it's|it\s+is|that's|that\s+is)\s+(?:decided|settled|agreed)|"
    r"decided\s+(?:to|on|that)|agreed\s+(?:to|on|that)|the\s+decision\s+is|"
    r"(?:final|our)\s+decision|"
    r"let's\s+(?:go\s+(?:with|ahead)|stick\s+with|settle\s+on|finali[sz]e|lock\s+in|"
    r"commit\s+to)|"
    r"we(?:'ll|\s+will|'re\s+going\s+to|\s+are\s+going\s+to|'re|\s+are)\s+"
    r"(?:go(?:ing)?\s+(?:with|ahead)|stick(?:ing)?\s+with|commit(?:ting)?\s+to)|"
    r"signed?\s+off\s+on|(?:is|was|has\s+been|got)\s+approved)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"(?:\bnot|n't|\bnever|\byet\s+to|\bif|\bwhether|\bunless)\W+"
    r"(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)


def _norm(text: str) -> str:
    return text.replace("’", "'")


def _commitment(text: str) -> bool:
    if _COMMIT_FIXED.search(text):
        return True
    for m in _COMMIT.finditer(text):
        verb = m.group("verb").lower()
        if _NEGATED.search(text[: m.start()]) or verb in ("not", "never", "no"):
            continue
        if _NOT_A_TASK.match(text, m.start("verb")):
            continue
        # "I will X" is a task unless X is meta; "let me X", "we'll X" need a task verb
        is_task = verb not in META_VERBS if m.group("i") else verb in TASK_VERBS
        if is_task:
            return True
    return False


def _request(text: str) -> bool:
    for m in _REQUEST.finditer(text):
        verb = (m.group("verb") or m.group("pverb") or m.group("yverb") or "").lower()
        if verb in _CHAT_VERBS:
            continue
        if verb in ("tell", "show", "give", "send") and _TO_ME.match(text, m.end()):
            continue
        return True
    return False


def _named(text: str) -> str | None:
    for m in _NAMED.finditer(text):
        names = [n for n in (m.group("name"), m.group("name2")) if n]
        if m.group("verb") in TASK_VERBS and all(n not in NOT_NAMES for n in names):
            if not _NEGATED.search(text[: m.start()]):
                return " and ".join(names)
    m = _VOCATIVE.search(text)
    if m and (m.group("name") or m.group("name2")) not in NOT_NAMES and _request(text):
        return m.group("name") or m.group("name2")
    return None


def classify(text: str) -> tuple[str, str | None] | None:
    """("commitment" | "request", the named assignee or None), or None if `text` is not
    an action item."""
    text = _norm(text).strip()
    name = _named(text)
    if name:
        return "request", name
    if _commitment(text) and not _starts_as_question(text):
        return "commitment", None
    if _request(text):
        return "request", None
    return None


def _starts_as_question(text: str) -> bool:
    return (
        text.rstrip().endswith("?")
        and re.match(
            r"(?:\w+,\s+)?(?:what|when|why|how|who|where|which|should|shall|do|does|did|can|"
            r"could|would|will|is|are|am)\b",
            text,
            re.IGNORECASE,
        )
        is not None
    )


def _accepter(sentences: list[Sentence], s: Sentence) -> str | None:
    """Speaker of the next turn when it opens by accepting the request."""
    for i in range(s.index + 1, len(sentences)):
        nxt = sentences[i]
        if nxt.turn == s.turn:
            continue
        if nxt.speaker_id in (None, s.speaker_id):
            return None
        text = _norm(nxt.text)
        return nxt.speaker_id if _ACCEPT.match(text) and not _REFUSE.search(text) else None
    return None


def action_items(sentences: list[Sentence]) -> list[dict]:
    items = []
    for s in sentences:
        found = classify(s.text)
        if found is None:
            continue
        kind, assignee = found
        if kind == "request" and assignee is None:
            assignee = _accepter(sentences, s)
        items.append(
            {
                "owner": s.speaker_id,
                "text": s.text,
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "kind": kind,
                "due": due_phrase(s.text),
                "assignee": assignee,
            }
        )
    return items


def is_decision(text: str) -> bool:
    text = _norm(text).strip()
    if text.endswith("?"):
        return False
    return any(not _NEGATED.search(text[: m.start()]) for m in _DECISION.finditer(text))


def decisions(sentences: list[Sentence]) -> list[dict]:
    return [s.as_dict() for s in sentences if is_decision(s.text)]
