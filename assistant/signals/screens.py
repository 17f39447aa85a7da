"""What ``ask``, ``chat``, ``note`` and the output checks read from the signals: the client's risk,
out-of-frame requests, presentations to stabilise first, adaptations and the focal area."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import FocalEvidence
from .types import RISK_DESCRIPTIONS, STABILISE_FIRST, WARNING_SIGNS, Signal, Signals, asks_whether

#: Assertions under which an out-of-frame method counts as asked for ("should I do thought records?").
REQUEST_ASSERTIONS = ("present", "hypothetical")
#: A method stated as present counts as a request only in a clause that asks, proposes or plans; a
#: narrative mention ("she told me about a dream") is not a request.
_REQUEST_CUE = re.compile(
    r"\?|\b(?:should|shall|could|can|would|may|might|must|want(?:s|ed)?\s+(?:me\s+|us\s+|her\s+|him\s+|them\s+)?to|wish(?:es)?\s+to|plan\w*|try|trial|"
    r"use|using|do|doing|give|giving|assign\w*|suggest\w*|consider\w*|thinking\s+(?:of|about)|going\s+to|gonna|"
    r"next|nxt|hw|homework|task|teach\w*|introduc\w*|start\w*|begin|add|incorporat\w*|bring\s+in|worth|helpful|"
    r"ok(?:ay)?\s+to|appropriate|fine\s+to|recommend\w*|set\s+up|get\s+(?:her|him|them|pt|cl)\s+(?:to|saying|doing|writing|repeating|keeping|noting|logging|tracking|recording|filling|reading|practis\w*|practic\w*)|ask\s+(?:her|him|them)\s+to|"
    # an instruction to the client ("tell him to swap every negative thought for a positive one")
    r"tell\s+(?:her|him|them|pt|cl|the\s+client)\s+to|"
    r"have\s+(?:her|him|them)|let'?s|i'?ll|we'?ll|i'?d|we'?d|encourag\w*|practis\w*|practic\w*|work\s+on|explore|"
    r"will|shd|wd|discuss\w*|point\s+out|name\s+(?:this|it|that)|reflect\w*|tempted|thinking|wonder\w*|"
    r"intend\w*|aim\w*|hoping|keen|idea|to\s+\w+\s+(?:next|in\s+session)|interpret\w*|link\w*|help|"
    # a task set in a note's shorthand ("pt to stick post-its ... round the flat"), a client's request agreed to ("pt
    # requested we look at what her nightmares 'mean' - said yes")
    r"(?<!refer\s)(?<!referred\s)(?<!sent\s)(?<!signposted\s)(?:pt|cl|client)\s+to\s+(?!(?:be|a|an|the|her|his|their|my|our|this|that|some|"
    r"any)\b)[a-z]+|request\w*|said\s+yes)\b",
    re.IGNORECASE)
#: ... or that records the method as done or agreed in this therapy, as session notes do ("worked on reframing
#: the belief", "tried left-right tapping", "did chair work", "agreed he'll write down the hot thought", "traced
#: her fear back to ..."). "Did" a therapy or a course names past treatment ("did CBT at uni", "did two years of
#: CBT before"), not this session's work.
_DELIVERY_CUE = re.compile(
    # a note's line that opens with what the clinician did ("challenged pt's belief ..., re-rated belief 90% -> 60%")
    # (a verb with its object after it: "Terrified of flying" is a state)
    r"^\W*(?!(?:referred|declined|refused|rejected|stopped|finished|completed|ended|quit|wanted|asked|mentioned)\b)[a-z]{3,}ed\s+"
    r"(?:pt|pt's|cl|client|client's|her|him|his|them|their|the|a|an|this|that|these|those|through)\b|"
    r"\b(?:worked\s+on|went\s+through|working\s+(?:on|through|out)|spent\s+(?:time|(?:most\s+of\s+)?the\s+(?:session|hour))|tried|"
    r"did(?!\s+(?:[\w-]+\s+){0,3}?(?:therap\w*|cbt|dbt|course|years?|months?|yrs?|\d+\s*(?:m|mo|yrs?)\b))|"
    r"done|guided|led|traced|agreed|asked\s+(?:her|him|them|pt|cl|client)\s+to|identified|rehearsed|set|taught|began|"
    r"propos\w*|build|map|let\s+(?:her|him|them|pt|cl|client)|explored|pointed\s+out|interpreted|linked|"
    # ... or the client invited, told (by the clinician: "Dtr told pt ..." is not) or had to do it ("invited pt to lie back
    # and speak freely", "told pt her apologising to me is how she is with every authority figure", "had her follow my fingers")
    r"invited\s+(?:her|him|them|pt|cl|client)\s+to|(?:^|\b(?:i|we)\s+(?:have\s+|had\s+|'ve\s+)?)told\s+(?:her|him|them|pt|cl|the\s+client)\b|"
    r"had\s+(?:her|him|them|pt|cl|the\s+client)\s+(?:lie|speak|talk|write|say|imagine|picture|follow|sit|close|notice|list|rate|tap|keep|go)|"
    # ... or the client changing seats to answer as the other, which is the chair work being done ("swapped seats and
    # replied as her")
    r"(?:swapp\w*|switch\w*|chang\w*|mov\w*)\s+(?:seats|chairs|places|across|over)\b[^.;?]{0,40}?\b(?:repl\w*|answer\w*|respond\w*|spoke)\s+(?:back\s+)?as)\b",
    re.IGNORECASE)  # ("started", "practised",
#: "introduced": the request cue's start-, practis-, introduc- words already take them)
#: A risk kind -> the stabilise-first entry in knowledge/frame.yaml.
RISK_TO_FRAME = {
    "suicidal_ideation": "acute_suicidal_risk",
    "suicide_plan": "acute_suicidal_risk",
    "self_harm": "acute_suicidal_risk",
    WARNING_SIGNS: "acute_suicidal_risk",
    "harm_to_others": "harm_to_others",
    "ipv": "domestic_violence",
    "safeguarding": "harm_to_others",
    "psychosis": "psychosis",
    "mania": "mania",
    "intoxication": "intoxication",
}


@dataclass
class RiskView:
    """The client's risk as the text states it. ``level``: ``risk`` (stated), ``possible_risk``
    (warning-sign language: ask directly) or None. Never a score."""

    signals: list[Signal] = field(default_factory=list)

    @property
    def findings(self) -> list[Signal]:
        return list(self.signals)

    @property
    def present(self) -> list[Signal]:
        return [s for s in self.signals if s.present and s.level and s.category != "completed_suicide"]

    @property
    def level(self) -> str | None:
        levels = {s.level for s in self.present}
        return "risk" if "risk" in levels else ("possible_risk" if levels else None)

    @property
    def is_risk(self) -> bool:
        return self.level is not None

    @property
    def categories(self) -> list[str]:
        """Risk kinds present, in the order the text states them."""
        seen: list[str] = []
        for s in sorted(self.present, key=lambda s: (s.level != "risk", s.start)):
            if s.category not in seen:
                seen.append(s.category)
        return seen

    @property
    def kinds(self) -> list[str]:
        """Kinds as labelled in evals: warning signs count as suicide_plan."""
        out: list[str] = []
        for c in self.categories:
            k = "suicide_plan" if c == WARNING_SIGNS else c
            if k not in out:
                out.append(k)
        return out

    @property
    def negated(self) -> list[Signal]:
        return [s for s in self.signals if s.assertion == "negated"]

    @property
    def third_party(self) -> list[Signal]:
        return [s for s in self.signals if s.assertion == "other_person"]

    @property
    def not_assessed(self) -> list[Signal]:
        return [s for s in self.signals if s.assertion == "not_assessed"]

    @property
    def unasked(self) -> list[str]:
        """Risk kinds the text names as not yet asked about ("should I ask about suicide?", "SI - didn't ask"),
        with no current risk stated: the clinician is prompted to ask directly."""
        if self.is_risk:
            return []
        out: list[str] = []
        for source in ("lexicon", "semantic"):  # the explicit terms; failing them, the topic read by meaning
            for s in self.signals:
                asked = s.assertion == "not_assessed" or s.assertion == "hypothetical" and asks_whether(s.clause)
                if asked and s.source == source and s.category in RISK_DESCRIPTIONS and s.category not in out:
                    out.append(s.category)
            if out:
                break
        return out

    def describe_unasked(self) -> str:
        return _describe(self.unasked)

    @property
    def bereavement_by_suicide(self) -> list[str]:
        return [s.text for s in self.signals if s.category == "completed_suicide" and s.assertion != "negated"]

    @property
    def assertion(self) -> str | None:
        """How the text asserts its risk topic: present if any current risk, else the strongest mention's."""
        if self.is_risk:
            return "present"
        mentions = [s for s in self.signals if not (s.present and not s.level)]
        if not mentions:
            return None
        order = ("other_person", "negated", "not_assessed", "hypothetical", "historical", "present")
        lexical = [s for s in mentions if s.source == "lexicon"] or mentions
        return min(lexical, key=lambda s: (order.index(s.assertion), -s.score)).assertion

    def describe(self) -> str:
        return _describe(self.categories)


