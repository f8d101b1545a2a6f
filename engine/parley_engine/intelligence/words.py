"""Word lists and tokenising shared by the intelligence modules."""

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")

# Spoken-language noise: hesitations, backchannels and discourse markers. They are
# never topics, carry no sentiment (VADER scores "yeah" +0.30 and filler "like" as
# approval), and do not make a sentence worth summarising.
FILLERS = frozenset(
    """
    um umm uh uhh uh-huh erm er ah ahh eh hmm hm mm mmm mhm mm-hmm hmm-mm huh oh ooh
    yeah yea yep yup yes nope nah okay ok alright right sure so well anyway
    like gonna wanna gotta kinda sorta cause 'cause cos
""".split()
)

# Vague words: never a topic, never the first or last word of a keyphrase ("main
# thing", "lot of people"); also ignored when comparing sentences.
GENERIC = frozenset(
    """
    thing things stuff lot lots bit kind sort way guess mean meant know knew think thought
    just really actually basically literally probably maybe perhaps definitely obviously
    got get gets getting go goes going gone went make makes made making say says said
    saying see sees seen look looks looking looked want wants wanted need needs needed
    let lets let's put take takes took come comes came something anything everything
    nothing someone somebody everyone everybody anyone anybody people person guys guy
    good great nice fine cool bad better best feel felt talk talking talked tell told
    today tomorrow yesterday tonight able sounds sounded sense whatever bunch couple
    yeah okay thanks thank please sorry hello hi bye understand understood find found
    give gave keep kept happen happened happens seem seems seemed remember agree agreed
    ask asked wait help call called bring brought leave left move moved show kind-of
    send sent sending
""".split()
)

# Weak words: fine inside a keyphrase ("status update", "billing issue", "Friday
# release") but not a topic on their own.
WEAK = frozenset(
    """
    team teams issue issues problem problems status update updates check job plan plans
    meeting meetings main clear concern concerns number numbers result results question
    questions point points idea ideas time times day days week weeks month months year
    years minute minutes hour hours second seconds part side case fact work start end use
    monday tuesday wednesday thursday friday saturday sunday weekend morning afternoon
    evening next last first new old big small little different same other
""".split()
)

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | FILLERS


def words(text: str) -> list[str]:
    """Lower-case word tokens, keeping in-word apostrophes and hyphens ("don't")."""
    return _WORD.findall(text.lower().replace("’", "'"))


def stem(word: str) -> str:
    """A crude plural-stripping stem, enough to match "menus" with "menu"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def content_words(text: str) -> set[str]:
    """Stemmed words that are neither stop words, fillers nor generic meeting words."""
    return {stem(w) for w in words(text) if w not in STOP_WORDS and w not in GENERIC and not w.isdigit()}
