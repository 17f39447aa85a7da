"""Claim-level support of a draft sentence by the clinician's bullets.

Two measures for each sentence, used with the typed-entity and risk checks in :mod:`.factcheck`:

* **content grounding**: the sentence's content words, stemmed (Snowball English), must be found in
  the bullets (with clinicians' shorthand expanded: "c/o", "hx", "MIL", "wk", digits and number
  words) or in a small listed vocabulary of note-template and IPT words (``vocabulary.yaml``);
* **semantic support**: the cosine similarity of the sentence to the best-matching bullet clause, with the same MiniLM encoder as retrieval, all in one batch.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ..yamlfile import load_yaml
from .number_words import number_words

_WORD = re.compile(r"[a-z][a-z'’\-]*|\+\+|[a-z]+/[a-z]+'?[a-z]*|\d+", re.I)
#: Function words: never content, never evidence.
STOPWORDS = frozenset("""
a an the and or but nor so yet if then than that this these those there here of in on at to for from by with
without within into onto over under about above below after before during since until while as is am are was
were be been being do does did doing done have has had having will would shall should can could may might must
not no nor very just only also too quite rather much many more most less least some any all every each either
neither both few several such same own what which who whom whose when where why how it its it's itself i me my
we us our you your yours one's s t d ll re ve m o n y
something anything everything someone anyone somebody anybody
""".split())
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                 "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "first": "1",
                 "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6", "seventh": "7",
                 "eighth": "8", "ninth": "9", "tenth": "10", "once": "1", "twice": "2", "half": "50"}


_STEM_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # A Snowball stemmer object keeps its state between calls: not safe across threads (eval workers).
    with _STEM_LOCK:
        return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def vocabulary_data() -> dict:
    local = Path(__file__).with_name("vocabulary.yaml")
    text = local.read_text(encoding="utf-8") if local.exists() else \
        resources.files("assistant.notes").joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    return load_yaml(text)


@lru_cache(maxsize=1)
def vocabulary() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """(allowed stems, shorthand -> words)."""
    data = vocabulary_data()
    words = " ".join(data[k] for k in ("template", "ipt", "light", "process", "risk")).split()
    expansions = {k.lower(): tuple(v) for k, v in data["expansions"].items()}
    return frozenset(stem_all(words)), expansions


def region_names(bullets: str) -> list[str]:
    """The regions the bullets name by postal code after a place ("Raleigh NC" -> "North Carolina")."""
    regions = vocabulary_data().get("regions") or {}
    return [str(regions[m.group(1)]) for m in re.finditer(r"\b[A-Z][a-z]+,?\s+([A-Z]{2,3})\b", bullets)
            if m.group(1) in regions]


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[frozenset[str], ...]:
    return tuple(frozenset(stem_all(list(g))) for g in vocabulary_data()["synonyms"])


@lru_cache(maxsize=1)
def _lemmas() -> dict[str, str]:
    """Irregular verb forms -> their base (the signal layer's ``irregular_verbs.yaml``)."""
    from ..signals.placement import irregular_verbs

    return {form: forms[0] for forms in irregular_verbs() for form in forms[1:]
            if form != forms[0]}


def stem_all(words: list[str]) -> list[str]:
    out = []
    lemmas = _lemmas()
    for w in words:
        w = w.lower().replace("’", "'")
        w = re.sub(r"'s$", "", w)
        w = lemmas.get(w, w)
        if w.isdigit():
            out.append(w)
            continue
        w = _NUMBER_WORDS.get(w, w)
        if w.isdigit():
            out.append(w)
            continue
        for part in re.split(r"[-/]", w) if not w.startswith("+") else [w]:
            part = part.strip("'")
            part = _NUMBER_WORDS.get(part, part)  # "one-to-one"
            if part.isdigit():
                out.append(part)
                continue
            if part and part not in STOPWORDS:
                out.append(_stem(part))
    return out


#: A negative contraction written without its apostrophe, as bullets often are ("wouldnt", "cant", "doesnt").
_BARE_NT = re.compile(r"^(would|could|should|must|need|do|does|did|is|are|was|were|have|has|had|ca|wo)nt$")


def tokens(text: str) -> list[str]:
    return [_BARE_NT.sub(r"\1n't", t.lower().replace("’", "'")) for t in _WORD.findall(text)]


def content_stems(text: str) -> list[str]:
    text = re.sub(r"(?<=\w)\[\w{1,4}\]", "", text)  # an editorial inflection in a quote: "wish[es]"
    return [s for s in stem_all([t for t in tokens(text) if t not in STOPWORDS]) if s and s not in STOPWORDS]


@dataclass(frozen=True)
class Support:
    ungrounded: tuple[str, ...]  # content stems found neither in the bullets nor in the vocabulary
    content: int  # how many content stems the sentence has
    similarity: float  # best cosine to a bullet clause
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)  # embedding, when ungrounded
    nearest: str = ""  # the best-matching bullet clause, when ungrounded


