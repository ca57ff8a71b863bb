"""Letters of other scripts that look like Latin letters, mapped to the Latin letter.

The data is Unicode's confusables list, as packaged by confusable-homoglyphs.
Used twice: to *find* a quotation whose letters were swapped for look-alikes
(search keys compare the Latin skeleton), and to *name* the swap as a
``homoglyph`` variant (the alignment compares the real letters).
"""

from __future__ import annotations

import string
import unicodedata

from confusable_homoglyphs import categories, confusables


def _skeleton_table() -> dict[int, str]:
    data = confusables.confusables_data
    # Latin letters each non-Latin letter is listed as confusable with, both ways round
    latin_of: dict[str, list[str]] = {}
    for ch, glyphs in data.items():
        for g in glyphs:
            c = g["c"]
            if len(ch) == 1 and len(c) == 1:
                if c in string.ascii_letters:
                    latin_of.setdefault(ch, []).append(c)
                elif ch in string.ascii_letters:
                    latin_of.setdefault(c, []).append(ch)
    table: dict[int, str] = {}
    for ch, latin in sorted(latin_of.items()):
        if ch in string.ascii_letters or not unicodedata.category(ch).startswith("L"):
            continue
        if categories.alias(ch) in ("LATIN", "COMMON"):
            continue
        # the Latin letter of the same case where the list offers one
        same_case = [c for c in latin if c.isupper() == ch.isupper()]
        if not same_case:
            # the letter its name ends in: CYRILLIC CAPITAL LETTER ... I is an I
            last = unicodedata.name(ch, "").rsplit(" ", 1)[-1]
            if len(last) == 1 and last in string.ascii_uppercase:
                same_case = [last if ch.isupper() else last.lower()]
        table[ord(ch)] = (same_case or latin)[0]
    return table


#: ``str.translate`` table: look-alike letter of another script -> Latin letter
SKELETON: dict[int, str] = _skeleton_table()
