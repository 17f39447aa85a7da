"""Risk screen, run by code before anything else.

Finds mentions of suicidal ideation, plans and means, self-harm, harm to others,
violence at home, psychosis, mania and intoxication in free text, with negation
("denies SI", "SI: denied", "no self-harm") and scope ("denies SI but cut
herself") handled, and with other people's completed suicide or risk kept apart
from the client's own. It reports what the text says; it never diagnoses or
scores anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CATEGORIES = {
    "suicidal_ideation": "suicidal thoughts",
    "suicide_plan": "a suicide plan, intent or means",
    "self_harm": "self-harm",
    "harm_to_others": "thoughts of harming others",
    "violence_at_home": "violence or abuse at home",
    "psychosis": "possible psychotic symptoms",
    "mania": "possible manic symptoms",
    "intoxication": "intoxication or dangerous substance use",
}
#: Categories where the safety-first answer replaces ordinary IPT work.
ACUTE = frozenset(CATEGORIES)

_I = re.IGNORECASE
_PERSON_OBJ = r"(?:my|her|his|them|their|him)(?:self|selves)?"
_REFLEXIVE = r"(?:myself|herself|himself|themselves|themself|yourself)"
# (category, pattern, case_sensitive?)
_PATTERNS: list[tuple[str, str, bool]] = [
    ("suicidal_ideation", r"\b(?:SI/HI|S/I|SI)\b", True),
    ("suicidal_ideation", r"\bsuicid(?:al|e|ality)\b(?!\s+(?:risk\s+)?(?:screen|assessment|protocol|hotline|prevention))", False),
    ("suicidal_ideation", rf"\b(?:want(?:s|ed|ing)?|wish(?:es|ed|ing)?|thinking|thoughts?|think(?:s|ing)?)\s+(?:about\s+|of\s+)?(?:to\s+)?(?:kill(?:ing)?|end(?:ing)?)\s+(?:{_REFLEXIVE}|(?:my|her|his|their)\s+(?:own\s+)?life)\b", False),
    ("suicidal_ideation", r"\b(?:want(?:s|ed)?|wish(?:es|ed)?)\s+(?:she|he|they|i)?\s*(?:to\s+|could\s+|would\s+|were\s+)?(?:be\s+)?(?:die|dead|disappear|not\s+(?:be\s+here|wake\s+up|exist))\b", False),
    ("suicidal_ideation", r"\b(?:wish|hope|want|pray)\w*\b[^.;]{0,40}?\b(?:not|never|won'?t)\s+wake\s+up\b", False),
    ("suicidal_ideation", r"\b(?:better\s+off\s+(?:dead|without\s+(?:me|her|him))|no\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on)|can'?t\s+go\s+on|not\s+worth\s+living|end\s+it\s+all|passive\s+death\s+wish)\b", False),
    ("suicide_plan", r"\b(?:plan(?:s|ned)?\s+to\s+(?:kill|end|overdose|hang|shoot|jump)|(?:has|have|with|had|made|making)\s+a\s+(?:suicide\s+)?plan|stockpil\w*|sav(?:ed|ing)\s+(?:up\s+)?(?:pills|tablets|meds)|bought\s+a\s+(?:gun|rope)|access\s+to\s+(?:a\s+)?(?:gun|firearm|weapons?|pills)|wrote\s+a\s+(?:suicide\s+)?note|said\s+goodbye|giving\s+away\s+(?:her|his|my|their)\s+(?:things|belongings))\b", False),
    ("suicide_plan", r"\b(?:overdos\w*|hang(?:ing)?\s+(?:myself|herself|himself|themselves)|jump(?:ing)?\s+(?:off|in\s+front))\b", False),
    ("self_harm", r"\b(?:NSSI|SH)\b", True),
    ("self_harm", rf"\b(?:self[-\s]?harm\w*|self[-\s]?injur\w*|cutting|cut(?:s|ting)?\s+{_PERSON_OBJ}|burn(?:s|ed|ing)?\s+{_PERSON_OBJ}|hurt(?:s|ing)?\s+{_PERSON_OBJ}|scratch\w*\s+{_PERSON_OBJ}\s+until)\b", False),
    ("violence_at_home", r"\b(?:DV|IPV)\b", True),
    ("violence_at_home", r"\b(?:domestic\s+(?:violence|abuse)|intimate\s+partner\s+violence|(?:hits|hit|beats|beat|slaps|slapped|punche[sd]|kicke[sd]|choke[sd]|chokes|strangle[sd]?|shove[sd]|pushe[sd])\s+(?:her|him|me|them)\b|afraid\s+(?:of|for)\s+(?:her|his|my)\s+(?:life|safety)|threatened\s+to\s+kill\s+(?:her|him|me)|(?:physical|sexual)ly\s+abus\w+|is\s+being\s+abused|abusive\s+(?:husband|wife|partner|boyfriend|girlfriend|relationship)|unsafe\s+at\s+home|locks?\s+her\s+in|controls?\s+(?:all\s+)?(?:her|his)\s+money\s+and\s+threatens)", False),
    ("harm_to_others", r"\b(?:HI)\b", True),
    ("harm_to_others", r"\b(?:homicid\w*|(?:thoughts?|urges?|ideas?|fantas\w+|images?)\s+(?:of|about)\s+(?:hurting|harming|killing|shaking|smothering|drowning)\s+(?:him|her|them|the\s+baby|the\s+child|someone|others|her\s+\w+|his\s+\w+)|(?:wants?|want(?:ed|s)?\s+to|threaten(?:s|ed|ing)?\s+to|going\s+to)\s+(?:kill|hurt|harm|stab|shoot)\s+(?:him|her|them|someone|the\s+baby|his\s+\w+|her\s+\w+)|harm\s+to\s+others)\b", False),
    ("psychosis", r"\b(?:AH|VH|AVH)\b", True),
    ("psychosis", r"\b(?:hallucinat\w*|hearing\s+voices|hears\s+voices|voices\s+(?:tell|telling|told)|command\s+hallucinations?|delusion\w*|psychotic|psychosis|paranoi\w+\s+(?:that|about)|believes\s+(?:the\s+)?(?:tv|radio|neighbou?rs?)\s+(?:is|are)\s+(?:sending|watching|talking))\b", False),
    ("mania", r"\b(?:manic|mania|hypomani\w*|grandios\w*|racing\s+thoughts|pressured\s+speech|(?:hasn'?t|has\s+not|not)\s+slept\s+(?:in|for)\s+(?:\d+|two|three|four|several)\s+(?:days|nights)|no\s+need\s+for\s+sleep|spending\s+spree)\b", False),
    ("intoxication", r"\b(?:intoxicated|drunk\s+(?:in|at|during|to)\s+(?:session|the\s+session|appointment)|(?:came|arrived|showed\s+up)\s+(?:in\s+|to\s+(?:the\s+)?(?:session|appointment|clinic)\s+)?(?:drunk|high|intoxicated)|smell(?:ed|s|ing)?\s+of\s+(?:alcohol|booze|drink|weed|cannabis)|under\s+the\s+influence|blackout\s+drinking|(?:is|was|were|appeared|seemed)\s+(?:drunk|high)|overdosing\s+on|withdrawal\s+seizures?|DTs)\b", False),
]
_COMPILED = [(cat, re.compile(p) if cs else re.compile(p, _I)) for cat, p, cs in _PATTERNS]

# Another person's completed suicide: a bereavement fact, not the client's current risk.
_COMPLETED = re.compile(
    r"\b(?:died\s+by\s+suicide|committed\s+suicide|killed\s+(?:himself|herself|themselves)|took\s+(?:his|her|their)\s+own\s+life|suicide\s+of\s+(?:her|his|their|a)\b|lost\s+\w+\s+\w*\s*to\s+suicide)",
    _I,
)
_NEGATION_BEFORE = re.compile(
    r"\b(?:denie[sd]|deny|denying|no|not|never|without|negative\s+for|neg\s+for|ruled\s+out|rules\s+out|"
    r"free\s+of|absence\s+of|nor|none|n/o|didn'?t\s+report|did\s+not\s+report|doesn'?t\s+report|"
    r"no\s+current|no\s+(?:active|passive)|not\s+endorsing|doesn'?t\s+endorse|did\s+not\s+endorse|"
    r"no\s+evidence\s+of|no\s+signs?\s+of|no\s+hx\s+of|no\s+history\s+of)\b",
    _I,
)
_NEGATION_AFTER = re.compile(
    r"^\s*(?:[:=\-–]\s*)?(?:was\s+|were\s+|is\s+|are\s+)?(?:denied|none|negative|neg\b|absent|nil|not\s+present|"
    r"ruled\s+out|0\b|no\b(?!\s+(?:plan|intent|means)))",
    _I,
)
_SCOPE_BREAK = re.compile(
    r"\b(?:but|however|although|though|yet|except|whereas|then|reports?|reported|endorse[sd]?|admit(?:s|ted)?|"
    r"disclose[sd]|state[sd]|says|said|describe[sd]|now|today|currently\s+has)\b|[.;!?\n]|(?<!\w)-\s",
    _I,
)
_UNCERTAIN = re.compile(r"\b(?:not\s+(?:sure|clear|certain|known)|unsure|unclear|uncertain|worried|concerned|possibl[ey]|may\s+be|might)\b", _I)
_THIRD_PARTY = re.compile(
    r"\b(?:her|his|their|my|a|the)\s+(?:mother|mom|mum|father|dad|brother|sister|son|daughter|friend|"
    r"husband|wife|partner|boyfriend|girlfriend|colleague|coworker|co-worker|roommate|cousin|aunt|uncle|"
    r"grandmother|grandfather|niece|nephew|neighbou?r|classmate)\b",
    _I,
)
_CLIENT_SUBJECT = re.compile(r"\b(?:she|he|they|client|pt|patient)\b", _I)


@dataclass(frozen=True)
class RiskFinding:
    category: str
    span: str
    negated: bool = False
    third_party: bool = False

    @property
    def counts(self) -> bool:
        """True if this is current risk for the client (not negated, not someone else's)."""
        return not self.negated and not self.third_party


@dataclass
class RiskScreen:
    findings: list[RiskFinding] = field(default_factory=list)
    bereavement_by_suicide: list[str] = field(default_factory=list)

    @property
    def present(self) -> list[RiskFinding]:
        return [f for f in self.findings if f.counts]

    @property
    def is_risk(self) -> bool:
        return any(f.category in ACUTE for f in self.present)

    @property
    def categories(self) -> list[str]:
        seen: list[str] = []
        for f in self.present:
            if f.category not in seen:
                seen.append(f.category)
        return seen

    @property
    def negated(self) -> list[RiskFinding]:
        return [f for f in self.findings if f.negated]

    @property
    def third_party(self) -> list[RiskFinding]:
        return [f for f in self.findings if f.third_party and not f.negated]

    def describe(self) -> str:
        return ", ".join(CATEGORIES[c] for c in self.categories)


def _clause_prefix(text: str, start: int) -> str:
    """Text from the last scope break before ``start`` up to ``start``."""
    prefix = text[:start]
    last = None
    for last in _SCOPE_BREAK.finditer(prefix):
        pass
    return prefix[last.end():] if last else prefix


def _is_negated(text: str, start: int, end: int) -> bool:
    before = _clause_prefix(text, start)[-60:]
    if _UNCERTAIN.search(before):
        return False  # "not sure whether she is suicidal" is not a denial
    if _NEGATION_BEFORE.search(before):
        return True
    return bool(_NEGATION_AFTER.match(text[end : end + 30]))


def _is_third_party(text: str, start: int) -> bool:
    """True when the nearest subject before the match is another person ("her sister is suicidal")."""
    before = _clause_prefix(text, start)
    last = None
    for last in _THIRD_PARTY.finditer(before):
        pass
    if last is None:
        return False
    # "her husband says she wants to die": a client pronoun after the other person wins.
    return not _CLIENT_SUBJECT.search(before[last.end():])


def screen(text: str) -> RiskScreen:
    """Scan ``text`` for risk mentions."""
    result = RiskScreen()
    completed_spans: list[tuple[int, int]] = []
    for m in _COMPLETED.finditer(text):
        completed_spans.append(m.span())
        result.bereavement_by_suicide.append(m.group(0))
    taken: list[tuple[int, int]] = []
    for category, pattern in _COMPILED:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(cs <= s < ce or cs < e <= ce for cs, ce in completed_spans):
                continue
            if any(ts <= s < te for ts, te in taken):
                continue
            taken.append((s, e))
            violence = category == "violence_at_home"
            result.findings.append(
                RiskFinding(
                    category=category,
                    span=m.group(0),
                    negated=_is_negated(text, s, e),
                    third_party=False if violence else _is_third_party(text, s),
                )
            )
    return result