#: Words for a score's move, grounded when the bullets give a current and an earlier score that moved so.
_MOVED = {"down": ["reduction", "reduced", "fall", "fallen", "fell", "drop", "dropped", "decrease", "decreased", "lower",
                   "down", "improvement", "improved", "slight", "slightly", "modest", "modestly", "point", "points",
                   "eased", "easing", "lifted"],
          "up": ["increase", "increased", "rise", "risen", "rose", "higher", "up", "worse", "worsened", "slight",
                 "slightly", "modest", "modestly", "point", "points", "deteriorated", "deterioration"]}


#: An age and sex written as clinicians code them ("15F", "34M", "F 29", "15yo F"), and the words a note may
#: use for that person.
_AGE_SEX = re.compile(r"\b\d{1,2}(?:\s?(?:yo|y/o|yrs?|years?\s+old)\s?)?([FM])\b|\b([FM])\s?\d{1,2}\b")
_SEX_WORDS = {"F": ["female", "woman", "girl", "lady", "she", "her"], "M": ["male", "man", "boy", "gentleman", "he", "him"]}


#: A time of day written with "am" or "pm" after a day or an hour ("tmrw am", "Tues pm", "9am").
_HALF_DAY = re.compile(r"(?:\b(?:tmrw|tmr|tomorrow|today|mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun|monday|tuesday|"
                       r"wednesday|thursday|friday|saturday|sunday)\s+|\d(?::\d\d)?\s?)(am|pm)\b", re.I)
_HALF_DAY_WORDS = {"am": ["morning"], "pm": ["afternoon", "evening"]}


#: A count written as clinicians code it ("x3", "3x", "×2").
_COUNT = re.compile(r"(?<![\w/])[x×]\s?\d{1,2}\b|\b\d{1,2}\s?[x×](?!\w)", re.I)


#: A denial reaching back over the client's life ("no prior attempts", "nil prev SH", "no hx of violence", "none
#: ever", "no physical harm to pt ever"): a note may say "never".
_EVER_DENIED = re.compile(r"\b(?:no|nil|none|denies|denied|not|n't)\W+(?:\w+\W+){0,2}?"
                          r"(?:prior|prev|previous(?:ly)?|past|lifetime|hx|history|ever|before)\b|\bnone\s+ever\b|"
                          # "ever" later in the denial's clause: "no physical harm to pt ever per pt"
                          r"\b(?:no|nil|never|denies|denied)\b[^.;,\n]{0,40}?\bever\b", re.I)


def adverb_forms(words: list[str]) -> list[str]:
    """The adjective of each adverb in ``words`` and the adverb of each other word ("briefly" / "brief", "happily" /
    "happy"): a note may turn one into the other without adding a fact."""
    out = []
    for w in words:
        if len(w) < 4 or not w.isalpha():
            continue
        if w.endswith("ily") and len(w) > 5:
            out.append(w[:-3] + "y")
        elif w.endswith("ly") and len(w) > 5:
            out.append(w[:-2])
        else:
            out.append(w[:-1] + "ily" if w.endswith("y") else w + "ly")
    return out


