"""Find the due phrase of an action item: "by Friday" -> "Friday", "end of the month",
"next week", "tomorrow morning", "on the 15th" -> "the 15th", "in two weeks", "ASAP".

The phrase is returned as spoken (original case), without the leading preposition
("by", "before", "on", "until", "no later than"). The earliest match in the sentence
wins; the alternatives are ordered so that the longer reading is tried first.
"""

import re

_DAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_ORD = r"\d{1,2}(?:st|nd|rd|th)?"
_NUM = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few|\d+)"
_PERIOD = r"(?:day|week|month|quarter|year|sprint|business day|working day)"

_WHEN = "|".join(
    [
        rf"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|next\s+)?{_PERIOD}",
        rf"(?:the\s+)?(?:start|beginning|middle)\s+of\s+(?:the\s+|this\s+|next\s+)?{_PERIOD}",
        r"eod|eow|cob|asap|as\s+soon\s+as\s+possible",
        r"(?:later\s+)?(?:today|tonight)|this\s+(?:morning|afternoon|evening)",
        r"(?:the\s+day\s+after\s+)?tomorrow(?:\s+(?:morning|afternoon|evening|night))?",
        rf"(?:this|next|coming|the\s+following)\s+(?:{_DAY}|{_PERIOD}|weekend)"
        r"(?:\s+(?:morning|afternoon|evening))?",
        rf"{_DAY}(?:\s+(?:morning|afternoon|evening|night))?",
        rf"{_MONTH}\s+{_ORD}\b|{_ORD}\s+of\s+{_MONTH}|(?:the\s+)?{_ORD}\s+of\s+the\s+month",
        rf"the\s+{_ORD}\b",
        rf"(?:with)?in\s+{_NUM}\s+{_PERIOD}s?",
        r"(?:before\s+)?the\s+next\s+(?:meeting|call|sync|standup|stand-up|review)",
    ]
)
_DUE = re.compile(rf"\b(?:(?:by|before|until|till|on|no\s+later\s+than|due|for)\s+)?(?P<when>{_WHEN})\b", re.IGNORECASE)


def due_phrase(text: str) -> str | None:
    for m in _DUE.finditer(text):
        when = m.group("when")
        if when.lower() != "may":  # the verb: "I may be late"
            return re.sub(r"\s+", " ", when)
    return None