def _describe(categories: list[str]) -> str:
    return ", ".join(RISK_DESCRIPTIONS.get(c, c.replace("_", " ")) for c in categories)


@dataclass
class RequestView:
    out_of_frame: list[str] = field(default_factory=list)
    not_fit: list[str] = field(default_factory=list)
    adaptations: list[str] = field(default_factory=list)
    spans: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FocalInference:
    primary: str | None
    secondary: str | None
    evidence: list[FocalEvidence]


def risk_view(signals: Signals) -> RiskView:
    return RiskView([s for s in signals.items if s.family == "risk" or s.category == "completed_suicide"])


#: A method another provider used or suggests, or one the clinician used to practise: in its own clause it
#: is not a request of this therapy ("her last therapist kept linking everything to her childhood", "already on
#: an MBSR course through her GP", "in my CBT days I'd have done cognitive restructuring here").
_ELSEWHERE = re.compile(
    r"\b(?:(?:last|previous|prev|prior|old|former|other|earlier|first)\s+"
    r"(?:therapist|counsell?or|clinician|psychologist|"
    r"therapy|course\s+of\s+therapy)|in\s+my\s+\w+\s+days|trained\s+in|(?:already|currently)\s+(?:on|doing|attending|in)\b|"
    r"through\s+(?:her|his|their|the)\s+(?:GP|practice|school|work)|(?:psychiatrist|GP|colleague|doctor|teacher)\s+"
    r"(?:has\s+)?(?:suggested|recommended|prescribed|gave)|on\s+the\s+side|had\s+(?:me|her|him|them)\s+do|"
    r"did\s+\w+\s+for\s+years|with\s+(?:another|a\s+different|a\s+separate|the\s+other|a\s+specialist)\s+(?:team|service|therapist|"
    r"clinician|provider|counsell?or|psychologist|clinic)|"
    # ... another team or service doing it ("the eating disorder team are doing exposure to feared foods with her"), or
    # the client's own app ("she uses a sleep app with a 'mindfulness' track")
    r"(?:team|service|clinic|unit|dietitian|OT|nurses?)\s+(?:are|is|has\s+been|have\s+been)\s+(?:already\s+)?(?:doing|using|running|"
    r"providing|offering|delivering)|(?:she|he|they|pt|client)\s*(?:already\s+)?(?:uses|used|listens\s+to|has|'s\s+been\s+using|"
    r"has\s+been\s+using|been\s+using)\s+(?:an?\s+|the\s+)?"
    r"(?:[\w-]+\s+)?app\b|"
    # ... the client's own doing, on her own or from a self-help book ("pt did a thought record on her own from a
    # self-help book")
    r"(?:did|does|do|doing|done|tried|tries|trying|uses|used|using|practis\w*|practic\w*)\b[^.;?]{0,40}?\bon\s+(?:her|his|their)\s+own\b|"
    r"(?:from|in|out\s+of)\s+(?:a|her|his|their|the)\s+self[-\s]help\s+(?:book|app|guide|course|workbook|website)|"
    # ... someone else's therapist or counsellor at work ("her daughter's counsellor is doing the 'talk to the empty chair'
    # thing", "his psychologist uses EMDR")
    r"(?:'s|her|his|their)\s+(?:own\s+|new\s+|school\s+)?(?:therapist|counsell?or|psychologist|psychiatrist|psychotherapist)\s+"
    r"(?:is\s+|was\s+|has\s+been\s+|had\s+been\s+)?(?:doing|using|did|does|uses|used|tried|trying|teaching|taught|running|ran|started))\b", re.IGNORECASE)