class Grounding:
    """The bullets' evidence, built once per note; :meth:`check` scores draft sentences in one batch."""

    def __init__(self, bullets: str, clauses: list[str], names: frozenset[str] = frozenset()) -> None:
        allowed, expansions = vocabulary()
        allowed = allowed | names
        words = tokens(bullets)
        extra: list[str] = []
        for w in words:
            # "Sat/Sun", "Tue/Thu", "post-MI"; shorthand made a verb with an apostrophe: "OD'd", "ref'd"
            for part in {w, w.rstrip("."), re.sub(r"'d$", "", w), *re.split(r"[/-]", w)}:
                extra += expansions.get(part, ())
        if re.search(r"\b[qQ]\s?#?\d{1,2}\b", bullets):  # a scale's item in shorthand: "PHQ-9 q9 = 0"
            extra += ["item", "question"]
        for half in {m.group(1).lower() for m in _HALF_DAY.finditer(bullets)}:  # "f/u call tmrw am": "tomorrow morning"
            extra += _HALF_DAY_WORDS[half]
        extra += adverb_forms(words)  # "briefly" grounds "brief", "brief" grounds "briefly"
        extra += number_words(bullets)  # "twenty co-codamol" for "20 x co-codamol"
        if _EVER_DENIED.search(bullets):  # "no prior attempts": she has never made one
            extra += ["never"]
        if _COUNT.search(bullets):  # a count in shorthand: "urges x3 this wk" is three occasions
            extra += ["occasion", "occasions", "times", "episode", "episodes", "instance", "instances"]
        for shorthand, expanded in expansions.items():
            if not shorthand[0].isalnum() and shorthand in bullets.lower():
                extra += expanded  # "++", "w/"
        from .scales import directions, full_names

        extra += tokens(" ".join(full_names(bullets)))  # "Edinburgh Postnatal Depression Scale" for "EPDS"
        extra += tokens(" ".join(region_names(bullets)))  # "North Carolina" for "Raleigh NC"
        for sex in {m.group(1) or m.group(2) for m in _AGE_SEX.finditer(bullets)}:  # "15F": a girl; "34M": a man
            extra += _SEX_WORDS[sex]
        for way in directions(bullets):  # the scores moved: a note may say which way
            extra += _MOVED[way]
        found = frozenset(content_stems(bullets)) | frozenset(stem_all(extra))
        for group in synonym_groups():
            if group & found:
                found |= group
        self.stems = found | allowed
        self.clauses = [c for c in clauses if c.strip()]
        self.evidence = self.clauses

    def check(self, sentences: list[str]) -> list[Support]:
        from ..embeddings import get_encoder

        stems_per = [content_stems(s) for s in sentences]
        ungrounded = [tuple(dict.fromkeys(x for x in st if x not in self.stems and not x.isdigit())) for st in stems_per]
        need = [i for i, u in enumerate(ungrounded) if u]
        sims = np.zeros(len(sentences), dtype=np.float32)
        own: dict[int, np.ndarray] = {}
        nearest: dict[int, str] = {}
        if need and self.evidence:
            vectors = get_encoder().encode(self.evidence + [sentences[i] for i in need])
            ev, sv = vectors[:len(self.evidence)], vectors[len(self.evidence):]
            cos = sv @ ev.T
            sims[need] = cos.max(axis=1)
            own = dict(zip(need, sv))
            nearest = {i: self.evidence[int(j)] for i, j in zip(need, cos.argmax(axis=1))}
        return [Support(u, len(st), float(sims[i]), own.get(i), nearest.get(i, ""))
                for i, (u, st) in enumerate(zip(ungrounded, stems_per))]


_NAMES: dict[str, frozenset[str]] = {}


def catalog_names(cat: object) -> frozenset[str]:
    """Stems of the knowledge base's entry names and synonyms (techniques, phases, focal areas,
    adaptations): a note may name IPT work in the catalog's words."""
    key = getattr(cat, "content_hash", "")
    if key not in _NAMES:
        names: list[str] = []
        for t in cat.techniques.values():  # type: ignore[attr-defined]
            names += [t.name, *getattr(t, "synonyms", [])]
        names += [p.name for p in cat.phases.values()]  # type: ignore[attr-defined]
        names += [a.name for a in cat.focal.areas] + [x.name for x in cat.frame.adaptations]  # type: ignore[attr-defined]
        _NAMES[key] = frozenset(content_stems(" ".join(names)))
    return _NAMES[key]
