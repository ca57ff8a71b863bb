"""Locate: find the source passage a quotation renders, or decide it renders none.

The sources are indexed once: every word becomes an integer id (its folded,
case-folded form), every word trigram a 64-bit key, and the positions of
each trigram and each word are kept in sorted arrays (numpy), with the
information of each word given the one before it (the sources' word-pair
model, :func:`_pair_information`), so that the index of a 10 MB archive
takes about 46 MB and can be saved beside the case and loaded again
(:meth:`SourceIndex.cached`, :func:`case_index`).

A quotation is located fragment by fragment (the stretches between marked
elisions), in any order, longest first:

1. an exact occurrence of the fragment's words is looked for first: the
   positions of its rarest probe trigram are compared whole with the
   fragment, with no alignment at all (most real quotations are exact);
2. otherwise the fragment's trigrams are looked up;
3. when most of the fragment's trigrams that occur only once in the
   sources lie together, and the passage there reproduces most of the
   fragment significantly, that passage is taken at once (for a fragment
   not placed near others already found);
4. otherwise the trigram hits, and those of the fragment's rarest words,
   vote for passages (hits on nearby diagonals of one source form a candidate,
   ranked by hits and their rarity); the best few candidates are screened
   by their longest common subsequence with the fragment and the best
   aligned word by word (rapidfuzz's ``Indel.opcodes`` over word ids
   encoded one character per word); the most significant passage wins
   (:meth:`SourceIndex.significance`);
5. when none is significant, or reproduces enough of the fragment, the
   best is aligned again with its transposed words matched, beside the
   places where the fragment's rarer words occur together in any order
   (a heavily edited short fragment keeps few trigrams, or none): a
   significant passage found so is taken.

A quotation is located when its passages, in one source, reproduce enough
of its words (``MIN_SHARE``) and are significant: chance, in sources of
this size, would give passages as good at most exp(-``MIN_SIGNIFICANCE``)
times (:meth:`SourceIndex.chance`). The test weighs the information of
the matched words under the word-pair model (common phrases are cheap)
against the number of places and shapes such a likeness could take, and
the edits (gaps, moved words) a rendering would have made; the threshold
thus grows with the log of the sources' size. Fragments of one or two
words are located only when they occur exactly (and within a longer
quotation only near its other fragments).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import time
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
from rapidfuzz.distance import Indel, LCSseq

from quoteverify import normalize
from quoteverify._confusables import SKELETON
from quoteverify.models import Document, Fragment, Location, Quotation, Token, new_token
from quoteverify.normalize import fold_token, tokenize

#: fragments this short (in words) are located only when found exactly
SHORT = 2
#: share of a fragment's words a passage must reproduce to be its source
MIN_SHARE = 0.6
#: and at least this many words, for fragments longer than SHORT
MIN_WORDS = 3
#: a trigram more frequent than this in the sources casts no vote
MAX_POSTINGS = 2000
#: trigrams found once in all the sources that, on one stretch, place a fragment without a vote
UNIQUE_SEEDS = 2
#: share of its words the passage they point to must reproduce for that
SURE_SHARE = 0.8
#: with fewer unique trigrams, those found in at most this many places are the seeds
SEED_PLACES = 8
#: of the windows that cannot reproduce MIN_SHARE of a fragment (only with
#: its transposed words matched), at most this many are aligned, best first
SHORT_TRIES = 2
#: how many candidate passages are aligned for each fragment (more when tied)
CANDIDATES = 4
#: at most this many tied candidate passages are screened
MAX_SCREEN = 48
#: trigram hits that vote for candidate passages, rarest trigrams first
HIT_BUDGET = 400
#: the rarest words of a fragment that vote too, if found at most MAX_ANCHOR times
WORD_ANCHORS = 3
MAX_ANCHOR = 64
#: an exact occurrence is sought among at most this many positions of the rarest trigram
MAX_EXACT_CHECKS = 100_000

#: weight, in words, of a word's frequency in the chance of a word after
#: another (Dirichlet smoothing of the word-pair counts): a pair seen once,
#: after a word seen once, is not taken for a certainty
PAIR_PRIOR = 10.0

#: a word of a fragment that the alignment leaves out is still matched where
#: the passage has it this many words or fewer from its place (transposed)
TRANSPOSE_REACH = 2
_NEAREST_FIRST = sorted(range(-TRANSPOSE_REACH, TRANSPOSE_REACH + 1), key=abs)
#: the log of the places a transposed word could come from
_MOVE_COST = math.log(2 * TRANSPOSE_REACH + 1)
#: the cost, in nats, of a gap between two runs of matched words (words of
#: the passage or of the fragment that the other lacks): a rendering drops
#: or adds a word here and there (about one place in five: log 5), a chance
#: likeness matches words scattered over the passage
GAP_OPEN = math.log(5)
#: and of each word in the gaps (a cut goes on with chance 0.8)
GAP_EXTEND = -math.log(0.8)
#: a quotation is located only when chance would give so good a passage
#: anywhere in the sources at most exp(-MIN_SIGNIFICANCE) times (see :func:`locate`)
MIN_SIGNIFICANCE = 2.5

#: the rarest words of a fragment that no passage renders significantly are
#: looked up together (in any order) where they occur this many times in all
COOCCUR_BUDGET = 1000
#: and only for fragments of at most this many words (unless near other fragments):
#: a longer one keeps enough intact trigrams through edits to be found by them
COOCCUR_WORDS = 12

#: a fragment found exactly in at most this many places may anchor the
#: quotation's other fragments when they are not significant (see locate)
MAX_OCCURRENCES = 5000
#: a fragment that alone is found exactly anchors the others in each of its first this many places
MAX_LEADS = 8

#: version of the saved index layout; part of every index file's name
INDEX_FORMAT = 2
#: the folder, inside a case directory, where the index is saved
CACHE_DIR = ".quoteverify"

_SENTINEL = -1  # word id between two sources: matches nothing
_UNKNOWN = -2  # word id of a quotation word that no source has
_EXACT_VOCAB = 1 << 21  # below this vocabulary size trigram keys are exact, not hashed
_H1 = np.uint64(0x9E3779B97F4A7C15)
_H2 = np.uint64(0xC2B2AE3D27D4EB4F)

Hit = tuple[int, int, int, float]  # (global start, global end, matched words, significance)
# a passage as find_ids ranks it: (rank, -start, start, end, matched words, significance)
_Ranked = tuple[float, int, int, int, int, float]

# Word ids are also kept as a string of one character per word (the lines-to-
# characters trick of diff-match-patch, applied to words): slicing it is a
# copy of memory, and rapidfuzz compares such strings without hashing each
# word. Code points 1 and 2 stand for an unknown word and a source boundary;
# id n is code point n + 3, past the surrogates.
_MAX_CODE_ID = 0x10FFFF - 0x800 - 3


_LOW_IDS = 0xD800 - 3  # ids below this are code point id + 3
_CODE_TABLE = 1 << 18  # vocabularies up to this size keep a table of their ids' characters


def _code(wid: int) -> str:
    if wid < 0:
        return "\x01" if wid == _UNKNOWN else "\x02"
    c = wid + 3
    return chr(c if c < 0xD800 else c + 0x800)


def _encode_ids(ids: np.ndarray) -> str | None:
    """The string of word ids ``ids`` (see :func:`_code`), or None when the vocabulary is too large for one."""
    if not len(ids):
        return ""
    if int(ids.max()) > _MAX_CODE_ID:
        return None
    codes = ids.astype(np.int64) + 3
    codes[ids == _SENTINEL] = 2
    codes[codes >= 0xD800] += 0x800
    return codes.astype("<u4").tobytes().decode("utf-32-le")


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
    """Turns source texts into word ids and word spans, one source at a time."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.vocab: dict[str, int] = {}
        self._surface: dict[str, int] = {}

    def _id(self, surface: str) -> int:
        key = fold_token(surface).translate(SKELETON).casefold()
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


