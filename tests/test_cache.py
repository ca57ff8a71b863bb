"""What is kept in the user's cache folder: the methods ``dataclasses`` writes for the package's classes.

A class made from kept code must be the class made from the source text:
the same code in every method, the same behaviour; a class of any other
module is made as always; a broken or foreign file is not used.
"""

from __future__ import annotations

import atexit
import dataclasses
import inspect
import marshal
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles import examples
from quoteverify import _cache, models

PROBE = '''
from __future__ import annotations
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Probe:
    """A class with defaults, a factory and a field left out of comparisons."""
    name: str
    count: int = 0
    tags: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list, compare=False)

@dataclass(frozen=True)
class Single:
    only: str
'''


def _make(module_name: str) -> types.ModuleType:
    """The probe classes, defined in a fresh module of the given name."""
    module = types.ModuleType(module_name)
    sys.modules[module_name] = module
    try:
        exec(compile(PROBE, f"<{module_name}>", "exec"), module.__dict__)
    finally:
        del sys.modules[module_name]
    return module


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh file of kept methods, for the length of one test."""
    if "exec" not in vars(dataclasses):
        pytest.skip("dataclasses writes its methods otherwise on this Python")
    path = tmp_path / "methods.marshal"
    monkeypatch.setattr(_cache, "_methods", _cache._CompiledSources(path))
    yield path


def _code_fields(code: types.CodeType) -> tuple[Any, ...]:
    consts = tuple(_code_fields(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return (
        code.co_code, consts, code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars,
        code.co_filename, code.co_name, code.co_flags,
    )


METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


def _method_code(cls: type, name: str) -> types.CodeType:
    fn = vars(cls)[name]
    return getattr(fn, "__wrapped__", fn).__code__


def test_classes_made_from_kept_code_are_the_classes_made_from_source(kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as plain_dataclasses:
        plain_dataclasses.delattr(dataclasses, "exec")
        plain = _make("quoteverify._probe")  # as dataclasses makes them with no exec but its own
    other = _make("tests_cache_probe")  # not of the package: made as always
    assert _cache._methods is not None and _cache._methods.compiled == 0
    first = _make("quoteverify._probe")
    assert _cache._methods.compiled == 12  # six methods each
    _cache._methods.save()

    _cache._methods = _cache._CompiledSources(kept)
    again = _make("quoteverify._probe")
    assert _cache._methods.compiled == 0  # every method read back

    for made in (first, again, other):
        for cls_name in ("Probe", "Single"):
            for method in METHODS:
                assert _code_fields(_method_code(getattr(made, cls_name), method)) == _code_fields(
                    _method_code(getattr(plain, cls_name), method)
                )
            init, plain_init = getattr(made, cls_name).__init__, getattr(plain, cls_name).__init__
            assert init.__annotations__ == plain_init.__annotations__
            assert str(inspect.signature(init)) == str(inspect.signature(plain_init))
        p = made.Probe("a", 2, ("x",), ["note"])
        assert p == made.Probe("a", 2, ("x",), ["other"])  # notes are not compared
        assert p != made.Probe("a", 3, ("x",))
        assert hash(p) == hash(("a", 2, ("x",))) and hash(made.Single("s")) == hash(("s",))
        assert repr(p) == "Probe(name='a', count=2, tags=('x',), notes=['note'])"
        assert made.Probe("b").notes == [] and made.Probe("b").notes is not made.Probe("b").notes
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.count = 3  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            del p.name
        assert dataclasses.replace(p, count=5).count == 5


def test_a_broken_or_foreign_file_is_not_used(kept: Path) -> None:
    kept.write_bytes(b"\x00not marshal data")
    made = _make("quoteverify._probe")
    assert _cache._methods is not None and _cache._methods.compiled == 12
    assert made.Single("s") == made.Single("s")

    # a file of anything but code by source text: nothing of it is run
    kept.write_bytes(marshal.dumps({"def __create_fn__(): pass": "not code", 3: compile("1", "<x>", "eval")}))
    _cache._methods = _cache._CompiledSources(kept)
    _make("quoteverify._probe")
    assert _cache._methods.compiled == 12


def test_the_kept_code_of_the_package_classes_is_what_their_source_compiles_to() -> None:
    """The methods of this process's classes (read from the user's cache folder when a run kept them)."""
    import quoteverify.render.views  # noqa: F401 (their classes, with the models')

    if _cache._methods is None:
        pytest.skip("dataclasses writes its methods otherwise on this Python")
    kept = _cache._methods._code or {}
    assert len(kept) >= 200
    for source, code in kept.items():
        assert _code_fields(code) == _code_fields(compile(source, "<string>", "exec", dont_inherit=True))
    assert all(_method_code(models.QuoteResult, m).co_filename == "<string>" for m in METHODS)
    # the annotations of __init__ are the fields' (strings in a module of postponed annotations), not the names they were passed by
    for cls in (models.Paragraph, models.QuoteResult):
        expected = {f.name: f.type for f in dataclasses.fields(cls)} | {"return": None}
        assert cls.__init__.__annotations__ == expected


@pytest.mark.parametrize("no_bytecode", [True, False])
def test_the_code_is_kept_at_exit_unless_python_writes_no_bytecode(kept: Path, monkeypatch: pytest.MonkeyPatch, no_bytecode: bool) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", no_bytecode)
    before = atexit._ncallbacks()
    _make("quoteverify._probe")
    methods = _cache._methods
    assert methods is not None and methods.compiled == 12
    assert atexit._ncallbacks() == before + (0 if no_bytecode else 1)
    atexit.unregister(methods.save)


@given(st.text(alphabet=st.sampled_from(["a", "\u00e9", "\ud800", "\U0001f600", "\n"]), max_size=20))
def test_a_texts_digest_is_its_sha256_however_often_asked(text):
    import hashlib

    expected = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    assert _cache.text_sha256(text) == expected
    assert _cache.text_sha256(text) == expected
    copy = "".join(list(text))  # another object, perhaps, with the same text
    assert _cache.text_sha256(copy) == expected


def test_a_saved_source_comes_back_with_its_texts_digest(tmp_path):
    from quoteverify.ingest import saved
    from quoteverify.ingest.document import document_from_text

    doc = document_from_text("Dear editor,\n\nThe quay will close.", id="d", role="source", sha256="0" * 64)
    entry = json.loads(json.dumps(saved._entry(doc)))
    loaded = saved._document(entry)
    assert _cache._TEXT_DIGESTS[id(loaded.text)] == (loaded.text, _cache.text_sha256(doc.text))


def test_kept_buffers_are_made_once_a_key_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made: list[str] = []

    def make(text: str):
        def bytes_of() -> bytes:
            made.append(text)
            return text.encode()

        return bytes_of

    assert bytes(_cache.kept_buffer("probe", "a", make("first"))) == b"first"
    assert bytes(_cache.kept_buffer("probe", "a", make("other"))) == b"first"  # read back, not made
    assert bytes(_cache.kept_buffer("probe", "b", make("second"))) == b"second"
    assert made == ["first", "second"]
    for n in range(3):
        _cache.kept_buffer("probe", f"more-{n}", make(str(n)), keep=2)
    assert sorted(p.name for p in (tmp_path / "quoteverify" / "probe").iterdir()) == ["more-1", "more-2"]
    (tmp_path / "quoteverify" / "probe" / "more-2").write_bytes(b"")  # left empty by a crash
    assert bytes(_cache.kept_buffer("probe", "more-2", make("again"))) == b"again"
    assert (tmp_path / "quoteverify" / "probe" / "more-2").read_bytes() == b"again"


_PIECES = ["a", " ", "\u00e9", "\U0001f600", "\r\n", "\n", "\ufeff", "\x00", "\ud800"]


@given(
    st.binary(max_size=24) | st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map(lambda p: "".join(p).encode("utf-8", "surrogatepass")),
    st.sampled_from(["article", "source"]),
)
def test_an_articles_digest_known_from_its_reading_is_the_hash_of_its_text(data, role):
    """The digest its reading gave an article's text (its file's bytes hashed) is the one hashing the text gives."""
    import hashlib

    from quoteverify.errors import InputError
    from quoteverify.ingest.document import document_from_bytes

    _cache.know_read_text_sha256("", "")
    try:
        doc = document_from_bytes(b"Said: " + data, id="a", role=role, html=False)
    except InputError:
        return
    assert _cache.read_text_sha256(doc.text) == hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()


def test_an_article_read_as_utf_8_is_not_hashed_again():
    from quoteverify.ingest.document import document_from_bytes

    doc = document_from_bytes('He said "the quay will close".\n'.encode(), id="a", role="article")
    assert _cache._READ_TEXT == (doc.text, doc.sha256)
    assert _cache.read_text_sha256(doc.text) == doc.sha256


@pytest.mark.parametrize("data", [b"", b"x", b"{\n  \"sources\": []\n}\n" * 5000])
def test_a_mapped_file_holds_what_reading_it_gives(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "kept"
    path.write_bytes(data)
    path.chmod(0o644)
    assert bytes(_cache.map_own(path)) == _cache.read_own(path) == data


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="no file modes to check")
def test_a_file_others_may_write_is_neither_read_nor_mapped(tmp_path: Path) -> None:
    path = tmp_path / "kept"
    path.write_bytes(b"code")
    path.chmod(0o666)
    with pytest.raises(PermissionError):
        _cache.read_own(path)
    with pytest.raises(PermissionError):
        _cache.map_own(path)


# --------------------------------------------------------------------------- re's patterns kept compiled

_ATOMS = ["a", "b", "\u00e9", ".", r"\w", r"\d", r"\s", r"\b", "[a-c]", "[^x]", r"\.", "(?:ab)", "(x)", "(?P<name>y)", "(?i:b)"]
_PARTS = st.recursive(
    st.sampled_from(_ATOMS),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map("".join),
        st.tuples(inner, inner).map("|".join),
        st.tuples(inner, st.sampled_from(["*", "+", "?", "{2}", "{1,3}", "*?"])).map(lambda t: f"(?:{t[0]}){t[1]}"),
        inner.map(lambda p: f"({p})"),
        inner.map(lambda p: f"(?={p})"),
        inner.map(lambda p: f"(?<!{p[:1] or 'a'})"),
    ),
    max_leaves=6,
)
#: with a flag set inside the pattern, at its start, or none
_PATTERNS = st.tuples(st.sampled_from(["", "(?i)", "(?s)", "(?m)"]), _PARTS).map("".join)
_FLAGS = st.sampled_from([0, re.IGNORECASE, re.MULTILINE | re.DOTALL, re.VERBOSE, re.ASCII, re.IGNORECASE | re.ASCII])


@pytest.fixture
def kept_patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh file of kept patterns, for the length of one test (``re``'s own compile the one to compare with)."""
    import re._compiler

    original = re._compiler.compile
    if original is _cache._compile_kept:
        original = _cache._compile_afresh
    path = tmp_path / "patterns.marshal"
    monkeypatch.setattr(_cache, "_compile_afresh", original)
    monkeypatch.setattr(_cache, "_patterns", _cache._CompiledSources(path, _cache._pattern_code, _cache._is_pattern_code, 8))
    yield path