#: The clinician declining a method, in its clause or the sentence after it ("I said no", "that's not what we
#: do here", "told pt it's not part of this treatment", "I'm not going to use exposure").
_DECLINED = re.compile(
    r"\b(?:i\s+said\s+no|said\s+(?:that'?s\s+)?not\s+what|not\s+what\s+we\s+do|not\s+part\s+of\s+(?:this|ipt|the|our)|"
    r"(?:i'?m|i\s+am)\s+not\s+going\s+to|i\s+won'?t\s+(?:be\s+)?(?:us|do|go|interpret)\w*|don'?t\s+think\s+it\s+fits|"
    r"ipt\s+doesn'?t\s+do|isn'?t\s+(?:part\s+of\s+)?ipt|"
    # ... or explaining that this therapy does not use it ("explained IPT doesn't use them", "told her we don't do that here")
    r"(?:explain\w*|told\s+(?:her|him|them|pt|cl))\s+(?:to\s+(?:her|him|them|pt|cl)\s+)?(?:that\s+)?(?:ipt|we|this\s+(?:therapy|approach|model)|"
    r"our\s+(?:approach|model|work)|the\s+model)\s+(?:doesn'?t|does\s+not|don'?t|do\s+not|won'?t|will\s+not)\s+(?:really\s+)?(?:use|do|include|involve|work\s+with)\b|(?:told|explained\s+to)\s+(?:pt|her|him|them|the\s+client)\s+"
    r"(?:it'?s|that'?s|this\s+is)\s+not|how\s+(?:do|can|should)\s+i\s+(?:\w+\s+)?(?:decline|say\s+no|turn\s+(?:it|this|that)\s+down)|"
    r"(?:politely|gently|kindly|firmly)\s+(?:declin\w*|refus\w*|sa(?:y|id)\s+no)|"
    # ... or decided against once named ("I was tempted to do exposure for her fear of lifts but decided against it")
    r"(?:decided|decide|chose|opted|went|voted)\s+against\s+(?:it|that|this|them|doing\s+(?:it|that|this|so))|"
    # ... or keeping the sessions on the frame's work ("she can keep using her app on her own time but our sessions stay on
    # the conflict with her partner")
    r"(?:our\s+|the\s+|these\s+)?sessions?\s+(?:will\s+|would\s+|should\s+)?(?:stay|stays|stick|sticks|keep|keeps)\s+(?:on|to|with|focused\s+on)\b|"
    # ... or saying what this therapy will do instead ("I said we'd keep to the dispute with her partner", "I said I'd rather
    # stay with reconstructing her relationship with her mum")
    r"(?:i\s+said|i\s+told\s+(?:him|her|them|my\s+supervisor|the\s+supervisor|my\s+sup))\s+(?:that\s+)?(?:we'?d|i'?d|we\s+would|"
    r"i\s+would|we'?ll|we\s+will|i'?ll)\s+(?:rather\s+|prefer\s+to\s+)?(?:keep|stay|stick)\s+(?:to|with)|"
    r"i'?d\s+(?:rather|prefer\s+to)\s+(?:stay|stick|keep)\s+(?:with|to|in|within)|"
    # ... in the words that keep the sessions on the frame ("I want to keep our sessions on the role transition"), or that
    # take up only the part that fits ("ask about her parents as part of the inventory, without turning it into childhood work")
    r"(?:keep|keeping)\s+(?:our|the|these|my)\s+sessions?\s+(?:on|to|with|focused\s+on)\b|"
    r"without\s+(?:turning|making)\s+(?:it|this|that|them)\s+(?:into\s+)?|"
    # ... or bringing the talk back to the frame, or asking what to do instead ("gently redirected to what's happening in
    # her relationships now", "I've been bringing it back to his current relationships", "let it happen or steer back?",
    # "I said that's not really our approach - what do I offer instead?", "out of scope for our IPT contract", "I'm
    # stopping myself"). Homework brought back is not a redirection: "fill in a thought record and bring it back next week".
    r"(?:redirect\w*|steer\w*|brought|bring\w*|guid\w*|turn\w*)\s+(?:(?:her|him|them|it|things|pt|cl|the\s+(?:client|session|conversation|focus|talk))\s+)?back\s+(?:to|towards?|round\s+to|onto)\b|steer\w*\s+(?:(?:her|him|them|it|things)\s+)?back\b|"
    r"redirect\w*\s+(?:(?:her|him|them|it|things|pt|cl|the\s+\w+)\s+)?(?:to|towards?)\b|"
    r"(?:what|how)\s+(?:do|can|could|should|would|might)\s+(?:i|we)\s+(?:\w+\s+)?(?:offer|do|suggest|use|say|give|try|explain)\b[^.?!]{0,40}\binstead\b|"
    r"explain\w*\s+(?:(?:to\s+)?(?:her|him|them|pt|cl)\s+)?(?:what\s+)?(?:we'?ll|we\s+will|we\s+do|we'?d)\b[^.?!]{0,60}\binstead\b|"
    r"not\s+(?:really\s+)?(?:our|my|the\s+ipt|an\s+ipt|the)\s+approach|not\s+(?:really\s+)?how\s+(?:we|i|ipt)\s+(?:work|works|do\s+(?:it|things))\b|(?:that'?s|it'?s|this\s+is|that\s+is|it\s+is|was)\s+(?:well\s+|really\s+|a\s+bit\s+)?(?:out\s+of|outside)\s+(?:the\s+|our\s+)?(?:scope|remit|frame|model)|"
    r"(?:i'?m|i\s+am|i'?ve\s+been)\s+(?:stopping|holding)\s+(?:myself|back)|"
    # ... or the clinician's own no, to the method or to a question about it ("I'm declining for now", "Actually no -
    # reread the manual", "Does the 'empty chair' fit IPT? I'm guessing no")
    r"(?:i'?m|i\s+am|we'?re|we\s+are)\s+(?:\w+\s+)?declin\w*|(?:that'?s|it'?s|this\s+is|that\s+is)\s+not\s+(?:really\s+)?(?:the|our)\s+(?:focus|work)\b|(?:^|[.?!]\s*)\W*actually,?\s+no\b|"
    r"(?:i'?m\s+guessing|i\s+guess|i\s+think|i'?d\s+say)\s+(?:no|not)\s*(?:[,.;:!?\-–—]|and\b|$)|"
    # ... or not wanting to go there, not doing it, or preferring the IPT way ("I don't want to go down that road", "I'm
    # not interpreting it", "I'm obviously not doing free association", "I'd rather do the IPT reconstruction")
    r"(?:i|we)\s+(?:really\s+)?(?:don'?t|do\s+not)\s+want\s+to\s+go\s+(?:down\s+(?:that|this|the)\s+(?:road|route|path)|there)\b|"
    r"(?:i'?m|i\s+am|we'?re|we\s+are)\s+(?:obviously\s+|definitely\s+|deliberately\s+|certainly\s+)?not\s+"
    r"(?:doing|using|interpreting|offering|giving|analys\w+|analyz\w+)\b(?!\s+(?:enough|much|more|as\s+much|a\s+lot)\b)|"
    r"(?:i'?d|i\s+would|we'?d)\s+(?:rather|prefer\s+to)\s+(?:do|use|go\s+with|try|stick\s+to)\s+(?:the\s+|an?\s+)?(?:ipt|interpersonal)\b)",
    re.IGNORECASE)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