def _code_version() -> str:
    """A digest of the code that decides what the index holds (tokenizer and index layout)."""
    h = hashlib.sha256(str(INDEX_FORMAT).encode())
    for module_file in (normalize.__file__, __file__):
        try:
            h.update(Path(module_file).read_bytes())
        except (OSError, TypeError):
            h.update(str(module_file).encode())
    return h.hexdigest()


_CODE_VERSION: str | None = None


def fingerprint(sources: Sequence[Document]) -> str:
    """A digest of the sources (ids and texts) and of the indexing code: the name of a saved index."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        _CODE_VERSION = _code_version()
    h = hashlib.sha256(_CODE_VERSION.encode())
    for doc in sources:
        for part in (doc.id.encode("utf-8", "surrogatepass"), doc.text.encode("utf-8", "surrogatepass")):
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
    return h.hexdigest()[:32]


_ARRAYS = ("hashed", "ids", "wstart", "wend", "word_pos", "word_ptr", "gram_keys", "gram_ptr", "gram_pos", "pair_info")


class SourceIndex:
    """Word indexes over every source document of a case, built once.

    ``origin`` says whether the index was ``"built"`` here or ``"loaded"``
    from a saved file; ``build_seconds`` how long that took.
    """

    origin: Literal["built", "loaded"]
    build_seconds: float
    #: whether a fragment's unique trigrams may place it without a vote
    #: (:meth:`_by_unique_seeds`); off, every fragment is put to the vote
    shortcut: bool = True

    def __init__(self, sources: Sequence[Document]) -> None:
        t0 = time.perf_counter()
        docs = list(sources)
        chars: set[str] = set()
        for doc in docs:
            chars.update(doc.text)
        builder = _Builder(normalize.word_pattern(chars))
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

    def _setup(self, docs: list[Document], counts: Sequence[int], words: list[str], arrays: dict[str, np.ndarray]) -> None:
        self._words_list = words
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
        self._seq: str | None = _encode_ids(self._ids)
        # each word id's character in that string, for vocabularies of common size
        self._codes: list[str] = list(map(_code, range(len(words)))) if self._seq is not None and len(words) <= _CODE_TABLE else []
        self._norm_ids: dict[str, int] = {}
        self._norms: dict[str, str] = {}
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
        self._starts_arr = np.array(self._starts, dtype=np.int64)
        self._ends_arr = np.array([s.offset + s.words for s in self.sources], dtype=np.int64)
        self._by_id = {}
        for i, s in enumerate(self.sources):
            self._by_id.setdefault(s.doc.id, i)
        self._documents = tuple(s.doc for s in self.sources)

    # ----------------------------------------------------------------- saving

    @classmethod
    def cached(cls, sources: Sequence[Document], directory: str | Path | None) -> SourceIndex:
        """The index of ``sources``, loaded from ``directory`` when saved there before, else built and saved.

        The file is ``directory/index-<fingerprint>.npz``: a change of the
        sources (or of the indexing code) gives another name, so a stale
        index is never used. When ``directory`` cannot be written (a
        read-only case), the index is built and not saved, silently. Older
        index files in ``directory`` are removed.
        """
        if directory is None:
            return cls(sources)
        folder = Path(directory)
        key = fingerprint(sources)
        path = folder / f"index-{key}.npz"
        if path.is_file():
            try:
                return cls.load(path, sources, key=key)
            except (OSError, ValueError, KeyError, EOFError):
                pass  # unreadable or foreign: build it again
        index = cls(sources)
        index._save_quietly(folder, path)
        return index

    def _save_quietly(self, folder: Path, path: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.save(path)
        except OSError:
            return
        for old in folder.glob("index-*.npz"):
            if old != path:
                try:
                    old.unlink()
                except OSError:
                    pass

    def save(self, path: str | Path, *, key: str | None = None) -> None:
        """Write the index to ``path`` (numpy ``.npz``, no pickles), atomically."""
        path = Path(path)
        meta = {
            "format": INDEX_FORMAT,
            "fingerprint": key or fingerprint(self._documents),
            "sources": [s.doc.id for s in self.sources],
            "counts": [s.words for s in self.sources],
        }
        vocab = "\n".join(self._words_list).encode("utf-8", "surrogatepass")
        fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(
                    f,
                    meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                    vocab=np.frombuffer(vocab, dtype=np.uint8),
                    **self._arrays,
                )
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    @classmethod
    def load(cls, path: str | Path, sources: Sequence[Document], *, key: str | None = None) -> SourceIndex:
        """Load an index saved by :meth:`save` for exactly these ``sources`` (``ValueError`` if it is another's)."""
        t0 = time.perf_counter()
        docs = list(sources)
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes().decode())
            if meta.get("format") != INDEX_FORMAT:
                raise ValueError(f"{path}: index format {meta.get('format')}, not {INDEX_FORMAT}")
            if meta.get("fingerprint") != (key or fingerprint(docs)):
                raise ValueError(f"{path}: index of other sources")
            if meta.get("sources") != [d.id for d in docs]:
                raise ValueError(f"{path}: index of other sources")
            vocab_bytes = data["vocab"].tobytes()
            arrays = {name: data[name] for name in _ARRAYS}
        words = vocab_bytes.decode("utf-8", "surrogatepass").split("\n") if vocab_bytes else []
        self = cls.__new__(cls)
        self._setup(docs, meta["counts"], words, arrays)
        self.origin = "loaded"
        self.build_seconds = time.perf_counter() - t0
        return self

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
        """The start offsets of a source's words, in order (a view into the index)."""
        s = self.sources[source]
        return self._wstart[s.offset : s.offset + s.words]

    def source_of(self, g: int) -> int:
        return bisect_right(self._starts, g) - 1

    def word_ids(self, keys: Sequence[str]) -> list[int]:
        """The ids of word keys (:attr:`Token.key`); a word no source has gets an id that matches nothing."""
        get = self._vocab.get
        return [get(k, _UNKNOWN) for k in keys]

    def fragment_ids(self, fragment: Sequence[Token]) -> list[int]:
        """The ids of the words of a quotation fragment (its word tokens, by :attr:`Token.key`)."""
        cache = self._norm_ids
        get = cache.get
        ids = [get(t.norm) for t in fragment if t.is_word]
        if None in ids:
            if len(cache) > 1_000_000:
                cache.clear()
            words = [t for t in fragment if t.is_word]
            for k, t in enumerate(words):
                if ids[k] is None:
                    ids[k] = cache[t.norm] = self._vocab.get(t.key, _UNKNOWN)
        return ids  # type: ignore[return-value]

    # ----------------------------------------------------------------- search

    def find(self, keys: Sequence[str], near: int | None = None) -> Hit | None:
        """Best passage for a fragment's word keys: (global start, global end, matched words).

        ``near`` (a global word position) breaks ties in favour of the
        passage closest to it, so that the fragments of one quotation stay
        together.
        """
        return self.find_ids(self.word_ids(keys), near)

    def find_ids(self, q: Sequence[int], near: int | None = None) -> Hit | None:
        """:meth:`find` for word ids (:meth:`word_ids`).

        The passages found through the fragment's trigrams are ranked by
        significance (:meth:`significance`, less the cost of their distance
        from ``near``). When none of them is significant enough to locate
        the fragment on its own (``MIN_SIGNIFICANCE``, and beyond the
        number of places in the sources when there is no ``near``), or
        reproduces ``MIN_SHARE`` of it, the best is aligned again with its
        transposed words matched (see :func:`_verify`), together with the
        passages where the fragment's rarer words occur together, in any
        order, and the stretch around ``near`` (:meth:`_cooccurring`):
        heavily edited short fragments keep few trigrams or none. Of these,
        only a significant passage is taken.
        """
        m = len(q)
        if m == 0 or not self.sources:
            return None
        if m <= SHORT:
            return self._exact_short(q, near)
        if not len(self._gram_keys):
            return None
        qs = self._seq_of(q)
        best: _Ranked | None = None
        if min(q) >= 0:
            exact = self._exact(q, qs)
            if exact:
                # every occurrence has the same words, so the same significance
                sig = self.significance([(exact[0], exact[0] + m)], m)
                if near is None:
                    return exact[0], exact[0] + m, m, sig
                # every exact occurrence was compared: no passage reproduces
                # more, and the nearest is the one the fragments share
                g = min(exact, key=lambda g: (abs(g - near), g))
                return g, g + m, m, sig
        sel, slot = self._lookup(q)
        candidates: list[tuple[int, int]] = []
        needed = MIN_SIGNIFICANCE + (0.0 if near is not None else math.log(max(self._words_total, 1)))
        if sel:
            ptr = self._gram_ptr_view
            lo = [ptr[k] for k in slot]
            counts = [ptr[k + 1] - a for k, a in zip(slot, lo)]
            if near is None and self.shortcut:
                hit = self._by_unique_seeds(sel, lo, counts, q, qs, needed)
                if hit is not None:
                    return hit
            candidates = self._candidates(sel, lo, counts, q)
            best = self._align_best(q, qs, candidates, near, best, False)
        if best is None or best[0] < needed or best[4] < MIN_SHARE * m:
            wider = []
            if best is not None:  # the best passage so far, to match its transposed words
                s = self.sources[self.source_of(best[2])]
                wider.append((max(s.offset, best[2] - TRANSPOSE_REACH), min(s.offset + s.words, best[3] + TRANSPOSE_REACH)))
            if near is not None or m <= COOCCUR_WORDS:
                wider += self._cooccurring(q, near)
            rescued = self._align_best(q, qs, wider, near, best, True)
            if rescued is not None and rescued[0] >= needed:
                best = rescued  # only a significant passage is taken from this wider search
        if best is None:
            return None
        matched = best[4]
        if matched < MIN_WORDS or matched / m < MIN_SHARE:
            return None
        return best[2], best[3], matched, best[5]

    def _align_best(
        self,
        q: Sequence[int],
        qs: str | list[int],
        candidates: list[tuple[int, int]],
        near: int | None,
        best: _Ranked | None,
        transposed: bool,
    ) -> _Ranked | None:
        """The best of ``best`` and the passages aligned in the candidate windows (with ``transposed`` words matched).

        A passage reproduces at most its longest common subsequence with
        the fragment: the windows are aligned the most promising first, and
        those that cannot match as many words as the best so far are skipped.
        """
        if not candidates:
            return best
        m = len(q)
        similarity = LCSseq.similarity
        screened = []
        for n, (wlo, whi) in enumerate(candidates):
            window = self._window(wlo, whi)
            screened.append((-similarity(window, qs), wlo, n, window))
        screened.sort()  # most common words first, then by position (n keeps equal windows in order)
        most = best[4] if best is not None else 0
        short = 0  # windows aligned that cannot reproduce the share a fragment needs
        for lcs, wlo, _, window in screened:
            lcs = -lcs
            if lcs < MIN_WORDS or lcs < most:
                break
            if lcs < m * MIN_SHARE:
                short += 1
                if short > SHORT_TRIES:
                    break
            match = _verify(qs, window, lcs, transposed, wlo)
            if match is None:
                continue
            spans, matched = match.source, match.matched
            start, end = spans[0][0], spans[-1][1]
            if matched > most:
                most = matched
            sig = self.significance(spans, m, match.moved)
            rank = (sig - _distance_cost(start, near) if near is not None else sig, -start, start, end, matched, sig)
            if best is None or rank[:2] > best[:2]:
                best = rank
        return best

    def _cooccurring(self, q: Sequence[int], near: int | None) -> list[tuple[int, int]]:
        """Word windows where the fragment's words occur together, in any order; and the stretch around ``near``.

        The fragment's rarest words (as many as occur ``COOCCUR_BUDGET``
        times in all; none if the rarest alone occurs more often) are looked
        up; around each occurrence, the window where the fragment would lie
        is scored by how many of the fragment's words it holds, wherever
        they stand in it. The best ``CANDIDATES`` windows are returned.
        """
        m = len(q)
        out: list[tuple[int, int]] = []
        if near is not None:  # the stretch around the other fragments, on both sides
            s = self.sources[self.source_of(max(near, 0))]
            slack = _slack(m)
            wlo, whi = max(s.offset, near - m - slack), min(s.offset + s.words, near + m + slack)
            if wlo < whi:
                out.append((wlo, whi))
        freq = self._freq
        rare = sorted({(freq[w], j, w) for j, w in enumerate(q) if w >= 0})
        anchors: list[tuple[int, int]] = []
        used = 0
        for n, j, w in rare:
            if used + n > COOCCUR_BUDGET:
                break
            if all(w != x for _, x in anchors):
                anchors.append((j, w))
                used += n
        if not anchors:
            return out
        wptr, wpos = self._word_ptr, self._word_pos
        starts = np.concatenate([wpos[wptr[w] : wptr[w + 1]].astype(np.int64) - j for j, w in anchors])
        reach = TRANSPOSE_REACH
        starts = starts[(starts >= reach) & (starts < len(self._ids) - m - reach)]
        ids = self._ids[starts[:, None] + np.arange(-reach, m + reach)]
        score = np.isin(ids, np.array([w for w in q if w >= 0], dtype=ids.dtype), kind="sort").sum(axis=1, dtype=np.int8)
        top = np.argsort(-score, kind="stable")[: CANDIDATES * 2]
        seen: set[int] = set()
        for g in starts[top].tolist():
            if g in seen:
                continue
            seen.add(g)
            around = self._around(g, g, m)
            if around is not None:
                out.append(around)
            if len(seen) == CANDIDATES:
                break
        return out

    def significance(self, spans: Sequence[tuple[int, int]], m: int, moved: int = 0) -> float:
        """How far beyond chance a passage reproduces a fragment of ``m`` words, in nats.

        ``spans`` are the global (start, end) of the runs of source words
        that the passage matches, ascending and apart; ``moved`` of the
        words are matched out of order (transposed).

        The information of the matched words under the sources' word-pair
        model (each word given the one before it, within a run; the first
        of a run given its frequency alone: see :func:`_pair_information`)
        is the log of how unlikely such words are at one place of the
        sources. From it are taken the log of the number of matches of this
        shape (which of the fragment's words match, how they split into
        runs, how the source words left out split into the gaps between
        them) and the cost of the edits that a rendering would have made:
        ``GAP_OPEN`` for each gap, ``GAP_EXTEND`` for each word in one,
        ``_MOVE_COST`` for each moved word. What is left is the log of how
        much likelier the passage is as the fragment's rendering than as
        chance, per starting place in the sources (see :meth:`chance`).
        """
        info, idf, ids = self._pair_view, self._idf, self._ids_view
        total = 0.0
        matched = 0
        for a, b in spans:
            total += idf[ids[a]] + sum(info[a + 1 : b])
            matched += b - a
        if len(spans) == 1:
            return total - _log_choose(m, matched) - moved * _MOVE_COST
        gaps = len(spans) - 1
        skipped = spans[-1][1] - spans[0][0] - matched
        shapes = _log_choose(m, matched) + _log_choose(matched - 1, gaps) + _log_choose(skipped - 1, gaps - 1)
        return total - shapes - gaps * GAP_OPEN - skipped * GAP_EXTEND - moved * _MOVE_COST

    def chance(self, hits: Sequence[Hit]) -> float:
        """The log of how many passages as good as ``hits`` (one quotation's fragments) chance would give.

        A passage could start at any of the sources' words; each further
        fragment, near the one before it (the cost of its distance, see
        :func:`_distance_cost`); each fragment's significance makes it that
        much less likely. Below ``-MIN_SIGNIFICANCE`` the quotation is
        located.
        """
        ordered = sorted(hits)
        out = math.log(max(self._words_total, 1)) - sum(h[3] for h in ordered)
        for before, after in zip(ordered, ordered[1:]):
            out += _distance_cost(after[0], before[1])
        return out

    def _by_unique_seeds(self, sel: list[int], lo: list[int], counts: list[int], q: Sequence[int], qs: str | list[int], needed: float) -> Hit | None:
        """The passage that most of the fragment's unique trigrams point to, when it plainly renders the fragment.

        ``sel``: the fragment positions of its trigrams found in the
        sources; ``lo``, ``counts``: where their positions are listed. The
        trigrams found only once in all the sources are the fragment's
        strongest seeds; when at least ``UNIQUE_SEEDS`` of them, and more
        than half, fall on one stretch (nearby diagonals), and the passage
        there reproduces at least ``SURE_SHARE`` of the fragment's words with
        the significance ``needed``, that passage is the one the vote would
        elect: no vote is held. With fewer unique trigrams, those found in
        at most ``SEED_PLACES`` places are the seeds, on the same terms, and
        only while no other stretch holds ``UNIQUE_SEEDS`` of them (a near
        copy of the passage elsewhere is left to the vote).
        Otherwise None, and the vote decides.
        """
        limit = 1 if counts.count(1) >= UNIQUE_SEEDS else SEED_PLACES
        seeds = [(k, a, n) for k, a, n in zip(sel, lo, counts) if n <= limit]
        if len(seeds) < UNIQUE_SEEDS:
            return None
        places = self._gram_pos_view
        # (diagonal, seed) of every place of every seed
        diags = sorted([(places[a + i] - k, s) for s, (k, a, n) in enumerate(seeds) for i in range(n)])
        m = len(q)
        gap = max(10, m // 2)
        best = (0, 0, 0)  # (seeds, first, last)
        second = 0
        first = 0
        for k in range(1, len(diags) + 1):
            if k == len(diags) or diags[k][0] - diags[k - 1][0] > gap:
                held = len({s for _, s in diags[first:k]}) if limit > 1 else k - first
                if held > best[0]:
                    second = best[0]
                    best = (held, first, k - 1)
                elif held > second:
                    second = held
                first = k
        if best[0] < UNIQUE_SEEDS or best[0] * 2 <= len(seeds):
            return None
        if limit > 1 and second >= UNIQUE_SEEDS:
            return None  # seeds found in several places point to another stretch as well
        around = self._around(diags[best[1]][0], diags[best[2]][0], m)
        if around is None:
            return None
        wlo, whi = around
        window = self._window(wlo, whi)
        lcs = LCSseq.similarity(window, qs)
        if lcs < m * SURE_SHARE:
            return None
        match = _verify(qs, window, lcs, False, wlo)
        if match is None or match.matched < m * SURE_SHARE:
            return None
        spans, matched = match.source, match.matched
        sig = self.significance(spans, m)
        if sig < needed:
            return None
        return spans[0][0], spans[-1][1], matched, sig

    def _lookup(self, q: Sequence[int]) -> tuple[list[int], list[int]]:
        """(positions in ``q``, slots in the trigram table) of the trigrams of word ids ``q`` that the sources have."""
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
        slot = np.searchsorted(table, keys)
        np.minimum(slot, len(table) - 1, out=slot)
        found = table[slot] == keys
        if valid is not None:
            found &= valid
        sel = np.flatnonzero(found)
        return sel.tolist(), slot[sel].tolist()

    def _exact(self, q: Sequence[int], qs: str | list[int], limit: int = MAX_EXACT_CHECKS) -> list[int]:
        """Global starts of the exact occurrences of word ids ``q`` (all known), ascending.

        Three of the fragment's trigrams (first, middle, last) are looked
        up; the occurrences of the rarest are compared whole with the
        fragment.
        """
        m = len(q)
        probes = sorted({0, (m - 3) // 2, m - 3})
        if self._hashed:
            qa = np.array([q[p : p + 3] for p in probes], dtype=np.int64)
            keys = _gram_keys(qa[:, 0], qa[:, 1], qa[:, 2], len(self._words_list), True).tolist()
        else:
            v = len(self._words_list)
            keys = [(q[p] * v + q[p + 1]) * v + q[p + 2] for p in probes]
        table, ptr = self._gram_keys_view, self._gram_ptr_view
        size = len(table)
        best = None
        for p, key in zip(probes, keys):
            slot = bisect_left(table, key)
            if slot >= size or table[slot] != key:
                return []  # a trigram of the fragment is in no source
            lo, hi = ptr[slot], ptr[slot + 1]
            if best is None or hi - lo < best[2] - best[1]:
                best = (p, lo, hi)
        assert best is not None
        p, lo, hi = best
        if hi - lo > limit:
            return []
        seq = self._seq
        out = []
        for g in self._gram_pos[lo:hi].tolist():
            g -= p
            if g >= 0 and (seq[g : g + m] == qs if isinstance(seq, str) else self._window(g, g + m) == qs):
                out.append(g)
        return out

    def _seq_of(self, q: Sequence[int]) -> str | list[int]:
        """Word ids as the aligner takes them: a string of one character per word, when the vocabulary allows."""
        if not isinstance(self._seq, str):
            return list(q)
        if self._codes and min(q) >= 0:
            return "".join(map(self._codes.__getitem__, q))
        return "".join([chr(x + 3) if 0 <= x < _LOW_IDS else _code(x) for x in q])

    def _window(self, lo: int, hi: int) -> str | list[int]:
        """Global words ``lo:hi`` as the aligner takes them."""
        if isinstance(self._seq, str):
            return self._seq[lo:hi]
        return self._ids[lo:hi].tolist()  # type: ignore[no-any-return]

    def occurrences(self, q: Sequence[int], limit: int) -> np.ndarray | None:
        """Global starts of the exact occurrences of word ids ``q``, ascending; None if none, or if they may be more than ``limit``.

        (A fragment of one or two words whose first word occurs more than
        eight times ``limit`` is not looked up: the filter costs as much as
        that word is common.)
        """
        if not q or min(q) < 0:
            return None
        if len(q) <= SHORT or not len(self._gram_keys):
            w = q[0]
            if self._word_ptr[w + 1] - self._word_ptr[w] > limit * 8:
                return None
            where = self._word_run_starts(q)
        else:
            where = np.array(self._exact(q, self._seq_of(q), limit), dtype=np.int64)
        return where if 0 < len(where) <= limit else None

    def _word_run_starts(self, q: Sequence[int]) -> np.ndarray:
        """Global starts of the exact occurrences of word ids ``q`` (all known), by the places of its rarest word."""
        freq = self._freq
        j = min(range(len(q)), key=lambda k: (freq[q[k]], k))
        lo = self._word_ptr_view[q[j]]
        hits = self._word_pos[lo : lo + freq[q[j]]].astype(np.int64)
        if j:
            hits -= j
            hits = hits[hits >= 0]
        if len(q) > 2:
            hits = hits[hits <= len(self._ids) - len(q)]
        for k in range(len(q)):
            if k != j:
                hits = hits[self._ids[hits + k] == q[k]]
        return hits

    def _exact_short(self, q: Sequence[int], near: int | None) -> Hit | None:
        """The exact occurrence of a fragment of one or two words (all known) nearest ``near`` (the first without it)."""
        if any(x < 0 for x in q):
            return None
        m = len(q)
        if m == 1:
            places = self._word_pos_view
            lo = self._word_ptr_view[q[0]]
            hi = lo + self._freq[q[0]]
            if lo == hi:
                return None
            if near is None:
                g = places[lo]
            else:  # the nearest place, the earlier of two as near
                k = bisect_left(places, near, lo, hi)
                g = places[k] if k < hi else places[k - 1]
                if k > lo and near - places[k - 1] <= abs(g - near):
                    g = places[k - 1]
        else:
            hits = self._word_run_starts(q)
            if not len(hits):
                return None
            g = int(hits[0]) if near is None else int(hits[np.argmin(np.abs(hits - near))])
        return g, g + m, m, self.significance([(g, g + m)], m)

    def _candidates(self, grams: list[int], lo: list[int], counts: list[int], q: Sequence[int]) -> list[tuple[int, int]]:
        """Word windows around the passages that hold most of the fragment's trigrams and rare words, best first.

        The rarest trigrams vote, up to ``HIT_BUDGET`` hits in all (the
        rarest one always; none found in more than ``MAX_POSTINGS``
        places), and so do the ``WORD_ANCHORS`` rarest words of
        the fragment that occur at most ``MAX_ANCHOR`` times (they find a
        heavily edited quotation whose only intact trigrams are common).
        Each hit votes for the diagonal (source position less position in
        the fragment) where the fragment would start; hits on nearby
        diagonals (an insertion or omission shifts them) form one candidate
        passage, scored by its hits plus their rarity (a trigram or word
        found in n places adds 1/n). The first ``CANDIDATES`` passages are
        taken, and any tied with the last of them, up to ``MAX_SCREEN``.
        """
        m = len(q)
        take: list[int] = []
        total = 0
        for k in sorted(range(len(counts)), key=counts.__getitem__):
            if counts[k] > MAX_POSTINGS:
                break  # this trigram and the rest are too common to vote
            total += counts[k]
            if total > HIT_BUDGET and take:
                break
            take.append(k)
        take.sort()
        grams, lo, counts = [grams[k] for k in take], [lo[k] for k in take], [counts[k] for k in take]
        pos, wpos, wptr, freq = self._gram_pos, self._word_pos, self._word_ptr, self._freq
        parts = [pos[a : a + n] for a, n in zip(lo, counts)]
        offsets, sizes = list(grams), list(counts)
        rare = sorted({(freq[w], w, j) for j, w in enumerate(q) if w >= 0 and freq[w] <= MAX_ANCHOR})
        seen: set[int] = set()
        for n, w, j in rare:
            if w in seen:
                continue
            seen.add(w)
            a = int(wptr[w])
            parts.append(wpos[a : a + n])
            offsets.append(j)
            sizes.append(n)
            if len(seen) == WORD_ANCHORS:
                break
        if not parts:
            return []
        # each hit's diagonal and, in its low bits, which list it came from:
        # sorting these keys orders the hits as a stable sort of the diagonals would
        shift = len(parts).bit_length()
        g = (parts[0] if len(parts) == 1 else np.concatenate(parts)).astype(np.int64)
        g <<= shift
        g -= np.repeat(np.array([(off << shift) - k for k, off in enumerate(offsets)], dtype=np.int64), sizes)
        g.sort()
        diag = g >> shift
        weight = np.array([1.0 + 1.0 / n for n in sizes])[g & ((1 << shift) - 1)]
        cut = np.flatnonzero(np.diff(diag) > max(10, m // 2)) + 1
        first = np.concatenate(([0], cut))
        score = np.add.reduceat(weight, first)
        rank = np.argsort(-score, kind="stable")  # ties in order of position
        if len(rank) > CANDIDATES:
            edge = score[rank[CANDIDATES - 1]]
            n = CANDIDATES + int(np.count_nonzero(score[rank[CANDIDATES:]] >= edge - 1e-9))
            rank = rank[: min(n, MAX_SCREEN)]
        last = np.concatenate((cut, [len(diag)])) - 1
        return self._windows(diag[first[rank]], diag[last[rank]], m)

    def _windows(self, d0: np.ndarray, d1: np.ndarray, m: int) -> list[tuple[int, int]]:
        """:meth:`_around` for each pair of diagonals ``d0[i]``, ``d1[i]`` (those with a window left)."""
        source = np.searchsorted(self._starts_arr, np.maximum(d0, 0), side="right") - 1
        slack = _slack(m)
        wlo = np.maximum(self._starts_arr[source], d0 - slack)
        whi = np.minimum(self._ends_arr[source], d1 + m + slack)
        keep = wlo < whi
        return list(zip(wlo[keep].tolist(), whi[keep].tolist()))

    def _around(self, d0: int, d1: int, m: int) -> tuple[int, int] | None:
        """The word window where a fragment of ``m`` words starting between diagonals ``d0`` and ``d1`` would lie.

        Some slack on either side (for the words a rendering adds or drops),
        clipped to the source of ``d0``; None if nothing of it is left.
        """
        slack = _slack(m)
        s = self.sources[self.source_of(max(d0, 0))]
        wlo = max(s.offset, d0 - slack)
        whi = min(s.offset + s.words, d1 + m + slack)
        return (wlo, whi) if wlo < whi else None

    # ----------------------------------------------------------------- spans

    def _gap_tokens(self, source: int, g: int, *, after: bool) -> list[tuple[str, int, int]]:
        """(folded form, start, end) of the (non-word) tokens between global word ``g`` and its neighbour before or after it."""
        s = self.sources[source]
        text = s.doc.text
        if after:
            a = int(self._wend[g])
            b = int(self._wstart[g + 1]) if g + 1 < s.offset + s.words else len(text)
        else:
            a = int(self._wend[g - 1]) if g > s.offset else 0
            b = int(self._wstart[g])
        return [(norm, t0 + a, t1 + a) for _, norm, t0, t1 in _tokenize_gap(text[a:b])]

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
                if k > 0 and before[k - 1][0] == norm:
                    k -= 1
                    a = before[k][1]
                else:
                    break
        if trail:
            after = self._gap_tokens(s, end - 1, after=True)
            k = 0
            for norm in trail:
                if k < len(after) and after[k][0] == norm:
                    b = after[k][2]
                    k += 1
                else:
                    break
        return s, (a, b)

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
                    norm = norms.get(surface)
                    if norm is None:
                        if len(norms) > 1_000_000:
                            norms.clear()
                        norm = norms[surface] = fold_token(surface)
                append(new(Token, (surface, norm, w0, w1, True, False)))
            g0 = w1
        return tuple(out)

    def __getstate__(self) -> dict[str, Any]:
        return {"docs": list(self._documents), "counts": [s.words for s in self.sources],
                "words": self._words_list, "arrays": self._arrays,
                "origin": self.origin, "build_seconds": self.build_seconds}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._setup(state["docs"], state["counts"], state["words"], state["arrays"])
        self.origin = state["origin"]
        self.build_seconds = state["build_seconds"]


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


class _Match(NamedTuple):
    """How a passage matches a fragment."""

    source: list[tuple[int, int]]  # (start, end) of the runs of matched source words, ascending and apart
    matched: int  # how many words match
    moved: int  # how many of them are matched out of order (transposed)


def _verify(q: str | list[int], window: str | list[int], lcs: int, transposed: bool = True, offset: int = 0) -> _Match | None:
    """Where in ``window`` the fragment ``q`` lies: the runs of matched words, as offsets into ``window`` plus ``offset``.

    ``lcs`` is the length of the longest common subsequence of the two. Of
    the stretches of ``window`` that hold such a subsequence, the shortest
    one that starts last is aligned against the fragment (so that a common
    word just before or after the passage is not taken for part of it);
    equal runs at its edges that are small beside the gap that separates them
    from the rest (chance matches of common words) are dropped, and the
    words of the remaining runs are the matched ones. With ``transposed``,
    a word of the fragment left out of them that the passage has, unmatched, at most
    ``TRANSPOSE_REACH`` words from where the alignment puts it, is matched
    too (a transposition: the subsequence keeps only one of two swapped
    words).
    """
    if lcs <= 0:
        return None
    sim = LCSseq.similarity
    # one alignment of the whole window brackets both searches: the
    # subsequence it matches lies between its first and last matched words
    matches = [(s0, s1) for tag, s0, s1, _, _ in Indel.opcodes(window, q).as_list() if tag == "equal"]
    if not matches:
        return None
    first, end = matches[0][0], matches[-1][1]
    a, b = first, len(window) - lcs  # the latest start that keeps the whole subsequence
    if a < b:
        if sim(window[a + 1 :], q, score_cutoff=lcs) < lcs:
            b = a  # (the usual case) the alignment's own start
        else:
            a += 1
    while a < b:
        mid = (a + b + 1) // 2
        if sim(window[mid:], q, score_cutoff=lcs) >= lcs:
            a = mid
        else:
            b = mid - 1
    tail = window[a:]
    lo, hi = lcs, len(tail)  # the earliest end after that start
    if a == first:
        hi = end - a  # the alignment ends there
        if lo < hi and sim(tail[: hi - 1], q, score_cutoff=lcs) < lcs:
            lo = hi
    while lo < hi:
        mid = (lo + hi) // 2
        if sim(tail[:mid], q, score_cutoff=lcs) >= lcs:
            hi = mid
        else:
            lo = mid + 1
    tight = tail[:lo]
    runs = [(a + s0, a + s1, d0, d1) for tag, s0, s1, d0, d1 in Indel.opcodes(tight, q).as_list() if tag == "equal"]
    if not runs:
        return None
    while len(runs) > 1 and (runs[0][1] - runs[0][0]) * 6 < runs[1][0] - runs[0][1]:
        runs.pop(0)
    while len(runs) > 1 and (runs[-1][1] - runs[-1][0]) * 6 < runs[-1][0] - runs[-2][1]:
        runs.pop()
    source: list[tuple[int, int]] = []
    matched = 0
    for r in runs:
        matched += r[3] - r[2]
        if source and source[-1][1] == r[0] + offset:
            source[-1] = (source[-1][0], r[1] + offset)
        else:
            source.append((r[0] + offset, r[1] + offset))
    if transposed and matched < len(q):
        moved = _transposed(q, window, runs)
        if moved:
            spans = _merge_spans(sorted(source + [(g + offset, g + offset + 1) for g in moved]))
            return _Match(spans, matched + len(moved), len(moved))
    return _Match(source, matched, 0)


def _transposed(q: str | list[int], window: str | list[int], runs: list[tuple[int, int, int, int]]) -> list[int]:
    """Positions in ``window`` of words of ``q`` that the aligned ``runs`` leave out but that stand nearby.

    ``runs`` are (source start, source end, fragment start, fragment end)
    of the aligned equal runs. Each word of the fragment outside them (in
    gaps between them of at most twice ``TRANSPOSE_REACH`` words, or that
    many words before or after them) is looked for among the window's
    unmatched words at most ``TRANSPOSE_REACH`` places from the one the
    alignment projects it onto.
    """
    out: list[int] = []
    taken: set[int] | None = None
    n = len(window)
    reach = TRANSPOSE_REACH
    prev: tuple[int, int, int, int] | None = None
    # the fragment's words before, between and after the runs
    for run in runs + [(-1, -1, len(q) + reach, -1)]:
        first = prev[3] if prev is not None else max(0, run[2] - reach)
        if prev is not None and run[0] >= 0 and run[2] - first > 2 * reach:
            prev = run
            continue  # a wide gap is an edit of its own, not a word moved nearby
        for j in range(first, min(run[2], len(q))):
            word = q[j]
            projected = prev[1] + j - prev[3] if prev is not None else run[0] - (run[2] - j)
            lo, hi = max(projected - reach, 0), min(projected + reach + 1, n)
            if isinstance(window, str) and isinstance(word, str):
                if word == "\x01" or window.find(word, lo, hi) < 0:
                    continue  # not nearby (an unknown word matches nothing)
            elif isinstance(word, int) and (word < 0 or word not in window[lo:hi]):
                continue
            if taken is None:
                taken = {x for r in runs for x in range(r[0], r[1])}
            for d in _NEAREST_FIRST:
                g = projected + d
                if lo <= g < hi and window[g] == word and g not in taken:
                    taken.add(g)
                    out.append(g)
                    break
        prev = run
    return out


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans (ascending, apart) with adjoining ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


_LOG_FACTORIAL = [math.lgamma(n + 1) for n in range(1024)]


def _log_choose(n: int, k: int) -> float:
    """The natural log of the binomial coefficient (n choose k); 0 outside 0 <= k <= n."""
    if k <= 0 or k >= n:
        return 0.0
    if n < 1024:
        f = _LOG_FACTORIAL
        return f[n] - f[k] - f[n - k]
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _slack(m: int) -> int:
    """Words of a candidate window on either side of where a fragment of ``m`` words would lie."""
    return min(m + 10, 60)


def _distance_cost(g: int, near: int | None) -> float:
    """The log of the number of places ``g`` could be at this distance from ``near`` (0 without it)."""
    return 0.0 if near is None else math.log(2 + abs(g - near))


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


def _word_keys(fragment: Sequence[Token]) -> list[str]:
    return [t.key for t in fragment if t.is_word]


def locate(
    quotation: Quotation,
    fragments: Sequence[Sequence[Token]],
    index: SourceIndex,
) -> Location | None:
    """Find the source passage that ``quotation`` renders, or None.

    ``fragments`` are the quotation's tokens fragment by fragment (see
    :func:`quoteverify.normalize.quotation_fragments`). Each fragment is
    located on its own, longest first; fragments of one or two words only
    exactly, and near the others. The quotation is located when its located
    fragments lie in one source, hold ``MIN_SHARE`` of its words, and are
    significant: chance would give passages as good in sources of this size
    at most exp(-``MIN_SIGNIFICANCE``) times (:meth:`SourceIndex.chance`).

    When the fragments so found are not significant, and the quotation has
    several, they are placed again around the exact occurrence of one of
    them that stands nearest exact occurrences of the others
    (:func:`_joint_anchors`): a short fragment's first occurrence need not be
    the one its neighbours in the quotation stand beside.
    """
    ids = [index.fragment_ids(f) for f in fragments]
    total = sum(len(k) for k in ids)
    if total == 0 or not index.sources:
        return None
    best = _placement(index, ids)
    if best is None or (total > SHORT and best[0] > -MIN_SIGNIFICANCE):
        return None
    _, source, found = best
    frags = []
    for i in sorted(found):
        g0, g1 = found[i][:2]
        _, span = index.char_span(g0, g1, fragments[i])
        f = fragments[i]
        frags.append(Fragment((f[0].start, f[-1].end), span, i))
    src = index.sources[source]
    start = min(f.source_span[0] for f in frags)
    end = max(f.source_span[1] for f in frags)
    matched = sum(h[2] for h in found.values())
    return Location(src.doc.id, (start, end), tuple(frags), round(matched / total, 4))


def _placement(index: SourceIndex, ids: list[list[int]]) -> tuple[float, int, dict[int, Hit]] | None:
    """The best placement of a quotation's fragments (word ids): (chance, source, {fragment: hit}), or None."""
    total = sum(len(k) for k in ids)
    # longer fragments first: they anchor the short ones
    order = sorted(range(len(ids)), key=lambda i: (-len(ids[i]), i))
    best = _judge(index, _place(index, ids, order, total, {}), total)
    if (best is None or best[0] > -MIN_SIGNIFICANCE) and total > SHORT and sum(1 for k in ids if k) > 1:
        for lead in _joint_anchors(index, ids):
            judged = _judge(index, _place(index, ids, order, total, lead), total)
            if judged is not None and (best is None or judged[0] < best[0]):
                best = judged
    return best


def _joint_anchors(index: SourceIndex, ids: list[list[int]]) -> list[dict[int, Hit]]:
    """Occurrences of one fragment (word ids) that may anchor the others, each as {fragment: hit}.

    Of the fragments found exactly in at most ``MAX_OCCURRENCES`` places, the
    one found in fewest is the anchor. With others among them, each of its
    occurrences is charged the cost of the distance (:func:`_distance_cost`)
    to the nearest occurrence of each of them, and the cheapest is taken;
    alone, its first ``MAX_LEADS`` occurrences are.
    """
    places: list[tuple[int, int, np.ndarray]] = []
    for i, fragment in enumerate(ids):
        found = index.occurrences(fragment, MAX_OCCURRENCES) if fragment else None
        if found is not None:
            places.append((len(found), i, found))
    if not places:
        return []
    places.sort(key=lambda p: p[:2])
    _, lead, starts = places[0]
    chosen: list[int]
    if len(places) == 1:
        chosen = starts[:MAX_LEADS].tolist()
    else:
        cost = np.zeros(len(starts))
        for _, _, where in places[1:]:
            at = np.searchsorted(where, starts)
            before = np.abs(starts - where[np.maximum(at - 1, 0)])
            after = np.abs(where[np.minimum(at, len(where) - 1)] - starts)
            cost += np.log(2.0 + np.minimum(before, after))
        chosen = [int(starts[int(np.argmin(cost))])]
    m = len(ids[lead])
    sig = index.significance([(chosen[0], chosen[0] + m)], m)
    return [{lead: (g, g + m, m, sig)} for g in chosen]


def _place(index: SourceIndex, ids: list[list[int]], order: list[int], total: int, found: dict[int, Hit]) -> dict[int, Hit]:
    """Locate the fragments (word ids) in ``order``, each near those found before it, after those of ``found``.

    A fragment not found on its own is looked for again near the others,
    once they are found.
    """
    found = dict(found)
    missed = []
    for i in order:
        if not ids[i] or i in found:
            continue
        near = _anchor(found, i)
        hit = None
        if total <= SHORT or len(ids[i]) > SHORT or near is not None:
            hit = index.find_ids(ids[i], near)
        if hit is not None:
            found[i] = hit
        elif near is None:
            missed.append(i)
    for i in missed:
        near = _anchor(found, i)
        if near is not None:
            hit = index.find_ids(ids[i], near)
            if hit is not None:
                found[i] = hit
    return found


def _judge(index: SourceIndex, found: dict[int, Hit], total: int) -> tuple[float, int, dict[int, Hit]] | None:
    """(chance, source, fragments in it) of located fragments, or None when they hold too few of the ``total`` words.

    All fragments must come from one source: the one where they hold most
    words is kept.
    """
    if not found:
        return None
    sources = {i: index.source_of(h[0]) for i, h in found.items()}
    if len(set(sources.values())) > 1:
        by_source: dict[int, int] = defaultdict(int)
        for i, h in found.items():
            by_source[sources[i]] += h[2]
        source = min(by_source, key=lambda s: (-by_source[s], s))
        found = {i: h for i, h in found.items() if sources[i] == source}
    else:
        source = next(iter(sources.values()))
    if sum(h[2] for h in found.values()) / total < MIN_SHARE:
        return None
    return index.chance(list(found.values())), source, found


def _anchor(found: dict[int, Hit], i: int) -> int | None:
    """A global word position near which fragment ``i`` should lie."""
    before = [h for j, h in found.items() if j < i]
    if before:
        return max(before, key=lambda h: h[1])[1]
    after = [h for j, h in found.items() if j > i]
    if after:
        return min(after, key=lambda h: h[0])[0]
    return None


def case_index(sources: Sequence[Document], root: str | Path | None) -> SourceIndex:
    """The index of a case's sources, saved under ``root/.quoteverify`` and loaded from there next time.

    Without a case directory (``root`` empty or None) the index is built
    and not saved.
    """
    return SourceIndex.cached(sources, Path(root) / CACHE_DIR if root else None)