def _same_pattern(made: re.Pattern, pattern: str | bytes, flags: int) -> None:
    plain = _cache._compile_afresh(pattern, flags)
    assert made is not plain and made == plain  # the same text, flags and code
    assert (made.flags, made.groups, dict(made.groupindex)) == (plain.flags, plain.groups, dict(plain.groupindex))


@settings(max_examples=examples(100), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_PATTERNS, _FLAGS, st.booleans())
def test_a_pattern_made_from_its_kept_code_is_the_pattern_re_compiles(kept_patterns, pattern, flags, as_bytes):
    if as_bytes:
        pattern = pattern.replace("\u00e9", "e").encode()
    try:
        plain = _cache._compile_afresh(pattern, flags)
    except (re.error, ValueError) as e:
        with pytest.raises(type(e)):
            _cache._compile_kept(pattern, flags)  # fails as re fails, and is not kept
        assert _cache._patterns.compiled == 0
        return
    _same_pattern(_cache._compile_kept(pattern, flags), pattern, flags)  # compiled afresh
    _same_pattern(_cache._compile_kept(pattern, flags), pattern, flags)  # from the code kept in this process
    _cache._patterns.save()
    _cache._patterns = _cache._CompiledSources(kept_patterns, _cache._pattern_code, _cache._is_pattern_code, 8)
    _same_pattern(_cache._compile_kept(pattern, flags), pattern, flags)  # from the code read back
    assert _cache._patterns.compiled == 0
    for text in ("", "ab", "xy\u00e9a", "a.b ab\nc"):
        subject = text.encode("latin-1", "replace") if as_bytes else text
        assert [m.span() for m in _cache._compile_kept(pattern, flags).finditer(subject)] == [
            m.span() for m in plain.finditer(subject)
        ]