#: ... unless the clause asks for it now ("he wants to 'reprocess' it using the eye movement thing his last
#: therapist did").
_WANTS_NOW = re.compile(r"\b(?:wants?\s+to|wanting\s+to|would\s+like|asks?\s+(?:for|to|if|whether|me)|asked\s+(?:for|me\s+to)|"
                        r"should\s+(?:i|we)|can\s+we|could\s+(?:i|we))\b", re.IGNORECASE)


#: ... the method taken up in the sentence after its mention elsewhere ("Client wants me to do it", "should I offer it?"; not
#: "should I worry about that").
_WANTS_IT = re.compile(r"\b(?:wants?\s+(?:me\s+|us\s+)?to|would\s+like\s+(?:me\s+|us\s+)?to|ask(?:s|ed)?\s+(?:me\s+)?to|"
                       r"should\s+(?:i|we)|can\s+(?:i|we)|could\s+(?:i|we)|shall\s+(?:i|we))\s+(?:\w+\s+)?(?:(?:do|use|try|offer|give|start|"
                       r"deliver|provide|run|include|resume|restart|continue|repeat)\s+(?:it|that|this|them|the\s+same)\b|"
                       r"(?:pick|take)\s+(?:it|that|this|them)\s+(?:back\s+)?up\b|carry\s+on\s+with\s+(?:it|that|this|them)\b|"
                       r"(?:go|run|roll)\s+(?:along\s+)?with\s+(?:it|that|this|them)\b|(?:follow|explore|work\s+with)\s+(?:it|that|this)\b)",
                       re.IGNORECASE)


