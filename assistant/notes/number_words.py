"""Numbers above twelve written as words: which words a number in the bullets grounds, and which words a draft
may use only when the bullets bear them out. Light on purpose: the fact check imports it at start."""

from __future__ import annotations

import re

_TEENS = ("thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
#: The tens by their values ("twenty-one" is read as twenty plus one).
TENS = {word: 20 + 10 * i for i, word in enumerate(_TENS_WORDS)}
#: The number words above twelve (one to twelve are common words).
BIG_NUMBER_WORDS = _TEENS + _TENS_WORDS + ("hundred", "thousand")


def number_words(text: str) -> list[str]:
    """The words a note may write for the numbers in ``text`` above twelve (one to twelve are template words):
    "20" grounds "twenty", "21" "twenty" (its "one" is a template word), "200" "hundred"."""
    out = []
    for m in re.finditer(r"(?<![\d.])\d{2,4}(?![\d.])", text):
        n = int(m.group(0))
        if 13 <= n <= 19:
            out.append(_TEENS[n - 13])
        elif 20 <= n < 100:
            out.append(_TENS_WORDS[n // 10 - 2])
        elif n >= 100 and n % 100 == 0:
            out += ["hundred"] + (["thousand"] if n % 1000 == 0 else [])
    return out
