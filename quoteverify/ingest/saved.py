"""A case's sources as read, saved beside the case and loaded again on the next run.

Reading a source is decoding it, cutting its paragraphs and finding the
turns of a transcript; a case's sources seldom change between two runs.
Their documents are saved in ``CASE/.quoteverify/sources.json``, each under
a key made of the SHA-256 of the file's bytes and of everything
``case.toml`` says of it (id, path, title, date, url, speaker, speaker
labels), and the whole file under a digest of the code that reads (this
package and the models). A changed file, a changed entry of ``case.toml``
or another version of the code has the source read again; a source that
cannot be read is never saved, so its fault is found again. A text that
is its file's bytes decoded as UTF-8 is not saved: the run that finds the
entry has read those bytes (their digest is in the key), and decodes them.
That digest is saved too, by the file's path in case.toml, with its size,
times, inode and device: a file found as it was is not hashed again, as
git and make trust a file's status (see :meth:`SavedCase.put_file_sha256`
for why a change is never missed but for one that the clock cannot tell).

The file is JSON, never a pickle: a case folder may come from someone else,
and loading its files must not run code. A file that cannot be read, is not
JSON, or does not hold what is expected is ignored (and written again); a
folder that cannot be written leaves the sources unsaved, silently.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import operator
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from quoteverify import models
from quoteverify._cache import know_text_sha256, text_sha256
from quoteverify._files import code_digest, write_atomic
from quoteverify._version import __version__
from quoteverify.errors import InputError
from quoteverify.ingest.document import paragraph_objects
from quoteverify.models import Document, with_fields

#: version of the file's layout
SAVED_FORMAT = 1
#: the file's name, in a case's cache folder
SAVED_NAME = "sources.json"


@lru_cache(maxsize=1)  # once a process: the code does not change under it
def _code_version() -> str:
    """A digest of the code that decides what a source's document holds: this package and the models."""
    return code_digest(f"{SAVED_FORMAT} {__version__}", [*sorted(Path(__file__).parent.glob("*.py")), models.__file__])


def source_key(sha256: str, listing: Any) -> str:
    """The key of a source whose file's bytes have the digest ``sha256``, read as ``listing`` (what case.toml says of it, JSON-able) asks.

    The digest of the two as JSON: orjson's, 0.6 us a source against 2.8 us
    with json's (timeit); json's where orjson refuses a value (a lone surrogate).
    """
    try:
        return hashlib.sha256(orjson.dumps([sha256, listing])).hexdigest()
    except orjson.JSONEncodeError:
        return hashlib.sha256(json.dumps([sha256, listing], ensure_ascii=True).encode("ascii")).hexdigest()


