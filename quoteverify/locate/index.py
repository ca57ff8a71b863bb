"""The source index: every word of a case's sources as an integer id, in compact sorted arrays.

The sources are indexed once: every word becomes an integer id (its folded,
case-folded form, as the forms of one word share it: "colour" and "color",
"six" and "6" are one id, see :func:`_form_of`), every word trigram a 64-bit key, and the positions of
each trigram and each word are kept in sorted arrays (numpy), with the
information of each word given the one before it (the sources' word-pair
model, :func:`_pair_information`), so that the index of a 10 MB archive
takes about 46 MB and can be saved beside the case and loaded again
(:meth:`SourceIndex.cached`, :func:`case_index`).

Three coordinate systems meet in the index, and names say which one a
number is in:

- a *global word position* (``global_start``, ``g``) counts the words of all
  the sources as one sequence, source after source, with one empty position
  between two sources (see :class:`IndexedSource`); the search works in these;
- a *source word* position counts the words of one source from 0: a global
  position less the source's ``offset`` (:meth:`SourceIndex.word_starts`);
- a *character offset* (``char_start``) is a place in one source's text:
  the arrays ``wstart`` and ``wend`` give the character offsets of the word
  at each global position (:meth:`SourceIndex.char_span`,
  :meth:`SourceIndex.tokens_in`).

Forms of a word that take another number of words ("we're" and "we are",
"30%" and "30 per cent", "300,000" and "three hundred thousand") cannot
share an id, as the sources keep one id per word: a quotation's words are
given the ids of the spelling the sources have there instead
(:meth:`SourceIndex.fragment_ids`, after
:func:`quoteverify.classify.forms_of_other_length`), and the sources'
index is as it was.

This module builds, saves and loads the index, looks word ids and trigram
keys up, and maps word positions to characters; searching the index is
:mod:`quoteverify.locate.search`'s work.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

from quoteverify import classify, normalize
from quoteverify._confusables import SKELETON
from quoteverify._cache import cache_folder, check_own, kept_buffer, text_sha256
from quoteverify._files import code_digest
from quoteverify.classify import word_form
from quoteverify.models import Document, Token, new_token
from quoteverify.normalize import fold_token, tokenize

#: weight, in words, of a word's frequency in the chance of a word after
#: another (Dirichlet smoothing of the word-pair counts): a pair seen once,
#: after a word seen once, is not taken for a certainty
PAIR_PRIOR = 10.0

#: version of the saved index layout; part of every index file's name
INDEX_FORMAT = 3
#: the folder, inside a case directory, where the index is saved
CACHE_DIR = ".quoteverify"
#: how many indexes of sources named one by one (not a case's) the user's cache folder keeps:
#: the last used (the index of the 10 MB case's 500 sources is 46 MB; it took 1.3-1.8 s to build,
#: well under 0.1 s to load)
KEPT_INDEXES = 3
#: sources shorter than this, in characters all told, are indexed at each run and
#: never saved: the index of 5,000 characters took 2 ms to build and 2.4 ms to
#: load (6-7 ms as the first load of a run; the index of a 1,000-character
#: letter, 1 ms to build)
SAVE_FROM_CHARS = 8_000

_SENTINEL = -1  # word id between two sources: matches nothing
_UNKNOWN = -2  # word id of a quotation word that no source has
_EXACT_VOCAB = 1 << 21  # below this vocabulary size trigram keys are exact, not hashed
_H1 = np.uint64(0x9E3779B97F4A7C15)
_H2 = np.uint64(0xC2B2AE3D27D4EB4F)

#: The index keeps the folded form of each quotation word it has looked up
#: (:meth:`SourceIndex.fragment_ids`) and of each non-ASCII source word it
#: has cut out (:meth:`SourceIndex.tokens_in`), for as long as the index
#: lives: a worker holds one index for a whole run. The words of a run's
#: quotations are mostly the sources' own, but names and misspellings keep
#: coming over millions of articles, so each cache is emptied when it holds
#: this many words: about 130 MB (ids) and 160 MB (folded forms) of short
#: words, measured. Emptying one costs only the lookups again.
_CACHE_WORDS = 1_000_000

# Word ids are also kept as a string of one character per word (the lines-to-
# characters trick of diff-match-patch, applied to words): slicing it is a
# copy of memory, and rapidfuzz compares such strings without hashing each
# word. Code points 1 and 2 stand for an unknown word and a source boundary;
# id n is code point n + 3, past the surrogates.
_MAX_CODE_ID = 0x10FFFF - 0x800 - 3


_LOW_IDS = 0xD800 - 3  # ids below this are code point id + 3
_CODE_TABLE = 1 << 18  # vocabularies up to this size keep a table of their ids' characters

#: word ids as the aligner takes them: a string of one character per word
#: (see above), or a list of ids when the vocabulary is too large for one
Aligned = str | list[int]


def _code(wid: int) -> str:
    if wid < 0:
        return "\x01" if wid == _UNKNOWN else "\x02"
    c = wid + 3
    return chr(c if c < 0xD800 else c + 0x800)


def _encode_ids(ids: np.ndarray) -> str | None:
    """The string of word ids ``ids`` (see :func:`_code`), or None when the vocabulary is too large for one."""
    if not len(ids):
        return ""
    top = int(ids.max())
    if top > _MAX_CODE_ID:
        return None
    # id + 3 is the code of every id, the sentinel's (-1 + 3 = 2) among them; only ids
    # past the surrogates move on. Made in place in 32 bits: the 1.6 million words of
    # the 10 MB case took 2-4 ms instead of 10-28 ms through 64-bit copies (that run's load)
    codes = ids.astype("<u4")
    codes += 3
    if top >= _LOW_IDS:
        codes[codes >= 0xD800] += 0x800
    return codes.tobytes().decode("utf-32-le")


#: the kind of the kept strings of a saved index's word ids in the cache folder (a new one for another layout)
_KEPT_CODES = "index-codes-1"


def _kept_encoded_ids(ids: np.ndarray, key: str) -> str | None:
    """:func:`_encode_ids` of the ids of the saved index named ``key`` (its fingerprint), kept in the user's cache folder.

    Kept as UTF-16 (:func:`~quoteverify._cache.kept_buffer`), decoded from
    there: made from the mapped ids, a 32-bit copy of them, their bytes and
    a decode of those, the 1.6 million words of the 10 MB case's index took
    11 ms of CPU time (19-28 ms wall, the new copies' pages faulted in one
    by one), 3 ms so (7 ms wall; fresh processes, six each, alternated). A
    kept string is taken only when it holds one character for each id; a
    string that cannot be one (a vocabulary too large for it, no ids) is
    not kept.
    """

    made: list[str | None] = []

    def make() -> bytes:
        seq = _encode_ids(ids)
        made.append(seq)
        # the codes skip the surrogates: every string of them has a UTF-16 of its own
        return seq.encode("utf-16-le") if seq else b""

    kept = kept_buffer(_KEPT_CODES, key, make)
    if made:  # made just now: not decoded back, nor made again
        return made[0]
    seq = str(kept, "utf-16-le") if len(kept) else None
    return seq if seq is not None and len(seq) == len(ids) else _encode_ids(ids)


def _code_table(size: int) -> list[str]:
    """The character of each word id below ``size`` (see :func:`_code`), made in one decode.

    The 15,000 words of the 10 MB case's vocabulary: 0.8 ms, against 12 ms (profiled) a call of
    :func:`_code` each.
    """
    codes = np.arange(3, size + 3, dtype="<u4")
    codes[codes >= 0xD800] += 0x800
    return list(codes.tobytes().decode("utf-32-le"))


@dataclass(frozen=True)
class IndexedSource:
    """One indexed source: its document and its place in the global word sequence.

    Global word positions ``offset .. offset + words - 1`` are this source's
    words, in order; one position after them is left empty, so that no
    trigram spans two sources.
    """

    doc: Document
    offset: int
    words: int


_NORM = itemgetter(1)  # a token's folded form (Token.norm), by map

# What run of forms of other length a token may start (SourceIndex._form_flag): the
# tokens that may follow it in one, or one of these (all but _NO_RUN are true)
_NO_RUN = 0
_STARTS_RUN = 1
_NUMBER_GOES_ON = 2
_FormFlag = int | frozenset[str]


class _Spelling(NamedTuple):
    """One spelling of a run of a quotation's tokens, as the index matches it."""

    ids: tuple[int, ...]  # its words' ids
    marks: tuple[str, ...]  # the marks it writes, which the index does not hold ("%", "&")


