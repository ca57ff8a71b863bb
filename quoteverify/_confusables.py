"""Letters of other scripts that look like Latin letters, mapped to the Latin letter.

The data is Unicode's confusables list, as packaged by confusable-homoglyphs.
Used twice: to *find* a quotation whose letters were swapped for look-alikes
(search keys compare the Latin skeleton), and to *name* the swap as a
``homoglyph`` variant (the alignment compares the real letters).

The table is computed from the list by :func:`skeleton_table` and kept in
:mod:`quoteverify._skeleton_data` (``python -m quoteverify._confusables``
writes it again), so that a run does not load the list at every start.
"""

from __future__ import annotations

import string
import unicodedata

from quoteverify._skeleton_data import SKELETON as SKELETON


def skeleton_table() -> dict[int, str]:
    """The table computed from the confusables list as installed."""
    from confusable_homoglyphs import categories, confusables

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


def _write_data() -> None:
    from pathlib import Path

    path = Path(__file__).with_name("_skeleton_data.py")
    head = path.read_text(encoding="utf-8").split("SKELETON: dict[int, str] = {")[0]
    body = "".join(f"    0x{k:04X}: {v!r},\n" for k, v in sorted(skeleton_table().items()))
    path.write_text(head + "SKELETON: dict[int, str] = {\n" + body + "}\n", encoding="utf-8")


if __name__ == "__main__":
    _write_data()