class SavedCase:
    """What an earlier run read of a case and saved in ``folder`` (None: nothing is saved).

    Its ``case.toml`` as parsed (by the SHA-256 of its bytes), and its
    sources' documents (by :func:`source_key`), and the SHA-256 of the files
    read (by their paths, with their status: :meth:`file_sha256`).
    """

    def __init__(self, folder: Path | None) -> None:
        self.code = _code_version()
        self.folder = folder
        top = self._load() if folder is not None else {}
        self.saved_toml: Any = top.get("case_toml")
        saved_sources = top.get("sources")
        self.saved_sources: dict[str, Any] = saved_sources if isinstance(saved_sources, dict) else {}
        saved_files = top.get("files")
        self.saved_files: dict[str, Any] = saved_files if isinstance(saved_files, dict) else {}
        self.case_toml: dict[str, Any] | None = None
        self.sources: dict[str, Any] = {}
        self.files: dict[str, list[Any]] = {}
        self.changed = False

    def _load(self) -> dict[str, Any]:
        assert self.folder is not None
        try:
            raw = (self.folder / SAVED_NAME).read_bytes()
        except OSError:
            return {}
        try:
            # orjson read the 10 MB file of the 10 MB case in 15 ms, json in 27-43 ms. What orjson
            # refuses (a lone surrogate, written with "surrogatepass") json reads. The two differ only
            # on an integer past 64 bits (a float to orjson), which no file written here holds: a
            # TOML integer has 64 bits, and an offset fewer
            top = orjson.loads(raw)
        except orjson.JSONDecodeError:
            try:
                top = json.loads(raw.decode("utf-8", "surrogatepass"))
            except (ValueError, RecursionError):
                return {}
        if not isinstance(top, dict) or top.get("format") != SAVED_FORMAT or top.get("code") != self.code:
            return {}
        return top

    def toml(self, sha256: str) -> dict[str, Any] | None:
        """The ``case.toml`` whose bytes have the digest ``sha256``, as parsed, when saved."""
        saved = self.saved_toml
        if isinstance(saved, dict) and saved.get("sha256") == sha256 and isinstance(saved.get("data"), dict):
            self.case_toml = saved
            return dict(saved["data"])
        return None

    def put_toml(self, sha256: str, data: dict[str, Any]) -> None:
        """Save a parsed ``case.toml``, unless it holds a value JSON does not give back as it was (a date, a NaN)."""
        if _plain_json(data):
            self.case_toml = {"sha256": sha256, "data": data}
            self.changed = True

    def source(self, key: str, *, sha256: str, id: str, data: bytes | None = None) -> Document | None:
        """The document saved under ``key``, when there is one that fits (its file's digest and id).

        ``data``: the file's bytes, whose digest is ``sha256``: the text of a
        document saved without it (see :meth:`put_source`).
        """
        entry = self.saved_sources.get(key)
        if entry is None:
            return None
        try:
            doc = _document(entry, data)
        except (KeyError, TypeError, ValueError, IndexError):
            doc = None
        if doc is None or doc.sha256 != sha256 or doc.id != id:
            self.changed = True  # a bad entry: written again without it
            return None
        self.sources[key] = entry
        return doc

    def file_sha256(self, name: str, status: os.stat_result) -> str | None:
        """The SHA-256 of the file ``name`` (its path as case.toml gives it) saved by an earlier run, when the file is as it was then: None when it may not be.

        As it was: the same size, modification and change times, inode and
        device (see :func:`_file_status`). The 10 MB case loaded in 57.5 ms
        (median 64.1) hashing its sources' 10 MB, in 49.9 ms (median 59.5)
        so (CPU time, best of 21, both ways alternated in one process).
        """
        entry = self.saved_files.get(name)
        if (
            type(entry) is list and len(entry) == 6 and entry[:5] == _file_status(status)
            and type(entry[5]) is str and len(entry[5]) == 64
        ):
            self.files[name] = entry
            return entry[5]
        return None

    def put_file_sha256(self, name: str, status: os.stat_result, sha256: str) -> None:
        """Save the SHA-256 of the file ``name`` read with the status ``status``, unless the file changed lately.

        A file's change time is set anew by every write to it (and by every
        change of its times): a file changed after it was read has another
        from then on, unless it changed within the same tick of the file
        system's clock as the change before, which a file changed lately may
        still do. Such a file is hashed again on the next run.
        """
        if time.time_ns() - status.st_ctime_ns >= _SETTLED_NS:
            self.files[name] = [*_file_status(status), sha256]
            self.changed = True

    def put_source(self, key: str, doc: Document, *, data: bytes | None = None) -> None:
        """Save ``doc``, read from the bytes ``data`` (when given): a text that is those bytes decoded is not saved again."""
        try:
            entry = _entry(doc)
        except ValueError:
            return  # read again next time
        if data is not None and _decoded(data) == doc.text:
            # the key holds the digest of these bytes: the next run that finds this entry has read
            # them, and decodes them. With the 10 MB case's texts, sources.json was 10.7 MB and the
            # case's load took 0.087-0.096 s of CPU time; without them, 0.8 MB and 0.070-0.075 s (4-5 runs each)
            entry["text"] = None
        self.sources[key] = entry
        self.changed = True

    def save(self) -> None:
        """Write what this run read (and only that) when any of it was read afresh, or some saved source is gone."""
        if self.folder is None or not (
            self.changed or self.sources.keys() != self.saved_sources.keys() or self.files.keys() != self.saved_files.keys()
        ):
            return
        body = {
            "format": SAVED_FORMAT, "code": self.code, "case_toml": self.case_toml, "sources": self.sources, "files": self.files,
        }
        try:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
            write_atomic(self.folder / SAVED_NAME, data, make_dirs=True)
        except (InputError, ValueError):
            pass  # a case folder that cannot be written: read again next time


#: how long ago a file must have changed for its status to stand for its bytes (see
#: :meth:`SavedCase.put_file_sha256`): longer than any file system's tick (two seconds on FAT)
_SETTLED_NS = 3 * 10**9


def _file_status(status: os.stat_result) -> list[int]:
    """What says that a file is as it was: its size, its modification and change times, its inode and its device."""
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]


def _plain_json(value: Any) -> bool:
    """Whether ``value`` is made of what JSON writes and reads back equal: strings, integers, finite numbers, lists, tables."""
    if isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_plain_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_json(v) for k, v in value.items())
    return False


#: the fields of a document saved by name; any other (a field added later) is saved in "more"
_NAMED_FIELDS = frozenset(
    "id text path sha256 encoding paragraphs skipped warnings title outlet date url speaker speaker_labels".split()
)
_PLAIN = (str, int, float, bool, type(None))


