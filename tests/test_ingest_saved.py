"""A case's parsed case.toml and sources, saved in its .quoteverify folder and loaded again."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quoteverify import _cache
from quoteverify.ingest import case as case_module
from quoteverify.ingest import load_case, saved
from quoteverify.ingest.document import document_from_text
from quoteverify.ingest.turns import with_speakers
from quoteverify.models import Document, Paragraph

TRANSCRIPT = "Briefing.\n\nANCHOR: Good evening.\nQ: Will the bridge open?\nMINISTER: It will open in May.\n"


def make_case(root: Path, speakers: str = '"MINISTER" = "Ines Duarte"', when: str = "") -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "sources" / "briefing.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (root / "sources" / "letter.txt").write_text("Dear editor,\n\nThe quay will close.\n", encoding="utf-8")
    (root / "case.toml").write_text(
        f'id = "c"\n{when}\n'
        '[[sources]]\nid = "briefing"\npath = "sources/briefing.txt"\n'
        f"[sources.speakers]\n{speakers}\n\n"
        '[[sources]]\nid = "letter"\npath = "sources/letter.txt"\nspeaker = "Tom Reed"\n',
        encoding="utf-8",
    )
    return root


def saved_file(root: Path) -> Path:
    return root / ".quoteverify" / saved.SAVED_NAME


class Reads:
    """Counts the sources read afresh (not found saved) while it is installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ids: list[str] = []
        real = case_module.file_document

        def counting(data: bytes, **kw: object):  # type: ignore[no-untyped-def]
            self.ids.append(str(kw["id"]))
            return real(data, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(case_module, "file_document", counting)


def test_a_case_loaded_again_is_the_same_and_reads_no_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_case(tmp_path)
    first = load_case(root)
    assert saved_file(root).is_file()
    reads = Reads(monkeypatch)
    again = load_case(root)
    assert again == first
    assert reads.ids == []
    assert [p.speaker for p in again.sources[0].document.paragraphs][-1] == "Ines Duarte"


def test_a_changed_source_is_read_again_even_with_its_size_and_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_case(tmp_path)
    load_case(root)
    letter = root / "sources" / "letter.txt"
    st_before = letter.stat()
    letter.write_text("Dear editor,\n\nThe quay will OPEN.\n", encoding="utf-8")
    os.utime(letter, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
    reads = Reads(monkeypatch)
    case = load_case(root)
    assert reads.ids == ["letter"]
    assert "OPEN" in case.sources[1].document.text
    assert load_case(root) == case and reads.ids == ["letter"]


class Settled:
    """Files changed before now count as settled (see ``SavedCase.put_file_sha256``) while it is installed; counts the files hashed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        later = time.time_ns() + 10 * saved._SETTLED_NS
        monkeypatch.setattr(saved.time, "time_ns", lambda: later)
        self.hashed: list[str] = []
        real = saved.SavedCase.put_file_sha256

        def counting(this: saved.SavedCase, name: str, status: os.stat_result, sha256: str) -> None:
            self.hashed.append(Path(name).name)
            real(this, name, status, sha256)

        monkeypatch.setattr(saved.SavedCase, "put_file_sha256", counting)


def test_a_settled_source_is_not_hashed_again_and_comes_back_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_case(tmp_path)
    settled = Settled(monkeypatch)
    first = load_case(root)
    assert settled.hashed == ["briefing.txt", "letter.txt"]
    assert load_case(root) == first
    monkeypatch.chdir(tmp_path.parent)
    assert load_case(tmp_path.name).sources == first.sources  # named from elsewhere
    assert settled.hashed == ["briefing.txt", "letter.txt"]  # not hashed again
    letter = first.sources[1].document
    assert letter.sha256 == hashlib.sha256((root / "sources" / "letter.txt").read_bytes()).hexdigest()


def test_a_settled_source_changed_with_its_size_and_times_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_case(tmp_path)
    settled = Settled(monkeypatch)
    load_case(root)
    letter = root / "sources" / "letter.txt"
    before = letter.stat()
    time.sleep(0.05)  # past a tick of the file system's clock: the write gives the file another change time
    letter.write_text("Dear editor,\n\nThe quay will CLOSE.\n", encoding="utf-8")
    os.utime(letter, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (letter.stat().st_size, letter.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    case = load_case(root)
    assert "CLOSE" in case.sources[1].document.text
    assert case.sources[1].document.sha256 == hashlib.sha256(letter.read_bytes()).hexdigest()
    assert settled.hashed[-1] == "letter.txt"


def test_a_source_changed_lately_is_hashed_on_each_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_case(tmp_path)
    first = load_case(root)  # its files were written just now
    assert json.loads(saved_file(root).read_text(encoding="utf-8"))["files"] == {}
    reads = Reads(monkeypatch)
    assert load_case(root) == first and reads.ids == []


def test_changed_speakers_in_case_toml_read_the_source_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_case(tmp_path)
    load_case(root)
    make_case(root, speakers='"MINISTER" = "Ana Costa"')
    reads = Reads(monkeypatch)
    case = load_case(root)
    assert reads.ids == ["briefing"]
    assert case.sources[0].document.paragraphs[-1].speaker == "Ana Costa"
    assert case.sources[0].document.speaker_labels == (("MINISTER", "Ana Costa"),)
    fresh = make_case(tmp_path / "fresh", speakers='"MINISTER" = "Ana Costa"')
    assert load_case(fresh).sources == case.sources


def test_another_version_of_the_code_reads_every_source_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_case(tmp_path)
    load_case(root)
    monkeypatch.setattr(saved, "_code_version", lambda: "another")
    reads = Reads(monkeypatch)
    load_case(root)
    assert reads.ids == ["briefing", "letter"]


def _spoil_bounds(top: dict) -> None:
    for entry in top["sources"].values():
        entry["bounds"][-1] = 10**6  # past the end of any text here


def _spoil_types(top: dict) -> None:
    for entry in top["sources"].values():
        entry["who"] = ["x"] * len(entry["who"])


def _spoil_toml(top: dict) -> None:
    top["case_toml"]["data"] = ["not", "a", "table"]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"\xff\xfe garbage",
        lambda raw: b"[]",
        lambda raw: b"",
        lambda raw: json.dumps(_edited(raw, _spoil_bounds)).encode(),
        lambda raw: json.dumps(_edited(raw, _spoil_types)).encode(),
        lambda raw: json.dumps(_edited(raw, _spoil_toml)).encode(),
    ],
    ids=["truncated", "not-utf8", "not-an-object", "empty", "offset-outside", "wrong-type", "toml-not-a-table"],
)
def test_a_spoiled_file_is_ignored_and_written_again(tmp_path: Path, spoil) -> None:  # type: ignore[no-untyped-def]
    root = make_case(tmp_path)
    first = load_case(root)
    path = saved_file(root)
    path.write_bytes(spoil(path.read_bytes()))
    assert load_case(root) == first
    assert json.loads(path.read_bytes())["format"] == saved.SAVED_FORMAT
    assert load_case(root) == first


def _edited(raw: bytes, edit) -> dict:  # type: ignore[no-untyped-def]
    top = json.loads(raw)
    edit(top)
    return top


def test_a_case_folder_that_cannot_hold_the_file_is_read_all_the_same(tmp_path: Path) -> None:
    root = make_case(tmp_path)
    (root / ".quoteverify").write_text("a file where the folder should be", encoding="utf-8")
    first = load_case(root)
    assert load_case(root) == first
    assert (root / ".quoteverify").read_text(encoding="utf-8") == "a file where the folder should be"


def test_a_source_that_cannot_be_read_is_not_saved_and_stays_a_fault(tmp_path: Path) -> None:
    root = make_case(tmp_path)
    (root / "sources" / "letter.txt").write_bytes(b"%PDF-1.4 not text")
    for _ in range(2):
        case = load_case(root)
        assert [s.document.id for s in case.sources] == ["briefing"]
        assert len(case.faults) == 1 and "binary file (PDF)" in case.faults[0]


def test_a_case_toml_with_a_date_is_parsed_each_time(tmp_path: Path) -> None:
    root = make_case(tmp_path, when="date = 2024-05-03")
    first = load_case(root)
    assert first.date == "2024-05-03"
    assert json.loads(saved_file(root).read_bytes())["case_toml"] is None
    assert load_case(root) == first


def test_a_source_dropped_from_the_case_is_dropped_from_the_file(tmp_path: Path) -> None:
    root = make_case(tmp_path)
    load_case(root)
    toml = (root / "case.toml").read_text(encoding="utf-8")
    (root / "case.toml").write_text(toml.split('[[sources]]\nid = "letter"')[0], encoding="utf-8")
    load_case(root)
    entries = json.loads(saved_file(root).read_bytes())["sources"].values()
    assert [e["id"] for e in entries] == ["briefing"]


_label_lines = st.lists(
    st.tuples(st.sampled_from(["", "Q: ", "ANCHOR: ", "MINISTER: ", "  "]), st.sampled_from(["Yes.", "No, never.", "\u201cWell\u201d", ""])),
    max_size=8,
)


@given(_label_lines, st.sampled_from([None, "Tom Reed"]), st.booleans())
def test_a_saved_document_is_read_back_equal(lines: list[tuple[str, str]], speaker: str | None, mapped: bool) -> None:
    text = "\n".join(a + b for a, b in lines) + "\nend"
    doc = document_from_text(text, id="d", role="source", sha256="0" * 64, warnings=("1 NUL byte dropped",))
    doc = with_speakers(doc, speaker, {"MINISTER": "Ines Duarte"} if mapped else None)
    entry = json.loads(json.dumps(saved._entry(doc)))
    assert saved._document(entry) == doc
    # made as their classes make them: the same fields, set in the same order
    back = saved._document(entry)
    made = Document(**{f.name: getattr(doc, f.name) for f in dataclasses.fields(Document)})
    assert list(vars(back).items()) == list(vars(made).items())
    assert [list(vars(p).items()) for p in back.paragraphs] == [
        list(vars(Paragraph(p.index, p.start, p.end, p.speaker)).items()) for p in doc.paragraphs
    ]


_PAST_THE_PEOPLE = object()


@pytest.mark.parametrize("bad", [-2, _PAST_THE_PEOPLE, True, 1.0, "0", None])
def test_a_saved_speaker_that_is_no_number_of_a_person_is_refused(bad: object) -> None:
    doc = with_speakers(document_from_text("Q: Yes.\nMINISTER: No.", id="d", role="source"), None, {"MINISTER": "Ines Duarte"})
    entry = json.loads(json.dumps(saved._entry(doc)))
    assert saved._document(entry) == doc and len(entry["who"]) == 2
    entry["who"][1] = len(entry["people"]) if bad is _PAST_THE_PEOPLE else bad
    with pytest.raises((TypeError, ValueError)):
        saved._document(entry)


def test_a_field_not_saved_by_name_is_saved_among_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = document_from_text("Dear editor,\n\nThe quay will close.", id="d", role="source", title="A letter", outlet="Post")
    monkeypatch.setattr(saved, "_NAMED_FIELDS", saved._NAMED_FIELDS - {"title", "outlet"})
    entry = json.loads(json.dumps(saved._entry(doc)))
    assert {k: entry["more"].get(k) for k in ("title", "outlet")} == {"title": "A letter", "outlet": "Post"}
    assert saved._document(entry) == doc
    monkeypatch.setattr(saved, "_NAMED_FIELDS", saved._NAMED_FIELDS - {"skipped"})
    with pytest.raises(ValueError):
        saved._entry(doc)  # a tuple is not saved as it is: the source is read again next time
    entry["more"]["colour"] = "red"
    with pytest.raises(ValueError):
        saved._document(entry)


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\u00e9", "\u201c", "\ud800", "\udfff", "\U0001f600", "\x00"]), max_size=30))
def test_the_saved_file_is_read_back_by_either_reader(text: str) -> None:
    """orjson reads the file when it can; a text with a lone surrogate is read by json, the same."""
    doc = document_from_text(text + "\nend", id="d", role="source", sha256="0" * 64)
    body = {"format": saved.SAVED_FORMAT, "code": "x", "sources": {"k": saved._entry(doc)}}
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    folder_read = saved.SavedCase.__new__(saved.SavedCase)
    folder_read.code, folder_read.folder = "x", Path("/nonexistent")
    import unittest.mock

    with unittest.mock.patch.object(Path, "read_bytes", lambda self: raw):
        top = folder_read._load()
    assert saved._document(top["sources"]["k"]) == doc


def test_a_text_that_is_its_files_bytes_decoded_is_not_saved_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The saved entry of a plain UTF-8 source holds no text (the file's bytes are read anyway); one that is not, its text."""
    root = make_case(tmp_path)
    (root / "sources" / "letter.txt").write_bytes("Dear editor,\n\nThe caf\u00e9 on the quay will close.\n".encode("latin-1"))
    first = load_case(root)
    entries = {e["id"]: e for e in json.loads(saved_file(root).read_bytes())["sources"].values()}
    assert entries["briefing"]["text"] is None
    assert entries["letter"]["text"] == first.sources[1].document.text  # not UTF-8: decoded otherwise
    assert "caf\u00e9" in entries["letter"]["text"]
    reads = Reads(monkeypatch)
    assert load_case(root) == first
    assert reads.ids == []


_listing_values = st.one_of(st.text(alphabet=st.sampled_from(["a", "é", "\u201c", "\ud800", " ", '"']), max_size=4), st.booleans(), st.none())


@given(st.lists(_listing_values, max_size=4), st.lists(_listing_values, max_size=4))
def test_a_source_key_names_what_case_toml_says_of_it_and_nothing_else(listing: list[object], other: list[object]) -> None:
    """Two listings have one key when they are one listing (a lone surrogate too, which orjson refuses), else two."""
    sha = "0" * 64
    key = saved.source_key(sha, listing)
    assert len(key) == 64 and key == saved.source_key(sha, list(listing))
    same = json.dumps(listing) == json.dumps(other) and [type(v) for v in listing] == [type(v) for v in other]
    assert (saved.source_key(sha, other) == key) == same
    assert saved.source_key("1" * 64, listing) != key


def _report_of(case: object) -> tuple[bytes, bytes, str | None]:
    """report.json of a check of ``case``'s sources with no article, as written (its sources' part kept) and whole, and that part's key."""
    from quoteverify.models import CheckResult
    from quoteverify.render.json import _sources_key, json_file_bytes, report_json, report_json_bytes

    result = CheckResult("c", "c", case.sources, (), ())  # type: ignore[attr-defined]
    return report_json_bytes(result), json_file_bytes(report_json(result)), _sources_key(result.sources)


def test_report_json_names_a_cases_sources_by_all_they_are_made_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_case(tmp_path / "case")
    keys = []
    for change in ("", "loaded again", "speakers", "text", "title", "language"):
        if change == "speakers":
            make_case(root, speakers='"MINISTER" = "Ana Costa"')
        elif change == "text":
            (root / "sources" / "letter.txt").write_text("Dear editor,\n\nThe quay will OPEN.\n", encoding="utf-8")
        elif change in ("title", "language"):
            toml = (root / "case.toml").read_text(encoding="utf-8")
            field = 'title = "A letter"' if change == "title" else 'language = "fr"'
            (root / "case.toml").write_text(toml.replace('speaker = "Tom Reed"', f'speaker = "Tom Reed"\n{field}'), encoding="utf-8")
        case = load_case(root)
        assert all(_cache.document_key(s.document) for s in case.sources)
        written, whole, key = _report_of(case)
        assert written == whole
        keys.append(key)
        plain = [dataclasses.replace(s, document=dataclasses.replace(s.document)) for s in case.sources]  # no digest known
        assert _report_of(dataclasses.replace(case, sources=tuple(plain)))[:2] == (whole, whole)
    assert keys[0] == keys[1] and len(set(keys)) == len(keys) - 1