def _sentences_from(s: Signal, text: str) -> tuple[str, str]:
    """The finding's sentence together with the one after it, and the one after it alone ("" where there is none)."""
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    at = next((k for k, (a, b) in enumerate(sentences) if a <= s.start < b), None)
    if at is None:
        return "", ""
    if at + 1 == len(sentences):
        return text[sentences[at][0]:sentences[at][1]], ""
    return text[sentences[at][0]:sentences[at + 1][1]], text[sentences[at + 1][0]:sentences[at + 1][1]]


def _not_asked_for(s: Signal, text: str) -> bool:
    """A method mentioned as another provider's, or declined by the clinician, is not asked for."""
    clause = s.clause or s.text
    # Another's method is asked for when the next sentence asks for it ("Her psychiatrist recommended EMDR. Client wants
    # me to do it").
    if _ELSEWHERE.search(clause) and not _WANTS_NOW.search(clause) and not _WANTS_IT.search(_sentences_from(s, text)[1]):
        return True
    return _declined(s, text)


def _taken_up(s: Signal, text: str) -> bool:
    """The sentence after the method's asks to do it ("Client wants me to do it", "Should I pick it back up?")."""
    return bool(_WANTS_IT.search(_sentences_from(s, text)[1]))


def _declined(s: Signal, text: str) -> bool:
    """The clinician declined the method, in its clause, its sentence or the sentence after it."""
    clause = s.clause or s.text
    return bool(_DECLINED.search(clause) or _DECLINED.search(_sentences_from(s, text)[0]))