def _entry(doc: Document) -> dict[str, Any]:
    """A document as JSON: its fields, its paragraphs' bounds flat, and their speakers as numbers into ``people``.

    A field that is not a string, a number or None, and not one of
    :data:`_NAMED_FIELDS`, cannot be saved: ``ValueError``.
    """
    people = sorted({p.speaker for p in doc.paragraphs if p.speaker is not None})
    number = {name: i for i, name in enumerate(people)}
    more = {f.name: getattr(doc, f.name) for f in dataclasses.fields(doc) if f.name not in _NAMED_FIELDS}
    if not all(isinstance(v, _PLAIN) for v in more.values()):
        raise ValueError("a field of the document that JSON does not hold")
    return {
        "more": more,
        "id": doc.id,
        "text": doc.text,
        # saved with the text: a run names a source by it (the index's fingerprint, the manifest), and
        # hashing the 10 MB of the 10 MB case's sources again took 6-16 ms of each run
        "text_sha256": text_sha256(doc.text),
        "path": doc.path,
        "sha256": doc.sha256,
        "encoding": doc.encoding,
        "bounds": [x for p in doc.paragraphs for x in (p.start, p.end)],
        "people": people,
        "who": [number[p.speaker] if p.speaker is not None else -1 for p in doc.paragraphs],
        "skipped": [list(span) for span in doc.skipped],
        "warnings": list(doc.warnings),
        "title": doc.title,
        "outlet": doc.outlet,
        "date": doc.date,
        "url": doc.url,
        "speaker": doc.speaker,
        "speaker_labels": [list(pair) for pair in doc.speaker_labels],
    }


@lru_cache(maxsize=4)
def _more_fields(named: frozenset[str]) -> frozenset[str]:
    """The fields of a document saved in "more", those not ``named`` (asked once: once a source, it was 25 ms of 0.3 s loading 500 sources, profiled)."""
    return frozenset(f.name for f in dataclasses.fields(Document)) - named


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return tuple(map(_str, value))


def _ints(value: Any, limit: int) -> list[int]:
    """A list of integers from 0 to ``limit``."""
    # checked by whole lists, not an item at a time: 5x quicker over 40,000 offsets
    if not isinstance(value, list) or not {*map(type, value)} <= {int} or (value and not 0 <= min(value) <= max(value) <= limit):
        raise ValueError("not a list of offsets")
    return value


def _pairs(value: Any) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(x, list) and len(x) == 2 for x in value):
        raise ValueError("not a list of pairs")
    return value


def _decoded(data: bytes) -> str | None:
    """``data`` decoded as UTF-8, or None when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _document(entry: Any, data: bytes | None = None) -> Document:
    """The document of a saved entry; a wrong type or an offset outside the text raises ``TypeError``/``ValueError``.

    An entry saved without its text (``"text": null``) takes it from ``data``, its file's bytes.
    """
    if not isinstance(entry, dict):
        raise TypeError("not an object")
    saved_text = entry["text"]
    if saved_text is None and data is not None:
        decoded = _decoded(data)
        if decoded is None:
            raise ValueError("the file's bytes are not the text")
        saved_text = decoded
    text = _str(saved_text)
    people = _strs(entry["people"])
    bounds = _ints(entry["bounds"], len(text))
    who = entry["who"]
    if not isinstance(who, list) or len(bounds) != 2 * len(who):
        raise ValueError("paragraphs and speakers differ in number")
    if not {*map(type, who)} <= {int} or (who and not -1 <= min(who) <= max(who) < len(people)):
        raise ValueError("a speaker is not -1 (nobody) or a number into people")
    starts, ends = bounds[0::2], bounds[1::2]
    if any(map(operator.gt, starts, ends)):
        raise ValueError("a paragraph ends before it starts")
    more = entry["more"]
    if not isinstance(more, dict) or not more.keys() <= _more_fields(_NAMED_FIELDS) or not all(isinstance(v, _PLAIN) for v in more.values()):
        raise ValueError("unknown fields")
    skipped = tuple((a, b) for a, b in _pairs(entry["skipped"]) if type(a) is int and type(b) is int)
    if len(skipped) != len(entry["skipped"]):
        raise ValueError("a skipped span is not two offsets")
    # made by with_fields, its paragraphs by paragraph_objects: the 500 saved sources of the 10 MB case in
    # 16.4 ms instead of 20.4 ms (process time, best of 41, both ways alternated in one process)
    fields = {
        **_DOCUMENT_DEFAULTS,
        "id": _str(entry["id"]),
        "text": text,
        "path": _optional_str(entry["path"]),
        "sha256": _str(entry["sha256"]),
        "encoding": _str(entry["encoding"]),
        # -1 (nobody) is the last of the names: None
        "paragraphs": paragraph_objects(starts, ends, map((*people, None).__getitem__, who)),
        "skipped": skipped,
        "warnings": _strs(entry["warnings"]),
        "title": _str(entry["title"]),
        "outlet": _str(entry["outlet"]),
        "date": _str(entry["date"]),
        "url": _str(entry["url"]),
        "speaker": _optional_str(entry["speaker"]),
        "speaker_labels": tuple((_str(a), _str(b)) for a, b in _pairs(entry["speaker_labels"])),
        **more,
    }
    if dataclasses.MISSING in fields.values():
        raise TypeError("a field without a default is not saved")
    digest = entry.get("text_sha256")
    if isinstance(digest, str) and len(digest) == 64:
        know_text_sha256(text, digest)
    return with_fields(Document, fields)


#: every field of a :class:`Document` with its default (``dataclasses.MISSING`` for one without)
_DOCUMENT_DEFAULTS = {f.name: f.default for f in dataclasses.fields(Document)}
