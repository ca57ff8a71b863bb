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

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
