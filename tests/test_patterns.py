"""Compiled ``regex`` patterns kept between runs: what is read back is what ``regex.compile`` gives, and nothing else is."""

from __future__ import annotations

import functools
import os
import pickle
import tempfile
from pathlib import Path

import regex
from hypothesis import given
from hypothesis import strategies as st

from quoteverify._patterns import PatternCache
from quoteverify.ingest import boilerplate

_I = regex.IGNORECASE | regex.VERSION1
PATTERNS = [
    (r"^[\W_]{0,3}(?:image caption|photo credit|credit)\s*[:,.]?\s*$", _I),
    (r"\p{Lu}", 0),
    (r"[\p{L}--[\p{Script=Latin}]]", regex.VERSION1),
    (r"(?:\s*,){3,}\s*$", 0),
]


def _kept(folder: Path) -> list[regex.Pattern[str]]:
    cache = PatternCache("test", folder)
    compiled = [cache.compile(p, f) for p, f in PATTERNS]
    cache.save()
    return compiled


def test_patterns_read_back_are_the_ones_kept(tmp_path: Path) -> None:
    kept = _kept(tmp_path)
    again = PatternCache("test", tmp_path)
    read = [again.compile(p, f) for p, f in PATTERNS]
    assert again.compiled == 0
    for (p, f), pattern, original in zip(PATTERNS, read, kept):
        assert pickle.dumps(pattern) == pickle.dumps(original)
        fresh = regex.compile(p, f)
        assert (pattern.pattern, pattern.flags, pattern.groups) == (fresh.pattern, fresh.flags, fresh.groups)


@functools.cache
def _read_back() -> list[tuple[regex.Pattern[str], regex.Pattern[str]]]:
    """Each pattern as read back from a kept file, beside the pattern compiled."""
    with tempfile.TemporaryDirectory() as d:
        _kept(Path(d))
        read = PatternCache("test", d)
        return [(read.compile(p, f), regex.compile(p, f)) for p, f in PATTERNS]


@given(st.text(alphabet=st.sampled_from("aZ ,.:\u0416\u00e9\u0301Credit caption\n"), max_size=40))
def test_patterns_read_back_match_as_compiled(text: str) -> None:
    for mine, fresh in _read_back():
        assert [m.span() for m in mine.finditer(text)] == [m.span() for m in fresh.finditer(text)]


def test_an_edited_pattern_is_compiled_anew(tmp_path: Path) -> None:
    _kept(tmp_path)
    again = PatternCache("test", tmp_path)
    assert again.compile(r"\p{Lu}", 0).search("aB") is not None
    edited = again.compile(r"\p{Ll}", 0)
    assert again.compiled == 1
    assert edited.search("AB") is None and edited.pattern == r"\p{Ll}"
    # the same text with other flags is another pattern
    assert again.compile(r"\p{Lu}", regex.IGNORECASE).flags & regex.IGNORECASE
    assert again.compiled == 2


class _Planted:
    """An object whose unpickling would run a call: what a file in the cache folder must never do."""

    def __reduce__(self) -> tuple[object, ...]:
        return (os.mkdir, (self.target,))

    def __init__(self, target: str) -> None:
        self.target = target


def test_a_file_holding_anything_else_is_not_used(tmp_path: Path) -> None:
    target = tmp_path / "made-by-unpickling"
    cache = PatternCache("test", tmp_path)
    cache.path.write_bytes(pickle.dumps({(r"\p{Lu}", 0, int(regex.DEFAULT_VERSION)): _Planted(str(target))}))
    pattern = cache.compile(r"\p{Lu}", 0)
    assert not target.exists()
    assert cache.compiled == 1 and pattern.search("aB") is not None


def test_a_broken_or_mismatched_file_is_not_used(tmp_path: Path) -> None:
    _kept(tmp_path)
    path = PatternCache("test", tmp_path).path
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    broken = PatternCache("test", tmp_path)
    assert broken.compile(*PATTERNS[0]).pattern == PATTERNS[0][0]
    assert broken.compiled == 1
    # a pattern filed under another pattern's text is not taken for it
    wrong = {(r"\p{Ll}", 0, int(regex.DEFAULT_VERSION)): regex.compile(r"\p{Lu}")}
    path.write_bytes(pickle.dumps(wrong))
    misfiled = PatternCache("test", tmp_path)
    assert misfiled.compile(r"\p{Ll}").search("A") is None
    assert misfiled.compiled == 1


def test_a_folder_that_cannot_be_written_leaves_patterns_compiled(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    cache = PatternCache("test", blocked / "patterns")
    assert cache.compile(r"\p{Lu}").search("aB") is not None
    cache.save()  # nothing to write into: no error
    assert blocked.read_text() == "not a folder"


def test_boilerplate_patterns_find_what_regex_compiles_finds() -> None:
    """The module's patterns (read from the cache folder when a run kept them) against patterns compiled here.

    Not byte for byte: ``regex`` itself may order a pattern's first set
    (the characters a match can start with) otherwise in another process.
    """
    corpus = Path(__file__).parents[1] / "corpus" / "seely-letter" / "articles"
    lines = [line for f in sorted(corpus.glob("*.txt")) for line in f.read_text(encoding="utf-8").splitlines()]
    lines += ["Image caption,", "Picture: PA", "READ MORE", "Advertisement", "Sign up to our newsletter", "\u0416\u0443\u043a"]
    kept = [v for v in vars(boilerplate).values() if isinstance(v, regex.Pattern)]
    kept += [p for _, p in boilerplate._PROMO] + [p for _, p in boilerplate._SCRIPTS]
    assert len(kept) >= 30
    for pattern in kept:
        fresh = regex.compile(pattern.pattern, pattern.flags)
        assert pattern.flags == fresh.flags
        for line in lines:
            assert [m.span() for m in pattern.finditer(line)] == [m.span() for m in fresh.finditer(line)]


def test_a_file_others_may_write_is_not_read(tmp_path: Path) -> None:
    _kept(tmp_path)
    path = PatternCache("test", tmp_path).path
    path.chmod(0o666)
    shared = PatternCache("test", tmp_path)
    assert shared.compile(*PATTERNS[1]).search("aB") is not None
    assert shared.compiled == 1
    path.chmod(0o644)
    own = PatternCache("test", tmp_path)
    own.compile(*PATTERNS[1])
    assert own.compiled == 0