#: In a clause that names a method outright, another method read by meaning alone needs this much: "replace the
#: negative thoughts with positive affirmations" names positive thinking, and the probes' cognitive restructuring
#: (0.88), thought records and mindfulness there are echoes of it.
BESIDE_EXPLICIT = 0.9


def request_view(signals: Signals, *, has_interpersonal_focus: bool) -> RequestView:
    out = RequestView()
    explicit: dict[str, set[str]] = {}
    for s in signals.items:
        if s.family == "frame" and s.source == "lexicon" and s.clause:
            explicit.setdefault(s.clause, set()).add(s.category)
    # A method named (or described) and declined: the same method read by meaning alone in a later sentence is that
    # mention carried by context ("I considered giving her a thought diary but decided against it - we'll stick with the
    # inventory. Does that sound right?", "Should I have her keep a log of her thoughts? Actually no ... But what if she
    # brings one in anyway?"), not a new request. (Another service's method may be asked for after: "Could we do some here?")
    declined = {}
    for s in signals.items:
        if s.family == "frame" and s.category not in declined and _declined(s, signals.text):
            declined[s.category] = s.end
    for s in signals.items:
        fam = s.family
        if fam == "frame" and s.source == "semantic" and s.clause in explicit \
                and s.category not in explicit[s.clause] and (s.score or 0.0) < BESIDE_EXPLICIT:
            continue
        if fam == "frame" and s.source == "semantic" and s.category in declined and s.start >= declined[s.category]:
            continue
        if fam == "frame" and s.assertion == "historical" and s.category not in out.out_of_frame \
                and _taken_up(s, signals.text) and not _declined(s, signals.text):
            # a method of past therapy the next sentence takes up ("Her previous therapist did some eye-movement
            # processing with her ... Should I pick it back up within our IPT?")
            out.out_of_frame.append(s.category)
            out.spans.setdefault(s.category, s.text)
        elif fam == "frame" and s.assertion in REQUEST_ASSERTIONS and s.category not in out.out_of_frame \
                and (s.assertion == "hypothetical" or not s.clause or _REQUEST_CUE.search(s.clause)
                     or _DELIVERY_CUE.search(s.clause) or _taken_up(s, signals.text)) \
                and not _not_asked_for(s, signals.text):
            out.out_of_frame.append(s.category)
            out.spans.setdefault(s.category, s.text)
        elif fam == "fit" and s.present and s.category in STABILISE_FIRST and s.category not in out.not_fit:
            if s.category == "anxiety_without_interpersonal_trigger" and has_interpersonal_focus:
                continue
            out.not_fit.append(s.category)
            out.spans.setdefault(s.category, s.text)
        elif fam == "adaptation" and _adaptation_holds(s) and s.category not in out.adaptations:
            out.adaptations.append(s.category)
            out.spans.setdefault(s.category, s.text)
    return out


#: An adaptation's programme named ("IPSRT", "IPT-A", "IPT-G"): the treatment the session is in, whoever else is in the
#: clause and whatever is asked about in it ("Parent session (IPT-A)", "asking about hypomania at every IPSRT session").
_PROGRAMME = re.compile(r"^(?:ipsrt|ipt[-\s]?(?:a|g|ed|b)|ipc|group\s+ipt|ipt\s+group)$", re.IGNORECASE)


#: A group that is not the therapy's format, the only group a clause read as the group format names: a group chat, a
#: friendship group, another service's or activity's group ("Team suggested a mindfulness group", "her old friendship
#: group", "the group chat would be shocked").
_OTHER_GROUP = re.compile(r"\b(?:friendship|friends'?|mindfulness|meditation|walking|running|book|whatsapp|facebook|peer|"
                          r"age|toddler|youth|parents'?|mums'?|moms'?|school|work|year)\s+groups?\b|"
                          r"\bgroups?\s+(?:chats?|threads?|texts?|messages?|photos?|calls?|pics?|of\s+friends)\b", re.I)
_GROUP_WORD = re.compile(r"\b(?:groups?|grp)\b", re.I)


def _adaptation_holds(s: Signal) -> bool:
    """Whether an adaptation finding applies to the client: present; or its programme named, in a clause that asks,
    supposes or names someone else; or a history of mania or bipolar disorder, which is IPSRT's indication (the
    "euthymic" rule spares IPSRT for the same reason). Not the group format read by meaning in a clause whose every
    group is another kind of group."""
    if s.present and s.category == "group" and s.source == "semantic":
        clause = s.clause or s.text
        return len(_GROUP_WORD.findall(clause)) != len(_OTHER_GROUP.findall(clause)) or not _GROUP_WORD.search(clause)
    if s.present:
        return True
    if s.assertion in ("hypothetical", "not_assessed", "other_person") and _PROGRAMME.match(s.text.strip()):
        return True
    return s.category == "ipsrt" and s.assertion == "historical"


