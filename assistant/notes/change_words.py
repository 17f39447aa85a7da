"""Change, outcome and severity words a draft may use only when the bullets bear them out ("improved", "much
calmer", "moderately severe", "substantial"): no semantic rescue. Used by the fact check for every sentence, and
by the risk lift (:mod:`.risk_lift`) to tell a supported change from a softening."""

from __future__ import annotations

import re

#: Change and outcome words, and severity bands, a draft may use only when the bullets do: no semantic rescue.
#: A band is a rating in words ("PHQ-9 of 14 falls in the mild range"): in the labelled drafts of dev,
#: fresh_read and fresh2_read every band word the bullets did not write was a planted invention.
_STRICT = re.compile(r"\b(?:improv\w*|(?<!\bthe\s)better(?!\s+off\b)|worse|worsen\w*|calmer|calm|remission|recover\w*|halved|doubled|"
                     r"mild(?:ly)?|moderate(?:ly)?|severe(?:ly)?|minimal|sub-?clinical|sub-?threshold|"
                     r"(?:possible|probable)(?=\s+(?:postnatal\s+|perinatal\s+)?depression)|"
                     r"(?:clinical|normal|non-clinical)\s+range|"
                     r"marked(?:ly)?|significant(?:ly)?|dramatic\w*|substantial\w*|resolv\w*|settled|"
                     r"much\s+(?:better|worse|calmer|happier|brighter)|happier|brighter|lifted|eased)\b", re.I)
#: "marked" as a verb with its object ("marked Ray's birthday at his grave", "marked the anniversary"), not "marked(ly)".
_MARKED_AS_VERB = re.compile(r"\s+(?:the|a|an|his|her|their|its|[A-Z][\w'’]*['’]s)\b")
#: A band the bullets wrote in shorthand: "PHQ-9 14 (mod)", "sev depression".
_BAND_SHORTHAND = {"mod": r"\bmod\b", "sev": r"\bsev\b"}


def unsupported_strict(sentence: str, original: str, src: str, bullet_lines: list[str]) -> list[str]:
    """The change, outcome and severity words of a sentence the bullets do not bear out. A word stands when the
    bullets have it, a scale's scores bear it out, or a line the sentence retells states that direction of
    change in other words ("improved" for "sleep better, ~6h"). ``src`` is the normalised bullets."""
    from .changes import retold_change
    from .scales import change_supported, mask_verified

    # The catalog's aim is template text; a band that is right for the documented score is supported.
    strict = "" if "(standard IPT aim" in sentence else mask_verified(sentence, src)
    out = []
    for m in _STRICT.finditer(strict):
        word = m.group(0)
        if word.lower() == "marked" and _MARKED_AS_VERB.match(strict, m.end()):
            continue  # "marked Ray's birthday": a verb, not an intensity
        shorthand = _BAND_SHORTHAND.get(word.lower()[:3])
        if word.lower() not in src and not (shorthand and re.search(shorthand, src)) \
                and not change_supported(word, sentence, src) and not retold_change(word, original, bullet_lines):
            out.append(word)
    return out