def test_kept_code_that_sre_refuses_or_that_is_foreign_is_not_used(kept_patterns):
    kept_patterns.write_bytes(
        marshal.dumps({("ab+", 0): (32, [99, 1, 2], 0, {}, ()), ("c", 0): "not code", 3: (0, [], 0, {}, ())})
    )
    _same_pattern(_cache._compile_kept("ab+", 0), "ab+", 0)
    _same_pattern(_cache._compile_kept("c", 0), "c", 0)
    assert _cache._patterns.compiled == 1  # "c", whose entry was not read; "ab+" read, refused by _sre, compiled as always


def test_a_pattern_given_parsed_or_to_debug_is_compiled_as_always(kept_patterns, capsys):
    import re._parser

    parsed = re._parser.parse("a|b", 0)
    assert _cache._compile_kept(parsed, 0).match("b")
    assert _cache._compile_kept("ab", re.DEBUG).match("ab")
    assert capsys.readouterr().out  # re.DEBUG prints the compiled code
    assert _cache._patterns.compiled == 0


def test_the_file_keeps_at_most_its_limit_of_patterns_then_those_of_the_run(kept_patterns):
    for pattern in [f"p{n}" for n in range(8)]:
        _cache._compile_kept(pattern, 0)
    _cache._patterns.save()
    _cache._patterns = _cache._CompiledSources(kept_patterns, _cache._pattern_code, _cache._is_pattern_code, 8)
    for pattern in ("p0", "p1", "new"):
        _cache._compile_kept(pattern, 0)
    _cache._patterns.save()
    assert sorted(marshal.loads(kept_patterns.read_bytes())) == [("new", 0), ("p0", 0), ("p1", 0)]