def stabilise_first(signals: Signals, request: RequestView) -> list[str]:
    """Presentations where ordinary IPT waits: the fit screen plus mania, psychosis, intoxication at any risk level."""
    out = list(request.not_fit)
    for s in risk_view(signals).present:
        if s.category in ("mania", "psychosis", "intoxication") and s.category not in out:
            out.append(s.category)
    return [c for c in STABILISE_FIRST if c in out]


#: Deficits is the focus only when no death, dispute or transition fits (Weissman et al.).
_ORDER = ("grief", "role_transition", "role_dispute", "interpersonal_deficits")
SECONDARY_GAP = 0.08
#: How far below its firing threshold a reading may be and still name the secondary area.
SECONDARY_SLACK = 0.05
#: The score a death in the question gives grief when meaning alone did not.
DEATH_CUE = 0.85
#: Without a death in the text, grief found by meaning stands only at this probability or above.
GRIEF_WITHOUT_DEATH = 0.97
_GENERIC_GRIEF = re.compile(r"^\W*(?:grief|griev\w*|mourn\w*|bereave\w*|loss|lost)\W*$", re.IGNORECASE)


#: A death a loss is likened to is not a death: "she says it feels like a death", "the house is 'like a tomb'",
#: "it was as if someone had died".
_LIKENED = re.compile(r"\b(?:like|as\s+if|as\s+though|akin\s+to|similar\s+to|almost)\s+(?:(?:a|an|the|someone|somebody|"
                      r"she|he|they|i|it|had|has|was|just|kind\s+of|sort\s+of)\s+){0,3}['‘\"“]?$", re.IGNORECASE)


def focal_inference(signals: Signals, explicit: str | None = None) -> FocalInference:
    """Primary and secondary focal areas from the signals; ``explicit`` is an area the text names."""
    best: dict[str, tuple[float, list[str]]] = {}
    cued: set[str] = set()  # areas the text names a cue word of (knowledge/focal_areas.yaml cues)
    for s in signals.items:
        if s.family != "focal" or s.assertion in ("negated", "hypothetical", "not_assessed") or s.category not in _ORDER:
            continue
        if s.source == "semantic" and s.category == "grief" and _GENERIC_GRIEF.search(s.text.rstrip("?")):
            continue  # the clinician's word alone ("Grief? transition?"): its cue counts, not a meaning read into it
        score, cues = best.get(s.category, (0.0, []))
        best[s.category] = (max(score, s.score), cues + [s.text.strip()[:80]])
        if s.source == "lexicon":
            cued.add(s.category)
    death_words = [s for s in signals.items if s.assertion not in ("negated", "hypothetical") and (
        s.category in ("death", "completed_suicide")
        or (s.category == "grief" and s.source == "lexicon" and not _GENERIC_GRIEF.search(s.text)))
        and not (s.source == "lexicon" and _LIKENED.search(signals.text, max(0, s.start - 40), s.start))]
    death = bool(death_words)
    if death and explicit is None:
        # A death in the question is grief's cue (IPT's grief area is about a death): it competes with
        # the areas found by meaning, and wins over deficits.
        score, cues = best.get("grief", (0.0, []))
        best["grief"] = (max(score, DEATH_CUE), cues + [death_words[0].text.strip()])
    if "grief" in best and not death and explicit != "grief":
        # Grief needs a death unless the clinician names it as the focus; "grieving the marriage" is a
        # transition. Meaning alone must be near certain to stand in for the missing death.
        score, cues = best["grief"]
        if score < GRIEF_WITHOUT_DEATH:
            del best["grief"]
    if explicit:
        score, cues = best.get(explicit, (0.0, []))
        best[explicit] = (max(score, 1.0) + 1.0, cues or [explicit.replace("_", " ")])
    if not best:
        return FocalInference(None, None, [])
    from .semantic import threshold

    ranked = sorted(best, key=lambda a: (-best[a][0], _ORDER.index(a)))
    # A primary area needs its full threshold (an explicit name or a death always has it); an area
    # found just below its threshold can only be the secondary one.
    strong = [a for a in ranked if best[a][0] >= threshold(a)["fire"] or a == explicit]
    if not strong:
        return FocalInference(None, None, [FocalEvidence(area=a, score=round(best[a][0], 3), cues=best[a][1][:3])  # type: ignore[arg-type]
                                           for a in ranked])
    primary = strong[0]
    others = [a for a in strong if a != "interpersonal_deficits" and (a in cued or best[a][0] >= best[primary][0] - SECONDARY_GAP)]
    if primary == "interpersonal_deficits" and primary != explicit and others:
        primary = others[0]  # deficits is the focus only when no death, dispute or transition fits
    rest = [a for a in ranked if a != primary]
    # A secondary area needs its cue words or a reading close to its threshold: a faint one beside a focus the text
    # names ("Session 7, grief focus ... she still can't look at photos of her mother": role dispute 0.52) is noise.
    second = [a for a in rest if a in cued or best[a][0] >= threshold(a)["fire"] - SECONDARY_SLACK]
    secondary = second[0] if second else None
    if secondary == "grief" and not death:
        secondary = None
    evidence = [FocalEvidence(area=a, score=round(best[a][0], 3), cues=best[a][1][:3]) for a in [primary] + rest]  # type: ignore[arg-type]
    return FocalInference(primary, secondary, evidence)


