"""The helpers of the word-level diff view."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from quoteverify.render.diffview import Piece, Tag, one_line

#: every kind of whitespace, and text around it
TEXTS = st.text(alphabet=st.sampled_from(list("ab \t\n\r\x0b\x0c\x1c\x85\u00a0\u2028\u2029\u3000\u200b\u00e9")), max_size=20) | st.text(max_size=20)


@given(TEXTS)
def test_one_line_is_every_whitespace_run_made_one_space_and_stripped(text: str) -> None:
    # the fast path for a text that is one line already, held to the general one
    assert one_line(text) == re.sub(r"\s+", " ", text).strip()


def test_a_piece_reads_its_tags() -> None:
    change = Piece("change", parts=(Piece("del", "x"),), tags=(Tag("case", "minor", "q1-v1"), Tag("elision", "major", "q1-v2")))
    assert change.severity == "major"
    assert change.kinds == "case elision"
    assert Piece("text", "a").severity == "none"
    assert change._replace(text="t").parts == change.parts