def test_the_command_line_compiles_its_patterns_from_kept_code():
    import re._compiler

    import quoteverify.cli  # noqa: F401 (which asks for it)

    if _cache._patterns is None:
        pytest.skip("re compiles its patterns otherwise on this Python")
    assert re._compiler.compile is _cache._compile_kept
    pattern = re.compile(r"(?P<kept>k[eé]pt)\b", re.IGNORECASE)
    assert pattern.search("KÉPT code").group("kept") == "KÉPT"


# --------------------------------------------------------------------------- named tuples' __new__ kept compiled


@pytest.fixture
def kept_named_tuples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh file of kept ``__new__`` methods, and ``collections`` giving it its ``eval``, for one test."""
    import collections

    path = tmp_path / "named-tuples.marshal"
    monkeypatch.setattr(_cache, "_named_tuples", _cache._CompiledSources(path, _cache._compile_expression, _cache._is_compiled_source, 4))
    monkeypatch.setattr(collections, "eval", _cache._eval_kept, raising=False)
    yield path


def _plain_named_tuple(name: str, fields: list[str], defaults: tuple[Any, ...] = ()) -> type:
    import collections

    with pytest.MonkeyPatch.context() as plain:
        plain.delattr(collections, "eval", raising=False)
        return collections.namedtuple(name, fields, defaults=defaults)


@settings(max_examples=examples(30), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["a", "b", "count", "index_", "text", "spans"]), max_size=4, unique=True))
def test_a_named_tuple_made_from_kept_code_is_the_one_made_from_source(kept_named_tuples, fields):
    import collections

    plain = _plain_named_tuple("Probe", fields, defaults=(None,) if fields else ())
    made = [collections.namedtuple("Probe", fields, defaults=(None,) if fields else ()) for _ in range(2)]
    _cache._named_tuples.save()
    _cache._named_tuples = _cache._CompiledSources(kept_named_tuples, _cache._compile_expression, _cache._is_compiled_source, 4)
    made.append(collections.namedtuple("Probe", fields, defaults=(None,) if fields else ()))
    assert _cache._named_tuples.compiled == 0  # read back
    for cls in made:
        assert _code_fields(cls.__new__.__code__) == _code_fields(plain.__new__.__code__)
        assert cls.__new__.__defaults__ == plain.__new__.__defaults__ and cls._fields == plain._fields
        values = list(range(len(fields)))
        assert tuple(cls(*values)) == tuple(plain(*values)) and repr(cls(*values)) == repr(plain(*values))
        if fields:
            assert cls(*values[:-1])[-1] is None  # its default


def test_a_broken_file_of_named_tuples_is_not_used(kept_named_tuples):
    import collections

    kept_named_tuples.write_bytes(marshal.dumps({"lambda _cls, a: _tuple_new(_cls, (a,))": "not code", 3: compile("1", "<x>", "eval")}))
    probe = collections.namedtuple("Probe", ["a"])
    assert probe(1).a == 1 and _cache._named_tuples.compiled == 1


def test_code_that_marshal_cannot_write_is_not_kept(tmp_path):
    kept = _cache._CompiledSources(tmp_path / "kept.marshal", compile_source=lambda source: object(), kept=lambda k, v: True)
    kept.code("a")
    kept.save()
    assert not (tmp_path / "kept.marshal").exists()