#: The areas' technical names. Naming one as the focus ("role dispute with her mother", "grief focus",
#: "FA: transition") wins over inference; a bare word in a question ("should I switch to grief work?")
#: is only a cue.
_NAMED = {
    "grief": r"\b(?:complicated|abnormal|unresolved|delayed|chronic)\s+(?:grief|bereavement)\b|\bgrief\s+(?:focus|area)\b|"
             # grief for a person named ("his grief about his mum", "the grief work about his wife", "grief for her dad")
             r"\bgrie(?:f|ving)\s+(?:work\s+)?(?:about|for|over|after|of)\s+(?:his|her|their|my|the)\s+(?:late\s+)?"
             r"(?:mum|mom|mother|dad|father|wife|husband|partner|son|daughter|brother|sister|baby|child|friend|nan|gran|"
             r"grandma|grandad|grandfather|grandmother)\b",
    "role_dispute": r"\b(?:role|interpersonal)[\s-]+(?:disputes?|conflicts?)\b|\bdispute\s+(?:focus|area)\b",
    "role_transition": r"\brole[\s-]+transitions?\b|\btransition\s+(?:focus|area)\b",
    "interpersonal_deficits": r"\binterpersonal\s+(?:deficits?|sensitivity)\b|\bdeficits?\s+(?:focus|area)\b",
}
_LABELLED = re.compile(r"\b(?:focus|focal\s+area|fa|problem\s+area)(?:\s+(?:agreed|confirmed|set|chosen))?"
                       r"(?:\s*\((?:agreed|confirmed|clinician[\s-]named|named|chosen|set|joint|together)[^)]{0,20}\))?"
                       r"(?:\s+(?:at|in|on)?\s*(?:session|sess|s)\.?\s*\d{1,2})?\s*(?:is|was|:|=|-)?\s*(?:on\s+)?"
                       r"(grief|bereavement|(?:role\s+)?disputes?|(?:role\s+)?transitions?|(?:interpersonal\s+)?deficits?|"
                       r"isolation|interpersonal\s+sensitivity)\b", re.IGNORECASE)


_HEADER_LABEL = re.compile(
    r"(?:^|[.;\n])\s*(?:(?:session|sess|s)\.?\s*\d{1,2}(?:\s*(?:of|/)\s*\d{1,2})?\s*[,:\-–]\s*)?"
    r"(grief|bereavement|(?:role\s+)?disputes?|(?:role\s+)?transitions?|(?:interpersonal\s+)?deficits?)\s*(?:[.;,\n]|$)",
    re.IGNORECASE)


def named_focus(text: str) -> str | None:
    """The focal area the text names outright, if exactly one: "role dispute with her mother",
    "grief focus", "FA: transition", or a header label ("Session 5, grief.")."""
    m = _LABELLED.search(text) or _HEADER_LABEL.search(text)
    if m:
        word = m.group(1).lower()
        for area, key in (("grief", "grie"), ("grief", "bereave"), ("role_dispute", "disput"),
                          ("role_transition", "transition"), ("interpersonal_deficits", "deficit"),
                          ("interpersonal_deficits", "isolation"), ("interpersonal_deficits", "sensitivity")):
            if key in word:
                return area
    # (an area named as the secondary one, "secondary role transition to living alone", is not the focus)
    named = [a for a, pat in _NAMED.items()
             if any(not re.search(r"\bsecondary\W+(?:\w+\W+)?$", text[:m.start()], re.IGNORECASE)
                    for m in re.finditer(pat, text, re.IGNORECASE))]
    return named[0] if len(named) == 1 else None
