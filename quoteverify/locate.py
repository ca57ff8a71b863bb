"""Locate: find the source passage a quotation renders, or decide it renders none.

The sources are indexed once: every word becomes an integer id (its folded,
case-folded form), every word trigram a 64-bit key, and the positions of
each trigram and each word are kept in sorted arrays (numpy), so that the
index of a 10 MB archive takes about 40 MB and can be saved beside the case
and loaded again (:meth:`SourceIndex.cached`, :func:`case_index`).

A quotation is located fragment by fragment (the stretches between marked
elisions), in any order, longest first:

1. an exact occurrence of the fragment's words is looked for first: the
   positions of its rarest probe trigram are compared whole with the
   fragment, with no alignment at all (most real quotations are exact);
2. otherwise the fragment's trigrams are looked up; a fragment that shares
   none with any source is not located, at once;
3. when most of the fragment's trigrams that occur only once in the
   sources lie together, and the passage there reproduces most of the
   fragment, that passage is taken at once (for a fragment not placed
   near others already found);
4. otherwise the trigram hits, and those of the fragment's rarest words,
   vote for passages (hits on nearby diagonals of one source form a candidate,
   ranked by hits and their rarity); the best few candidates are screened
   by their longest common subsequence with the fragment and the best
   aligned word by word (rapidfuzz's ``Indel.opcodes`` over word ids
   encoded one character per word); the passage that reproduces most of
   the fragment's words wins, if that share is high enough.

A quotation is located when its passages, in one source, reproduce enough
of its words (``MIN_SHARE``) and of its information (``MIN_WEIGHT_SHARE``:
words weighted by their rarity in the sources). Fragments of one or two
words are located only when they occur exactly (and within a longer
quotation only near its other fragments).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from rapidfuzz.distance import Indel, LCSseq

from quoteverify import normalize
from quoteverify._confusables import SKELETON
from quoteverify.models import Document, Fragment, Location, Quotation, Token
from quoteverify.normalize import fold_token, tokenize

#: fragments this short (in words) are located only when found exactly
SHORT = 2
#: share of a fragment's words a passage must reproduce to be its source
MIN_SHARE = 0.6
#: and at least this many words, for fragments longer than SHORT
MIN_WORDS = 3
#: share of a quotation's information (its words weighted by rarity in the
#: sources, inverse document frequency) that its passages must reproduce:
#: a quotation that shares only common phrases with a source is not its rendering
MIN_WEIGHT_SHARE = 0.55
#: a trigram more frequent than this in the sources casts no vote
MAX_POSTINGS = 2000
#: trigrams found once in all the sources that, on one stretch, place a fragment without a vote
UNIQUE_SEEDS = 2
#: share of its words the passage they point to must reproduce for that
SURE_SHARE = 0.8
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

#: version of the saved index layout; part of every index file's name
INDEX_FORMAT = 1
#: the folder, inside a case directory, where the index is saved
CACHE_DIR = ".quoteverify"

_SENTINEL = -1  # word id between two sources: matches nothing
_UNKNOWN = -2  # word id of a quotation word that no source has
_EXACT_VOCAB = 1 << 21  # below this vocabulary size trigram keys are exact, not hashed
_H1 = np.uint64(0x9E3779B97F4A7C15)
_H2 = np.uint64(0xC2B2AE3D27D4EB4F)

Hit = tuple[int, int, int]  # (global start, global end, matched words)

# Word ids are also kept as a string of one character per word (the lines-to-
# characters trick of diff-match-patch, applied to words): slicing it is a
# copy of memory, and rapidfuzz compares such strings without hashing each
# word. Code points 1 and 2 stand for an unknown word and a source boundary;
# id n is code point n + 3, past the surrogates.
_MAX_CODE_ID = 0x10FFFF - 0x800 - 3


_LOW_IDS = 0xD800 - 3  # ids below this are code point id + 3


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


_ARRAYS = ("hashed", "ids", "wstart", "wend", "word_pos", "word_ptr", "gram_keys", "gram_ptr", "gram_pos")


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
        self._seq: str | None = _encode_ids(self._ids)
        self._norm_ids: dict[str, int] = {}
        self._norms: dict[str, str] = {}
        freq = np.diff(self._word_ptr.astype(np.int64))
        total = float(freq.sum()) + 1.0
        self._idf: list[float] = np.log(total / (freq + 1.0)).tolist()
        self._freq: list[int] = freq.tolist()
        self._idf_unknown = float(np.log(total))
        self.sources: list[IndexedSource] = []
        self._starts: list[int] = []
        offset = 0
        for doc, n in zip(docs, counts):
            self.sources.append(IndexedSource(doc, offset, int(n)))
            self._starts.append(offset)
            offset += int(n) + 1
        self._starts_arr = np.array(self._starts, dtype=np.int64)
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
        words = [t for t in fragment if t.is_word]
        ids = list(map(cache.get, [t.norm for t in words]))
        if None in ids:
            if len(cache) > 1_000_000:
                cache.clear()
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
        """:meth:`find` for word ids (:meth:`word_ids`)."""
        m = len(q)
        if m == 0 or not self.sources:
            return None
        if m <= SHORT:
            return self._exact_short(q, near)
        if not len(self._gram_keys):
            return None
        qs = self._seq_of(q)
        best: tuple[int, int, int, int, int] | None = None  # (matched, -dist, -start, start, end)
        if min(q) >= 0:
            for g in self._exact(q, qs):
                if near is None:
                    return g, g + m, m
                rank = (m, -abs(g - near), -g, g, g + m)
                if best is None or rank[:3] > best[:3]:
                    best = rank
            if best is not None:
                # every exact occurrence was compared: no passage reproduces more
                return best[3], best[4], m
        qa = np.array(q, dtype=np.int64)
        known = qa >= 0
        valid = known[:-2] & known[1:-1] & known[2:]
        slot, found = self._lookup(qa[:-2], qa[1:-1], qa[2:])
        valid &= found
        sel = np.flatnonzero(valid)
        if not len(sel):
            return None  # no seed in any source: renders none
        lo = self._gram_ptr[slot[sel]].astype(np.int64)
        counts = self._gram_ptr[slot[sel] + 1] - lo
        if near is None and self.shortcut:
            hit = self._by_unique_seeds(sel, lo, counts, q, qs)
            if hit is not None:
                return hit
        vote = counts <= MAX_POSTINGS
        candidates = self._candidates(sel[vote], lo[vote], counts[vote], q)
        if candidates:
            screened = []
            for wlo, whi in candidates:
                window = self._window(wlo, whi)
                screened.append((LCSseq.similarity(window, qs), wlo, window))
            # a passage reproduces at most its longest common subsequence with
            # the fragment: align the most promising first, and none below
            # the share needed
            screened.sort(key=lambda w: (-w[0], w[1]))
            for lcs, wlo, window in screened:
                if lcs < MIN_WORDS or lcs / m < MIN_SHARE or (best is not None and lcs < best[0]):
                    break
                hit = _verify(qs, window, lcs)
                if hit is None:
                    continue
                start, end, matched = wlo + hit[0], wlo + hit[1], hit[2]
                rank = (matched, -abs(start - near) if near is not None else 0, -start, start, end)
                if best is None or rank[:3] > best[:3]:
                    best = rank
        if best is None:
            return None
        matched = best[0]
        if matched < MIN_WORDS or matched / m < MIN_SHARE:
            return None
        return best[3], best[4], int(matched)

    def _by_unique_seeds(self, sel: np.ndarray, lo: np.ndarray, counts: np.ndarray, q: Sequence[int], qs: str | list[int]) -> Hit | None:
        """The passage that most of the fragment's unique trigrams point to, when it plainly renders the fragment.

        ``sel``: the fragment positions of its trigrams found in the
        sources; ``lo``, ``counts``: where their positions are listed. The
        trigrams found only once in all the sources are the fragment's
        strongest seeds; when at least ``UNIQUE_SEEDS`` of them, and more
        than half, fall on one stretch (nearby diagonals), and the passage
        there reproduces at least ``SURE_SHARE`` of the fragment's words,
        that passage is the one the vote would elect: no vote is held.
        Otherwise None, and the vote decides.
        """
        once = counts == 1
        if np.count_nonzero(once) < UNIQUE_SEEDS:
            return None
        diags = sorted((self._gram_pos[lo[once]].astype(np.int64) - sel[once]).tolist())
        m = len(q)
        gap = max(10, m // 2)
        best = (0, 0, 0)  # (seeds, first, last)
        first = 0
        for k in range(1, len(diags) + 1):
            if k == len(diags) or diags[k] - diags[k - 1] > gap:
                if k - first > best[0]:
                    best = (k - first, first, k - 1)
                first = k
        if best[0] < UNIQUE_SEEDS or best[0] * 2 <= len(diags):
            return None
        d0, d1 = diags[best[1]], diags[best[2]]
        src = self.sources[bisect_right(self._starts, max(d0, 0)) - 1]
        slack = min(m + 10, 60)
        wlo = max(src.offset, d0 - slack)
        whi = min(src.offset + src.words, d1 + m + slack)
        if wlo >= whi:
            return None
        window = self._window(wlo, whi)
        lcs = LCSseq.similarity(window, qs)
        if lcs < m * SURE_SHARE:
            return None
        hit = _verify(qs, window, lcs)
        if hit is None or hit[2] < m * SURE_SHARE:
            return None
        return wlo + hit[0], wlo + hit[1], hit[2]

    def _lookup(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(slot in the trigram table, whether the trigram is there) of trigrams (a, b, c)."""
        keys = _gram_keys(a, b, c, len(self._words_list), self._hashed)
        slot = np.searchsorted(self._gram_keys, keys)
        np.minimum(slot, len(self._gram_keys) - 1, out=slot)
        return slot, self._gram_keys[slot] == keys

    def _exact(self, q: Sequence[int], qs: str | list[int]) -> list[int]:
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
        table = self._gram_keys
        slots = np.searchsorted(table, keys).tolist()
        best = None
        for p, key, slot in zip(probes, keys, slots):
            if slot >= len(table) or int(table[slot]) != key:
                return []  # a trigram of the fragment is in no source
            lo, hi = int(self._gram_ptr[slot]), int(self._gram_ptr[slot + 1])
            if best is None or hi - lo < best[2] - best[1]:
                best = (p, lo, hi)
        assert best is not None
        p, lo, hi = best
        if hi - lo > MAX_EXACT_CHECKS:
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
        return "".join([chr(x + 3) if 0 <= x < _LOW_IDS else _code(x) for x in q])

    def _window(self, lo: int, hi: int) -> str | list[int]:
        """Global words ``lo:hi`` as the aligner takes them."""
        if isinstance(self._seq, str):
            return self._seq[lo:hi]
        return self._ids[lo:hi].tolist()  # type: ignore[no-any-return]

    def weight(self, q: Sequence[int]) -> float:
        """The information of word ids ``q``: the sum of their inverse frequencies in the sources."""
        idf, unknown = self._idf, self._idf_unknown
        return sum(idf[x] if x >= 0 else unknown for x in q)

    def matched_weight(self, q: Sequence[int], hit: Hit) -> float:
        """The information of the words of ``q`` that the passage of ``hit`` reproduces (aligned in order)."""
        start, end, matched = hit
        if matched == len(q):
            return self.weight(q)
        idf = self._idf
        total = 0.0
        for op in Indel.opcodes(self._window(start, end), self._seq_of(q)):
            if op.tag == "equal":
                total += sum(idf[x] for x in q[op.dest_start : op.dest_end])
        return total

    def _exact_short(self, q: Sequence[int], near: int | None) -> Hit | None:
        w = q[0]
        if any(x < 0 for x in q):
            return None
        hits = self._word_pos[self._word_ptr[w] : self._word_ptr[w + 1]].astype(np.int64)
        for k in range(1, len(q)):
            hits = hits[self._ids[hits + k] == q[k]]
        if not len(hits):
            return None
        g = int(hits[0]) if near is None else int(hits[np.argmin(np.abs(hits - near))])
        return g, g + len(q), len(q)

    def _candidates(self, grams: np.ndarray, lo: np.ndarray, counts: np.ndarray, q: Sequence[int]) -> list[tuple[int, int]]:
        """Word windows around the passages that hold most of the fragment's trigrams and rare words, best first.

        The rarest trigrams vote, up to ``HIT_BUDGET`` hits in all (the
        rarest one always), and so do the ``WORD_ANCHORS`` rarest words of
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
        if len(counts) > 1:
            by_rarity = np.argsort(counts, kind="stable")
            budget = np.cumsum(counts[by_rarity]) <= HIT_BUDGET
            budget[0] = True
            take = np.sort(by_rarity[budget])
            grams, lo, counts = grams[take], lo[take], counts[take]
        pos, wpos, wptr, freq = self._gram_pos, self._word_pos, self._word_ptr, self._freq
        parts = [pos[a : a + n] for a, n in zip(lo.tolist(), counts.tolist())]
        offsets, sizes = grams.tolist(), counts.tolist()
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
        g = parts[0] if len(parts) == 1 else np.concatenate(parts)
        sizes_a = np.array(sizes, dtype=np.int64)
        diag = g.astype(np.int64) - np.repeat(np.array(offsets, dtype=np.int64), sizes_a)
        order = np.argsort(diag, kind="stable")
        diag = diag[order]
        weight = np.repeat(1.0 + 1.0 / sizes_a, sizes_a)[order]
        cut = np.flatnonzero(diag[1:] - diag[:-1] > max(10, m // 2)) + 1
        first = np.concatenate(([0], cut))
        score = np.add.reduceat(weight, first)
        rank = np.argsort(-score, kind="stable")  # ties in order of position
        if len(rank) > CANDIDATES:
            edge = score[rank[CANDIDATES - 1]]
            n = CANDIDATES + int(np.count_nonzero(score[rank[CANDIDATES:]] >= edge - 1e-9))
            rank = rank[: min(n, MAX_SCREEN)]
        last = np.concatenate((cut, [len(diag)])) - 1
        slack = min(m + 10, 60)
        out = []
        starts, sources = self._starts, self.sources
        d0s = diag[first[rank]].tolist()
        d1s = diag[last[rank]].tolist()
        for d0, d1 in zip(d0s, d1s):
            s = sources[bisect_right(starts, d0 if d0 > 0 else 0) - 1]
            wlo = max(s.offset, d0 - slack)
            whi = min(s.offset + s.words, d1 + m + slack)
            if wlo < whi:
                out.append((wlo, whi))
        return out

    # ----------------------------------------------------------------- spans

    def _gap_tokens(self, source: int, g: int, *, after: bool) -> tuple[Token, ...]:
        """The (non-word) tokens between global word ``g`` and its neighbour before or after it."""
        s = self.sources[source]
        text = s.doc.text
        if after:
            a = int(self._wend[g])
            b = int(self._wstart[g + 1]) if g + 1 < s.offset + s.words else len(text)
        else:
            a = int(self._wend[g - 1]) if g > s.offset else 0
            b = int(self._wstart[g])
        return tokenize(text, a, b)

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
                    a = before[k].start
                else:
                    break
        if trail:
            after = self._gap_tokens(s, end - 1, after=True)
            k = 0
            for norm in trail:
                if k < len(after) and after[k].norm == norm:
                    b = after[k].end
                    k += 1
                else:
                    break
        return s, (a, b)

    def tokens_in(self, source: int, span: tuple[int, int]) -> tuple[Token, ...]:
        """The tokens of a source that lie inside a character span.

        Words come from the index (their spans), with their folded forms
        cached; only the stretches between words that hold more than white
        space are tokenised, each whole, which gives exactly the tokens of
        the whole text.
        """
        s = self.sources[source]
        text = s.doc.text
        a, b = span
        base = s.offset
        ws = self._wstart[base : base + s.words]
        we = self._wend[base : base + s.words]
        k0 = int(np.searchsorted(we, a, side="right"))  # first word ending after a
        k1 = int(np.searchsorted(ws, b, side="left"))  # words starting before b
        g0 = int(we[k0 - 1]) if k0 > 0 else 0  # where the gap before the next word starts
        last = int(ws[k1]) if k1 < s.words else len(text)
        out: list[Token] = []
        append = out.append
        norms = self._norms
        make = Token.make
        for w0, w1 in zip(ws[k0:k1].tolist() + [last], we[k0:k1].tolist() + [-1]):
            if w0 > g0 and g0 < b and w0 > a:
                gap = text[g0:w0]
                if not gap.isspace():
                    for surface, norm, t0, t1 in _tokenize_gap(gap):
                        if t0 + g0 >= a and t1 + g0 <= b:
                            append(make(surface, norm, t0 + g0, t1 + g0, False))
            if w0 >= a and 0 <= w1 <= b:
                surface = text[w0:w1]
                norm = norms.get(surface)
                if norm is None:
                    if len(norms) > 1_000_000:
                        norms.clear()
                    norm = norms[surface] = fold_token(surface)
                append(make(surface, norm, w0, w1, True))
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


def _verify(q: str | list[int], window: str | list[int], lcs: int) -> tuple[int, int, int] | None:
    """Where in ``window`` the fragment ``q`` lies: (start, end, matched words), offsets into ``window``.

    ``lcs`` is the length of the longest common subsequence of the two. Of
    the stretches of ``window`` that hold such a subsequence, the shortest
    one that starts last is aligned against the fragment (so that a common
    word just before or after the passage is not taken for part of it);
    equal runs at its edges that are small beside the gap that separates them
    from the rest (chance matches of common words) are dropped, and the
    words of the remaining runs are the matched ones.
    """
    if lcs <= 0:
        return None
    sim = LCSseq.similarity
    a, b = 0, len(window) - lcs  # the latest start that keeps the whole subsequence
    while a < b:
        mid = (a + b + 1) // 2
        if sim(window[mid:], q, score_cutoff=lcs) >= lcs:
            a = mid
        else:
            b = mid - 1
    tail = window[a:]
    lo, hi = lcs, len(tail)  # the earliest end after that start
    while lo < hi:
        mid = (lo + hi) // 2
        if sim(tail[:mid], q, score_cutoff=lcs) >= lcs:
            hi = mid
        else:
            lo = mid + 1
    tight = tail[:lo]
    runs = [(op.src_start, op.src_end) for op in Indel.opcodes(tight, q) if op.tag == "equal"]
    if not runs:
        return None
    while len(runs) > 1 and (runs[0][1] - runs[0][0]) * 6 < runs[1][0] - runs[0][1]:
        runs.pop(0)
    while len(runs) > 1 and (runs[-1][1] - runs[-1][0]) * 6 < runs[-1][0] - runs[-2][1]:
        runs.pop()
    matched = sum(s1 - s0 for s0, s1 in runs)
    return a + runs[0][0], a + runs[-1][1], matched


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
    located on its own; fragments of one or two words only exactly, and
    preferably near the others. The quotation is located when its located
    fragments hold at least half of its words and lie in one source.
    """
    ids = [index.fragment_ids(f) for f in fragments]
    total = sum(len(k) for k in ids)
    if total == 0 or not index.sources:
        return None
    found: dict[int, Hit] = {}
    # longer fragments first: they anchor the short ones
    order = sorted(range(len(ids)), key=lambda i: (-len(ids[i]), i))
    for i in order:
        if not ids[i]:
            continue
        near = _anchor(found, i)
        if total <= SHORT or len(ids[i]) > SHORT or near is not None:
            hit = index.find_ids(ids[i], near)
            if hit is not None:
                found[i] = hit
    if not found:
        return None
    # all fragments must come from one source: keep the source with most words
    by_source: dict[int, int] = defaultdict(int)
    for g0, _, matched in found.values():
        by_source[index.source_of(g0)] += matched
    best_source = min(by_source, key=lambda s: (-by_source[s], s))
    found = {i: h for i, h in found.items() if index.source_of(h[0]) == best_source}
    matched = sum(h[2] for h in found.values())
    if matched / total < MIN_SHARE:
        return None
    if total > SHORT:
        information = sum(index.weight(k) for k in ids)
        reproduced = sum(index.matched_weight(ids[i], h) for i, h in found.items())
        if information > 0 and reproduced / information < MIN_WEIGHT_SHARE:
            return None
    frags = []
    for i in sorted(found):
        g0, g1, _ = found[i]
        _, span = index.char_span(g0, g1, fragments[i])
        f = fragments[i]
        frags.append(Fragment((f[0].start, f[-1].end), span, i))
    src = index.sources[best_source]
    start = min(f.source_span[0] for f in frags)
    end = max(f.source_span[1] for f in frags)
    return Location(src.doc.id, (start, end), tuple(frags), round(matched / total, 4))


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