#: a run of words found in more places than this is not looked up to tell a
#: quotation's spellings apart (the commonest English word, "the", is 6 % of a text)
_MAX_CONTEXT_PLACES = 50_000
#: of the places of such a run, at most this many are read for its marks
_MARK_CHECKS = 20
#: the most tokens a run of forms of other length is read in ("two million, five hundred thousand" is 7)
_RUN_TOKENS = 16
#: characters after a run of words where a mark it writes may stand ("30%")
_MARK_REACH = 2


class _GapToken(NamedTuple):
    """A token between two words of a source."""

    norm: str  # its folded form
    char_start: int  # character offsets in the source's text
    char_end: int


# --------------------------------------------------------------------------- word scanning

_CHUNK = 1 << 20
_SPACE = re.compile(r"\s")


def _chunks(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into spans of about a megabyte that end on white space (never inside a word)."""
    out = []
    start, n = 0, len(text)
    while start < n:
        end = min(start + _CHUNK, n)
        if end < n:
            space = _SPACE.search(text, end)
            end = space.start() if space else n
        out.append((start, end))
        start = end
    return out


class _Builder:
    """Turns source texts into word ids and word spans, one source at a time.

    A word's id is that of its form in ``language`` (see :func:`_form_of`).
    """

    def __init__(self, pattern: re.Pattern[str], language: str | None) -> None:
        self.pattern = pattern
        self.language = language
        self.vocab: dict[str, int] = {}
        self._surface: dict[str, int] = {}

    def _id(self, surface: str) -> int:
        key = _form_of(fold_token(surface).translate(SKELETON).casefold(), self.language)
        wid = self.vocab.get(key)
        if wid is None:
            wid = self.vocab[key] = len(self.vocab)
        self._surface[surface] = wid
        return wid

    def scan(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ids, starts, ends) of the words of ``text``."""
        ids: list[np.ndarray] = []
        starts: list[np.ndarray] = []
        ends: list[np.ndarray] = []
        cache = self._surface
        for a, b in _chunks(text):
            parts = self.pattern.split(text[a:b])
            if len(parts) < 2:
                continue
            lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
            bounds = np.cumsum(lengths) + a
            starts.append(bounds[0:-1:2])
            ends.append(bounds[1::2])
            surfaces = parts[1::2]
            get = cache.get
            ids.append(
                np.fromiter(
                    (w if (w := get(s)) is not None else self._id(s) for s in surfaces),
                    dtype=np.int32,
                    count=len(surfaces),
                )
            )
        if not ids:
            empty = np.zeros(0, dtype=np.int64)
            return np.zeros(0, dtype=np.int32), empty, empty
        return np.concatenate(ids), np.concatenate(starts), np.concatenate(ends)


def index_language(sources: Sequence[Document]) -> str | None:
    """The language whose forms of words the index matches: the one all the sources are in, or None."""
    languages = {doc.language for doc in sources}
    return languages.pop() if len(languages) == 1 else None


def _form_of(key: str, language: str | None) -> str:
    """The form a word is indexed and looked up by: its search key (:attr:`Token.key`) as the forms of one word share it.

    Forms of one word (:func:`quoteverify.classify.word_form`: "colour"
    and "color", "six" and "6", "toward" and "towards") are one word to
    the search, so that a quotation in another house style is located where
    it would be verbatim. Sources of several languages share no rule of
    forms: their words are matched by their keys alone.
    """
    return word_form(key, language) if language is not None else key


def _gram_keys(a: np.ndarray, b: np.ndarray, c: np.ndarray, vocab_size: int, hashed: bool) -> np.ndarray:
    """64-bit keys of the trigrams (a, b, c) of word ids: exact, or hashed for vocabularies of 2**21 words and more."""
    a = a.astype(np.int64)
    b = b.astype(np.int64)
    c = c.astype(np.int64)
    if not hashed:
        return (a * vocab_size + b) * vocab_size + c
    with np.errstate(over="ignore"):
        h = (a.astype(np.uint64) * _H1 + b.astype(np.uint64)) * _H2 + c.astype(np.uint64)
    return h.view(np.int64)


def _int_dtype(n: int) -> type[np.signedinteger[Any]]:
    return np.int32 if n < 2**31 - 1 else np.int64


@lru_cache(maxsize=1)  # once a process: the code does not change under it
def _code_version() -> str:
    """A digest of the code that decides what the index holds and how it is searched.

    That is the tokenizer, every module of this package (the index
    layout, and the search and scoring that read it), as the whole of
    ``locate.py`` was before it became a package, and the rule of the
    forms of one word that the ids are given by (:mod:`quoteverify.classify`
    and the word lists of :mod:`quoteverify.lexicon`).
    """
    package = sorted(Path(__file__).parent.glob("*.py"))
    lexicon_files = sorted((Path(classify.__file__).parent / "lexicon").glob("*.*"))
    return code_digest(str(INDEX_FORMAT), [normalize.__file__, *package, classify.__file__, *lexicon_files])



def fingerprint(sources: Sequence[Document]) -> str:
    """A digest of the sources (ids, texts by their :func:`text_sha256`, languages) and of the indexing code: the name of a saved index."""
    h = hashlib.sha256(_code_version().encode())
    for doc in sources:
        for part in (doc.id.encode("utf-8", "surrogatepass"), text_sha256(doc.text).encode(), doc.language.encode()):
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
    return h.hexdigest()[:32]


_ARRAYS = ("hashed", "ids", "wstart", "wend", "word_pos", "word_ptr", "gram_keys", "gram_ptr", "gram_pos", "pair_info")


def _remove_orphans(folder: Path) -> None:
    """Remove the temporary files of index writers that are gone (a run killed while it saved)."""
    for tmp in folder.glob(".index-*-*.tmp"):
        pid = tmp.name.split("-")[1]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            try:
                tmp.unlink()
            except OSError:
                pass
        except OSError:  # alive, someone else's
            pass


#: the file name's ending of a saved index, and the first bytes of the file
INDEX_SUFFIX = ".bin"
_MAGIC = b"quoteverify-index\n"
#: the alignment of each array in the file (a cache line: every dtype's alignment divides it)
_ALIGN = 64


def _index_parts(meta: dict[str, Any], vocab: bytes, arrays: dict[str, np.ndarray]) -> list[bytes | memoryview]:
    """The bytes of a saved index, in order: the magic line, the header's length (8 bytes, little-endian),
    the header (JSON: the metadata, the vocabulary's length, and each array's name, dtype, shape and
    offset in the file), the vocabulary (words joined by newlines), and the arrays, each at an offset
    that is a multiple of :data:`_ALIGN`.
    """
    blobs = [np.ascontiguousarray(arrays[name]) for name in _ARRAYS]
    table, offset = [], 0
    for name, a in zip(_ARRAYS, blobs):
        table.append([name, a.dtype.str, list(a.shape), offset])
        offset += -(-a.nbytes // _ALIGN) * _ALIGN
    header = json.dumps({"meta": meta, "vocab": len(vocab), "arrays": table}).encode()
    start = len(_MAGIC) + 8 + len(header) + len(vocab)
    pad = -start % _ALIGN
    parts: list[bytes | memoryview] = [_MAGIC, len(header).to_bytes(8, "little"), header, vocab, b"\0" * pad]
    for a in blobs:
        parts.append(b"\0" * (-sum(map(len, parts[5:])) % _ALIGN))  # none after the last: the file ends with it
        parts.append(a.data.cast("B"))
    return parts


def _read_index(path: Path, own: bool = False) -> tuple[dict[str, Any], bytes, dict[str, np.ndarray]]:
    """The metadata, vocabulary and arrays of an index file written by :func:`_index_parts`.

    ``ValueError`` for a file that is not one (the arrays must lie inside it,
    with a dtype of plain numbers). An empty file cannot be mapped, and is none.
    ``own``: ``PermissionError`` for a file that is not this user's own (see :func:`~quoteverify._cache.check_own`).
    """
    import mmap  # only a run that loads an index needs it

    with open(path, "rb") as f:
        if own:
            check_own(f.fileno(), path)
        try:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:
            raise ValueError(f"{path}: not an index") from None
    size = len(mapped)
    head = len(_MAGIC) + 8
    if size < head or mapped[: len(_MAGIC)] != _MAGIC:
        raise ValueError(f"{path}: not an index")
    length = int.from_bytes(mapped[len(_MAGIC) : head], "little")
    if head + length > size:
        raise ValueError(f"{path}: not an index")
    try:
        header = json.loads(mapped[head : head + length].decode())
        meta, vocab_len, table = header["meta"], int(header["vocab"]), header["arrays"]
        vocab_start = head + length
        data_start = vocab_start + vocab_len
        data_start += -data_start % _ALIGN
        if vocab_len < 0 or data_start > size or not isinstance(meta, dict) or [row[0] for row in table] != list(_ARRAYS):
            raise ValueError("other arrays")
        arrays: dict[str, np.ndarray] = {}
        for name, dtype_str, shape, offset in table:
            dtype = np.dtype(dtype_str)
            if dtype.kind not in "biuf" or not all(type(n) is int and n >= 0 for n in shape) or type(offset) is not int:
                raise ValueError("not an array of numbers")
            count = int(np.prod(shape, dtype=np.int64))
            if offset < 0 or data_start + offset + count * dtype.itemsize > size:
                raise ValueError("an array past the end")
            arrays[name] = np.frombuffer(mapped, dtype=dtype, count=count, offset=data_start + offset).reshape(shape)
    except (ValueError, TypeError, KeyError, IndexError) as e:
        raise ValueError(f"{path}: not an index ({e})") from None
    return meta, bytes(mapped[vocab_start : vocab_start + vocab_len]), arrays


class SourceIndex:
    """Word indexes over every source document of a case, built once.

    ``origin`` says whether the index was ``"built"`` here or ``"loaded"``
    from a saved file; ``build_seconds`` how long that took.

    The arrays (attributes with a leading underscore) belong to this
    package: :mod:`~quoteverify.locate.search` and
    :mod:`~quoteverify.locate.score` read them directly in their inner
    loops. Outside the package, use the methods.
    """

    origin: Literal["built", "loaded"]
    build_seconds: float

    def __init__(self, sources: Sequence[Document]) -> None:
        t0 = time.perf_counter()
        docs = list(sources)
        chars: set[str] = set()
        for doc in docs:
            chars.update(doc.text)
        builder = _Builder(normalize.word_pattern(chars), index_language(docs))
        ids, wstart, wend, counts = [], [], [], []
        for doc in docs:
            i, s, e = builder.scan(doc.text)
            ids += [i, np.array([_SENTINEL], dtype=np.int32)]
            wstart += [s, np.array([-1])]
            wend += [e, np.array([-1])]
            counts.append(len(i))
        vocab = builder.vocab
        arrays = _build_arrays(
            np.concatenate(ids) if ids else np.zeros(0, np.int32),
            np.concatenate(wstart) if wstart else np.zeros(0, np.int64),
            np.concatenate(wend) if wend else np.zeros(0, np.int64),
            len(vocab),
        )
        self._setup(docs, counts, list(vocab), arrays)
        self.origin = "built"
        self.build_seconds = time.perf_counter() - t0

    def _setup(
        self,
        docs: list[Document],
        counts: Sequence[int],
        words: list[str],
        arrays: dict[str, np.ndarray],
        encoded: Callable[[np.ndarray], str | None] = _encode_ids,
    ) -> None:
        """Set the index up from its arrays; ``encoded`` gives the string of its word ids (:func:`_encode_ids`)."""
        self._words_list = words
        self._language = index_language(docs)
        self._vocab = {w: i for i, w in enumerate(words)}
        self._arrays = arrays
        self._ids: np.ndarray = arrays["ids"]
        self._wstart: np.ndarray = arrays["wstart"]
        self._wend: np.ndarray = arrays["wend"]
        self._word_pos: np.ndarray = arrays["word_pos"]
        self._word_ptr: np.ndarray = arrays["word_ptr"]
        self._gram_keys: np.ndarray = arrays["gram_keys"]
        self._gram_ptr: np.ndarray = arrays["gram_ptr"]
        self._gram_pos: np.ndarray = arrays["gram_pos"]
        self._hashed = bool(arrays["hashed"][0])
        # memoryviews: a Python sum over a short slice of one is quicker than numpy's
        self._pair_view: memoryview = arrays["pair_info"].data
        self._ids_view: memoryview = self._ids.data
        # and bisect finds a word by its offset in one faster than searchsorted
        self._wstart_view: memoryview = self._wstart.data
        self._wend_view: memoryview = self._wend.data
        self._gram_keys_view: memoryview = self._gram_keys.data
        self._gram_ptr_view: memoryview = self._gram_ptr.data
        self._word_ptr_view: memoryview = self._word_ptr.data
        self._word_pos_view: memoryview = self._word_pos.data
        self._gram_pos_view: memoryview = self._gram_pos.data
        self._seq: str | None = encoded(self._ids)
        # each word id's character in that string, for vocabularies of common size
        self._codes: list[str] = _code_table(len(words)) if self._seq is not None and len(words) <= _CODE_TABLE else []
        # caches of folded forms (see _CACHE_WORDS)
        self._norm_ids: dict[str, int] = {}
        self._norms: dict[str, str] = {}
        # what run of forms of other length a token may start (classify.form_start), and the spellings looked up
        self._form_starts: dict[str, _FormFlag] = {}
        self._marks = classify.form_marks(self._language) if self._language is not None else frozenset()
        self._spellings: dict[str, _Spelling] = {}
        self._others: dict[tuple[str, ...], tuple[_Spelling, ...]] = {}
        self._source_marks: dict[str, bool] = {}
        self._marks_present: frozenset[str] | None = None
        freq = np.diff(self._word_ptr.astype(np.int64))
        self._idf: list[float] = (-np.log(_word_chance(freq))).tolist()
        self._freq: list[int] = freq.tolist()
        self._words_total = int(freq.sum())
        self.sources: list[IndexedSource] = []
        self._starts: list[int] = []
        offset = 0
        for doc, n in zip(docs, counts):
            self.sources.append(IndexedSource(doc, offset, int(n)))
            self._starts.append(offset)
            offset += int(n) + 1
        self._ends: list[int] = [s.offset + s.words for s in self.sources]
        self._by_id: dict[str, int] = {}
        for i, s in enumerate(self.sources):
            self._by_id.setdefault(s.doc.id, i)
        self._documents = tuple(s.doc for s in self.sources)

    # ----------------------------------------------------------------- saving

    @classmethod
    def cached(
        cls, sources: Sequence[Document], directory: str | Path | None, *, keep: int = 1, own: bool = False
    ) -> SourceIndex:
        """The index of ``sources``, loaded from ``directory`` when saved there before, else built and saved.

        The file is ``directory/index-<fingerprint>.bin``: a change of the
        sources (or of the indexing code) gives another name, so a stale
        index is never used. When ``directory`` cannot be written (a
        read-only case), the index is built and not saved, silently. Of the
        index files in ``directory``, the ``keep`` last saved or loaded are
        kept, the others removed. ``own``: a file is loaded only when it is
        this user's own that nobody else may write (the user's cache
        folder, which another user could have been given). Sources shorter
        than :data:`SAVE_FROM_CHARS` are indexed without ``directory``: that
        is quicker than loading.
        """
        if directory is None or sum(len(d.text) for d in sources) < SAVE_FROM_CHARS:
            return cls(sources)
        folder = Path(directory)
        key = fingerprint(sources)
        path = folder / f"index-{key}{INDEX_SUFFIX}"
        if folder.is_dir():
            _remove_orphans(folder)
        if path.is_file():
            try:
                index = cls.load(path, sources, key=key, own=own)
            except (OSError, ValueError, KeyError, EOFError):
                pass  # unreadable or foreign: build it again
            else:
                if keep > 1:
                    with contextlib.suppress(OSError):
                        os.utime(path)  # used last: the last to go
                return index
        index = cls(sources)
        index._save_quietly(folder, path, keep)
        return index

    def _save_quietly(self, folder: Path, path: Path, keep: int = 1) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.save(path)
        except OSError:
            return
        with contextlib.suppress(OSError):
            # .npz: the layout before
            found = [e for e in os.scandir(folder) if e.name.startswith("index-") and e.name.endswith((INDEX_SUFFIX, ".npz"))]
            others = sorted((e.stat().st_mtime_ns, e.path) for e in found if e.path != str(path))
            for _, old in others[: max(0, len(others) - (keep - 1))]:
                with contextlib.suppress(OSError):
                    os.unlink(old)

    def save(self, path: str | Path, *, key: str | None = None) -> None:
        """Write the index to ``path`` atomically: raw arrays behind a JSON header, no pickles (see :func:`_index_bytes`)."""
        path = Path(path)
        meta = {
            "format": INDEX_FORMAT,
            "fingerprint": key or fingerprint(self._documents),
            "sources": [s.doc.id for s in self.sources],
            "counts": [s.words for s in self.sources],
        }
        vocab = "\n".join(self._words_list).encode("utf-8", "surrogatepass")
        # the writer's pid in the name: a file a killed run left is known for an orphan (_remove_orphans)
        import tempfile  # only a run that saves an index needs it

        fd, tmp = tempfile.mkstemp(prefix=f".index-{os.getpid()}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                for part in _index_parts(meta, vocab, self._arrays):
                    f.write(part)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    @classmethod
    def load(cls, path: str | Path, sources: Sequence[Document], *, key: str | None = None, own: bool = False) -> SourceIndex:
        """Load an index saved by :meth:`save` for exactly these ``sources`` (``ValueError`` if it is another's).

        ``own``: the file must be this user's own, that nobody else may write
        (else ``PermissionError``).

        The arrays are views of the file mapped into memory, read-only: no
        copy and no checksum pass. The 46 MB index of the 10 MB case loaded
        in 0.03 s from a numpy ``.npz`` (the copy out of the zip and its
        CRC-32: 177 M of 5.7 G instructions of a run of 300 articles), in
        under 1 ms this way; its pages are read as the search needs them.
        """
        t0 = time.perf_counter()
        docs = list(sources)
        meta, vocab_bytes, arrays = _read_index(Path(path), own)
        if meta.get("format") != INDEX_FORMAT:
            raise ValueError(f"{path}: index format {meta.get('format')}, not {INDEX_FORMAT}")
        name = key or fingerprint(docs)
        if meta.get("fingerprint") != name:
            raise ValueError(f"{path}: index of other sources")
        if meta.get("sources") != [d.id for d in docs]:
            raise ValueError(f"{path}: index of other sources")
        words = vocab_bytes.decode("utf-8", "surrogatepass").split("\n") if vocab_bytes else []
        self = cls.__new__(cls)
        self._setup(docs, meta["counts"], words, arrays, lambda ids: _kept_encoded_ids(ids, name))
        self.origin = "loaded"
        self.build_seconds = time.perf_counter() - t0
        return self

    def __getstate__(self) -> dict[str, Any]:
        return {"docs": list(self._documents), "counts": [s.words for s in self.sources],
                "words": self._words_list, "arrays": self._arrays,
                "origin": self.origin, "build_seconds": self.build_seconds}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._setup(state["docs"], state["counts"], state["words"], state["arrays"])
        self.origin = state["origin"]
        self.build_seconds = state["build_seconds"]

    # ----------------------------------------------------------------- documents

    @property
    def documents(self) -> tuple[Document, ...]:
        return self._documents

    @property
    def vocabulary_size(self) -> int:
        """How many distinct words (folded, case-folded) the sources have."""
        return len(self._words_list)

    @property
    def nbytes(self) -> int:
        """The size of the index arrays, in bytes (the documents' texts not counted)."""
        return int(sum(a.nbytes for a in self._arrays.values()))

    def number(self, source_id: str) -> int:
        """The position of a source among the indexed ones, by id."""
        try:
            return self._by_id[source_id]
        except KeyError:
            raise KeyError(source_id) from None

    def document(self, source_id: str) -> Document:
        return self.sources[self.number(source_id)].doc

    def word_starts(self, source: int) -> np.ndarray:
        """The character offsets where a source's words start, by source word position (a view into the index)."""
        s = self.sources[source]
        return self._wstart[s.offset : s.offset + s.words]

    def source_of(self, g: int) -> int:
        """The number of the source that global word position ``g`` belongs to."""
        return bisect_right(self._starts, g) - 1

    # ----------------------------------------------------------------- word ids and trigram keys

    def word_ids(self, keys: Sequence[str]) -> list[int]:
        """The ids of word keys (:attr:`Token.key`), by their forms; a word no source has gets an id that matches nothing."""
        get, language = self._vocab.get, self._language
        return [get(_form_of(k, language), _UNKNOWN) for k in keys]

    def fragment_ids(self, fragment: Sequence[Token]) -> list[int]:
        """The ids of the words of a quotation fragment (its word tokens, by the form of their :attr:`Token.key`).

        A run of its tokens that the sources spell in more words, or fewer,
        is given the ids of their spelling (:meth:`_in_source_forms`): the
        ids may then be more, or fewer, than the fragment's words.
        """
        cache = self._norm_ids
        get = cache.get
        ids = [get(t.norm) for t in fragment if t.is_word]
        if None in ids:
            if len(cache) > _CACHE_WORDS:
                cache.clear()
            words = [t for t in fragment if t.is_word]
            vocab = self._vocab
            for k, t in enumerate(words):
                if ids[k] is None:
                    key = t.key
                    # a key that is an indexed form is its own form (forms are fixed points of the rule):
                    # most quoted words are the sources' own, and their forms are not worked out again
                    wid = vocab.get(key)
                    ids[k] = cache[t.norm] = wid if wid is not None else vocab.get(_form_of(key, self._language), _UNKNOWN)
        if self._language is not None:
            at = self._form_starts_to_read(fragment, ids)  # type: ignore[arg-type]
            if at:
                return self._in_source_forms(fragment, ids, at)  # type: ignore[arg-type]
        return ids  # type: ignore[return-value]

    def _form_starts_to_read(self, fragment: Sequence[Token], ids: list[int]) -> list[int]:
        """The tokens of a fragment that may start a run that the sources spell in more words, or fewer, by position.

        A token that may start such a run (classify's quick tests, cached
        by token) counts only where the fragment's words around it are not
        the sources' (a trigram over it that no source has): most
        quotations are verbatim, and most such tokens are common words ("it",
        "we", "that") that no contraction's other words follow there.
        Measured on the 10 MB test case: 5,426 fragments in 6,480 have such
        a token, 421 such a token where a trigram over it is no source's;
        this costs about 55 ms over its 5,828 quotations (fragment_ids: 17 ms
        before, 72 ms with it; verifying them takes about 2 s).
        """
        # each token's flag (None: not asked yet), by map: as quick as a comprehension (14 ms
        # for the 6,480 fragments of the 10 MB test case)
        flags = list(map(self._form_starts.get, map(_NORM, fragment)))
        if not any(flags) and None not in flags:
            return []
        out: list[int] = []
        last = len(fragment) - 1
        # the words before each token, counted once: counting them again at each token that may
        # start a run cost 0.1 s of cProfile time over the 10 MB test case
        words_before: list[int] | None = None
        for i in [i for i, flag in enumerate(flags) if flag or flag is None]:
            flag = flags[i]
            if flag is None:
                flag = self._form_flag(fragment[i])
                if not flag:
                    continue
            if flag != _STARTS_RUN:
                if i == last:
                    continue
                following = fragment[i + 1].norm.casefold()
                if following not in flag if isinstance(flag, frozenset) else not classify.continues_form(fragment[i].norm.casefold(), following, self._language or ""):
                    continue
            if words_before is None:
                words_before = list(accumulate((t.is_word for t in fragment), initial=0))
            if not self._reads_as_sources(ids, words_before[i]):
                out.append(i)
        return out

    def _form_flag(self, t: Token) -> _FormFlag:
        """What run a token may start (classify's :func:`~quoteverify.classify.form_start`), kept by its folded form.

        ``_STARTS_RUN``: one of its own; the tokens that may follow it in one (a
        contraction's words); ``_NUMBER_GOES_ON``: a run if a number goes on
        after it; ``_NO_RUN``: none.
        """
        if len(self._form_starts) > _CACHE_WORDS:
            self._form_starts.clear()
        language = self._language or ""
        start = classify.NO_FORM if t.editorial else classify.form_start(t.key, language, self._marks_here())
        flag: _FormFlag = _NO_RUN
        if start == classify.FORM:
            flag = _STARTS_RUN
        elif start == classify.FORM_IF_CONTINUED:
            followers = classify.form_followers(t.norm.casefold(), language)
            flag = _NUMBER_GOES_ON if followers is None else followers
        self._form_starts[t.norm] = flag
        return flag

    def _reads_as_sources(self, ids: list[int], k: int) -> bool:
        """Whether every trigram of word ids ``ids`` that holds word ``k`` is the sources' (and there is one)."""
        first, last = max(k - 2, 0), min(k, len(ids) - 3)
        return first <= last and self._trigrams_present(ids[first : last + 3])

    def _trigrams_present(self, seq: Sequence[int]) -> bool:
        """Whether the sources have every trigram of word ids ``seq`` (three or more)."""
        if min(seq) < 0:
            return False
        table = self._gram_keys_view
        size = len(table)
        for key in self.trigram_keys(seq, range(len(seq) - 2)):
            slot = bisect_left(table, key)
            if slot >= size or table[slot] != key:
                return False
        return True

    # ----------------------------------------------------------------- forms of other lengths

    def _in_source_forms(self, fragment: Sequence[Token], ids: list[int], at: list[int]) -> list[int]:
        """The word ids of a fragment with each run that other spellings write in more words, or fewer, spelt as the sources spell it there.

        The runs and their spellings are classify's
        (:func:`~quoteverify.classify.forms_of_other_length`: "we are" and
        "we're", "30%" and "30 per cent", "300,000" and "three hundred
        thousand"). Of a run's spellings, the one the sources have between
        the words around it is taken (:meth:`_spelling_in_sources`), so
        that a quotation in another house style is found where it would be
        verbatim. Only the ids change: the fragment's tokens, and so every
        offset, are the quotation's own. Only the runs that start at the
        tokens ``at`` are read (see :meth:`_form_starts_to_read`).
        """
        runs = []
        for i in at:
            first = max(i - 1, 0)
            run = classify.form_run_at([t.key for t in fragment[first : i + _RUN_TOKENS]], i - first, self._language or "")
            if run is not None:
                runs.append(run._replace(start=run.start + first, end=run.end + first))
        if not runs:
            return ids
        out: list[int] = []
        word = 0  # the fragment's words passed so far
        tok = 0  # and its tokens
        kept = (0, 0, 0)  # (tok, word, len(out)) where the last run kept as it is started
        for run in runs:
            if run.start < tok:  # overlaps the last run: only when that one was kept as it is, from where it started
                if kept[0] < 0:
                    continue
                tok, word, size = kept
                del out[size:]
            for t in fragment[tok : run.start]:
                if t.is_word:
                    out.append(ids[word])
                    word += 1
            began = (run.start, word, len(out))
            inside = fragment[run.start : run.end]
            count = sum(1 for t in inside if t.is_word)
            own = _Spelling(tuple(ids[word : word + count]), tuple(t.key for t in inside if not t.is_word and t.key != ","))
            word += count
            tok = run.end
            others = self._others.get(run.spellings)
            if others is None:
                if len(self._others) > _CACHE_WORDS:
                    self._others.clear()
                # a spelling with a mark no source has ("&" in sources that write "and") is none of theirs
                others = self._others[run.spellings] = tuple(sp for sp in map(self._spelling, run.spellings) if all(map(self._has_mark, sp.marks)))
            choices = [own, *(sp for sp in others if sp != own)]
            left = out[-1] if out else None
            right = ids[word] if word < len(ids) else None
            chosen = self._spelling_in_sources(choices, left, right) if len(choices) > 1 else 0
            out.extend(choices[chosen].ids)
            kept = began if chosen == 0 else (-1, 0, 0)
        out.extend(ids[word:])
        return out

    def _spelling(self, text: str) -> _Spelling:
        """The word ids of a spelling, and the marks it writes ("%", "&"; a thousands separator not counted)."""
        found = self._spellings.get(text)
        if found is None:
            if len(self._spellings) > _CACHE_WORDS:
                self._spellings.clear()
            tokens = tokenize(text)
            found = self._spellings[text] = _Spelling(
                tuple(self.word_ids([t.key for t in tokens if t.is_word])), tuple(t.key for t in tokens if not t.is_word and t.key != ",")
            )
        return found

    def _marks_here(self) -> frozenset[str]:
        """The marks that spell words (:func:`~quoteverify.classify.form_marks`) that the sources have."""
        if self._marks_present is None:
            self._marks_present = frozenset(filter(self._has_mark, self._marks))
        return self._marks_present

    def _has_mark(self, mark: str) -> bool:
        """Whether any source has the mark ``mark`` ("%", "&")."""
        found = self._source_marks.get(mark)
        if found is None:
            found = self._source_marks[mark] = any(mark in doc.text for doc in self._documents)
        return found

    def _spelling_in_sources(self, choices: list[_Spelling], left: int | None, right: int | None) -> int:
        """The number of the first of ``choices`` the sources have between the words ``left`` and ``right``.

        Failing that, after ``left``, before ``right``, or anywhere; failing
        all, the first (the quotation's own spelling).
        """
        contexts: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        if left is not None and left >= 0 and right is not None and right >= 0:
            contexts.append(((left,), (right,)))
        if left is not None and left >= 0:
            contexts.append(((left,), ()))
        if right is not None and right >= 0:
            contexts.append(((), (right,)))
        contexts.append(((), ()))
        for before, after in contexts:
            for number, choice in enumerate(choices):
                seq = (*before, *choice.ids, *after)
                if seq and min(seq) >= 0 and (choice.ids or before or after) and self._occurs(seq, choice.marks):
                    return number
        return 0

    def _occurs(self, seq: tuple[int, ...], marks: tuple[str, ...]) -> bool:
        """Whether the sources have the words ``seq`` in a row, with the marks ``marks`` among them (or just after them)."""
        if not marks:
            if len(seq) == 1:
                return True  # a known word
            if len(seq) == 2 and not self._hashed:
                # the trigrams that start with the pair: one stretch of the sorted exact keys (a pair that ends a source has none)
                v = len(self._words_list)
                low = (seq[0] * v + seq[1]) * v
                slot = bisect_left(self._gram_keys_view, low)
                if slot < len(self._gram_keys_view) and self._gram_keys_view[slot] < low + v:
                    return True
            if len(seq) >= 3:
                return self._trigrams_present(seq)
        freq = self._freq
        j = min(range(len(seq)), key=lambda k: (freq[seq[k]], k))
        if freq[seq[j]] > _MAX_CONTEXT_PLACES:
            return False  # too common a run to be told apart by its words
        lo = self._word_ptr_view[seq[j]]
        hits = self._word_pos[lo : lo + freq[seq[j]]].astype(np.int64) - j
        hits = hits[(hits >= 0) & (hits <= len(self._ids) - len(seq))]
        for k, w in enumerate(seq):
            if k != j:
                hits = hits[self._ids[hits + k] == w]
        if not marks:
            return len(hits) > 0
        for g in hits[:_MARK_CHECKS].tolist():
            text = self.sources[self.source_of(g)].doc.text
            stretch = text[int(self._wstart[g]) : int(self._wend[g + len(seq) - 1]) + _MARK_REACH]
            if all(mark in stretch for mark in marks):
                return True
        return False

    def trigram_slots(self, q: Sequence[int]) -> tuple[list[int], list[int]]:
        """(fragment positions, slots in the trigram table) of the trigrams of word ids ``q`` that the sources have."""
        table = self._gram_keys
        if self._hashed:
            qa = np.array(q, dtype=np.int64)
            known = qa >= 0
            keys = _gram_keys(qa[:-2], qa[1:-1], qa[2:], len(self._words_list), True)
            valid = known[:-2] & known[1:-1] & known[2:]
        else:
            v = len(self._words_list)
            # a trigram with a word no source has gets key -1, which no trigram has
            keys = np.array([(a * v + b) * v + c if a >= 0 and b >= 0 and c >= 0 else -1 for a, b, c in zip(q, q[1:], q[2:])], dtype=np.int64)
            valid = None
        # the arrays' methods, not numpy's wrapper functions: a fragment's
        # twenty keys take less time to look up than the wrappers to run
        # (searchsorted 6.5 -> 4.7 µs a fragment, measured on the 10 MB case)
        slot = table.searchsorted(keys)
        np.minimum(slot, len(table) - 1, out=slot)
        found = table[slot] == keys
        if valid is not None:
            found &= valid
        sel = found.nonzero()[0]
        return sel.tolist(), slot[sel].tolist()

    def trigram_keys(self, q: Sequence[int], starts: Sequence[int]) -> list[int]:
        """The keys of the trigrams of word ids ``q`` (all known) that start at the fragment positions ``starts``."""
        if self._hashed:
            qa = np.array([q[p : p + 3] for p in starts], dtype=np.int64)
            return _gram_keys(qa[:, 0], qa[:, 1], qa[:, 2], len(self._words_list), True).tolist()
        v = len(self._words_list)
        return [(q[p] * v + q[p + 1]) * v + q[p + 2] for p in starts]

    def seq_of(self, q: Sequence[int]) -> Aligned:
        """Word ids as the aligner takes them: a string of one character per word, when the vocabulary allows."""
        if not isinstance(self._seq, str):
            return list(q)
        if self._codes and min(q) >= 0:
            return "".join(map(self._codes.__getitem__, q))
        return "".join([chr(x + 3) if 0 <= x < _LOW_IDS else _code(x) for x in q])

    def window(self, lo: int, hi: int) -> Aligned:
        """Global words ``lo:hi`` as the aligner takes them."""
        if isinstance(self._seq, str):
            return self._seq[lo:hi]
        return self._ids[lo:hi].tolist()

    # ----------------------------------------------------------------- character offsets

    def _gap_tokens(self, source: int, g: int, *, after: bool) -> list[_GapToken]:
        """The (non-word) tokens between global word ``g`` and its neighbour before or after it."""
        s = self.sources[source]
        text = s.doc.text
        if after:
            a = int(self._wend[g])
            b = int(self._wstart[g + 1]) if g + 1 < s.offset + s.words else len(text)
        else:
            a = int(self._wend[g - 1]) if g > s.offset else 0
            b = int(self._wstart[g])
        return [_GapToken(norm, t0 + a, t1 + a) for _, norm, t0, t1 in _tokenize_gap(text[a:b])]

    def char_span(self, start: int, end: int, fragment: Sequence[Token]) -> tuple[int, tuple[int, int]]:
        """(source number, character span) of global words ``start:end``.

        The span is widened over punctuation that the fragment also has just
        inside its first or last word (a full stop taken inside the closing
        mark, an opening parenthesis).
        """
        s = self.source_of(start)
        a = int(self._wstart[start])
        b = int(self._wend[end - 1])
        lead = _punct_run(fragment, reverse=False)
        trail = _punct_run(fragment, reverse=True)
        if lead:
            before = self._gap_tokens(s, start, after=False)
            k = len(before)
            for norm in reversed(lead):
                if k > 0 and before[k - 1].norm == norm:
                    k -= 1
                    a = before[k].char_start
                else:
                    break
        if trail:
            after = self._gap_tokens(s, end - 1, after=True)
            k = 0
            for norm in trail:
                if k < len(after) and after[k].norm == norm:
                    b = after[k].char_end
                    k += 1
                else:
                    break
        if self._marks and b == self._wend[end - 1]:
            b = self._over_mark(s, b, fragment)
        return s, (a, b)

    def _over_mark(self, source: int, b: int, fragment: Sequence[Token]) -> int:
        """``b``, or past the mark just after it that spells the fragment's last words ("30%" for a quoted "30 per cent").

        The index holds no marks: a fragment whose last words the source
        writes as one is found without it.
        """
        text = self.sources[source].doc.text
        k = b + 1 if text[b : b + 1] == " " else b
        if text[k : k + 1] in self._marks and classify.ends_in_form_of([t.key for t in fragment if not t.editorial], text[k], self._language or ""):
            return k + 1
        return b

    def tokens_in(self, source: int, span: tuple[int, int]) -> tuple[Token, ...]:
        """The tokens of a source that lie inside a character span.

        Words come from the index (their spans), with their folded forms
        cached; only the stretches between words that hold more than one
        space are tokenised, each whole, which gives exactly the tokens of
        the whole text.
        """
        s = self.sources[source]
        text = s.doc.text
        a, b = span
        first, stop = s.offset, s.offset + s.words
        ws, we = self._wstart_view, self._wend_view
        k0 = bisect_right(we, a, first, stop)  # first word ending after a
        k1 = bisect_left(ws, b, k0, stop)  # words starting before b
        g0 = we[k0 - 1] if k0 > first else 0  # where the gap before the next word starts
        last = ws[k1] if k1 < stop else len(text)
        out: list[Token] = []
        append = out.append
        norms = self._norms
        new = new_token
        for w0, w1 in zip(ws[k0:k1].tolist() + [last], we[k0:k1].tolist() + [-1]):
            if w0 > g0 and g0 < b and w0 > a:
                gap = text[g0:w0]
                if gap != " " and not gap.isspace():
                    for surface, norm, t0, t1 in _tokenize_gap(gap):
                        if t0 + g0 >= a and t1 + g0 <= b:
                            append(new(Token, (surface, norm, t0 + g0, t1 + g0, False, False)))
            if w0 >= a and 0 <= w1 <= b:
                surface = norm = text[w0:w1]  # an ASCII word folds to itself
                if not surface.isascii():
                    folded = norms.get(surface)
                    if folded is None:
                        if len(norms) > _CACHE_WORDS:
                            norms.clear()
                        folded = norms[surface] = fold_token(surface)
                    norm = folded
                append(new(Token, (surface, norm, w0, w1, True, False)))
            g0 = w1
        return tuple(out)


# The stretches between words repeat across a source (", ", ". ", " — "): a
# few thousand of them cover a text, and the cache is per process, shared by
# every index, as the stretches are plain text.
@lru_cache(maxsize=4096)
def _tokenize_gap(gap: str) -> tuple[tuple[str, str, int, int], ...]:
    """(surface, folded form, start, end) of the tokens of the text between two words.

    Such a stretch starts and ends on token boundaries, so it tokenises
    alone as it does inside the whole text.
    """
    return tuple((t.text, t.norm, t.start, t.end) for t in tokenize(gap))


def _punct_run(fragment: Sequence[Token], *, reverse: bool) -> list[str]:
    run = []
    seq = reversed(fragment) if reverse else iter(fragment)
    for t in seq:
        if t.is_word or t.editorial:
            break
        run.append(t.norm)
    return run


# --------------------------------------------------------------------------- the arrays


def _build_arrays(ids: np.ndarray, wstart: np.ndarray, wend: np.ndarray, vocab_size: int) -> dict[str, np.ndarray]:
    """The sorted position arrays of the words and trigrams of the global word sequence."""
    hashed = vocab_size >= _EXACT_VOCAB
    n = len(ids)
    pos_t = _int_dtype(n + 1)
    off_t = _int_dtype(int(wend.max()) + 1 if n else 1)
    real = np.flatnonzero(ids >= 0)
    real_ids = ids[real]
    word_pos = real[np.argsort(real_ids, kind="stable")].astype(pos_t)
    word_ptr = np.zeros(vocab_size + 1, dtype=pos_t)
    np.cumsum(np.bincount(real_ids, minlength=vocab_size), out=word_ptr[1:])
    if n >= 3:
        a, b, c = ids[:-2], ids[1:-1], ids[2:]
        gpos = np.flatnonzero((a >= 0) & (b >= 0) & (c >= 0))
        keys = _gram_keys(a[gpos], b[gpos], c[gpos], vocab_size, hashed)
    else:
        gpos = np.zeros(0, dtype=np.int64)
        keys = np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    skeys = keys[order]
    if len(skeys):
        new = np.empty(len(skeys), dtype=bool)
        new[0] = True
        new[1:] = skeys[1:] != skeys[:-1]
        first = np.flatnonzero(new)
    else:
        first = np.zeros(0, dtype=np.int64)
    return {
        "pair_info": _pair_information(ids, np.diff(word_ptr.astype(np.int64)), vocab_size),
        "hashed": np.array([hashed]),
        "ids": ids.astype(np.int32),
        "wstart": wstart.astype(off_t),
        "wend": wend.astype(off_t),
        "word_pos": word_pos,
        "word_ptr": word_ptr,
        "gram_keys": skeys[first],
        "gram_ptr": np.append(first, len(skeys)).astype(pos_t),
        "gram_pos": gpos[order].astype(pos_t),
    }


def _word_chance(freq: np.ndarray) -> np.ndarray:
    """The chance of each word of the vocabulary at a place of the sources, from its frequency ``freq``.

    Half a word is added to each count (Jeffreys' prior), so that in small
    sources a word seen once is not taken for common.
    """
    return (freq + 0.5) / (float(freq.sum()) + 0.5 * len(freq))


def _pair_information(ids: np.ndarray, freq: np.ndarray, vocab_size: int) -> np.ndarray:
    """The information (in nats) of each word of the global sequence given the word before it.

    The chance of word b after word a is that of the sources' own word-pair
    model, smoothed towards b's chance anywhere (see ``PAIR_PRIOR`` and
    :func:`_word_chance`): ``(pairs ab + PAIR_PRIOR * p(b)) / (words a +
    PAIR_PRIOR)``. After a word found only there, and for the first word of
    a source, it is b's chance anywhere: a pair seen once, in the passage
    under test, says nothing of how often it comes.
    """
    n = len(ids)
    p_word = _word_chance(freq)
    out = np.zeros(n, dtype=np.float64)
    real = ids >= 0
    out[real] = -np.log(p_word[ids[real]])
    if n > 1:
        pair = np.flatnonzero(real[1:] & real[:-1]) + 1
        if len(pair):
            a = ids[pair - 1].astype(np.int64)
            b = ids[pair].astype(np.int64)
            _, inverse, counts = np.unique(a * vocab_size + b, return_inverse=True, return_counts=True)
            given = (counts[inverse] + PAIR_PRIOR * p_word[b]) / (freq[a] + PAIR_PRIOR)
            # after a word found nowhere else, the pair says nothing: the word alone
            out[pair] = -np.log(np.where(freq[a] > 1, given, p_word[b]))
    return out.astype(np.float32)


def case_index(sources: Sequence[Document], root: str | Path | None) -> SourceIndex:
    """The index of a case's sources, saved under ``root/.quoteverify`` and loaded from there next time.

    Without a case directory (``root`` empty or None: sources named one by
    one), in the user's cache folder, where the :data:`KEPT_INDEXES` last
    used are kept: a run with the same sources as one of them loads it.
    """
    if root:
        return SourceIndex.cached(sources, Path(root) / CACHE_DIR)
    return SourceIndex.cached(sources, cache_folder() / f"indexes-{INDEX_FORMAT}", keep=KEPT_INDEXES, own=True)
