"""Word-level alignment on diff-match-patch.

This module is the one adapter to diff-match-patch: words are mapped to
single characters (its lines-to-chars trick, applied to words), the character
strings are diffed with no time limit (``Diff_Timeout = 0``) so that the
result never depends on the machine's speed, and the diff comes back as typed
:class:`AlignOp` s.

The diff is computed by fast-diff-match-patch, the C++ port of the same
algorithm, when it is installed (it has no wheels for every Python), and by
diff-match-patch otherwise: with no time limit both compute the same diff,
which the tests check, so the output does not depend on which one ran.

Every word alignment of the package is made here: :func:`align` for a
quotation against its source passage; :func:`word_diff`,
:func:`diff_words_first` and :func:`diff_between_anchors` for long texts
(documents, whole witnesses), which fix anchors first and diff between them;
and :func:`trim_stray_runs`, the rule that drops chance matches at the edges
of a local alignment.
"""

from __future__ import annotations

import functools
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from quoteverify.models import AlignOp, Alignment, OpName, Token

_OP = {-1: "-", 0: "=", 1: "+"}

Counts = Callable[[str, str], list[tuple[str, int]]]

#: inputs (items on both sides) above which :func:`word_diff` anchors the diff first
ANCHOR_ABOVE = 3000


@functools.cache
def _dmp() -> Any:
    """diff-match-patch, imported where its C++ port is missing (3-4 ms of every start otherwise)."""
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # exact and reproducible, whatever the machine
    return dmp


def _counts_dmp(a: str, b: str) -> list[tuple[str, int]]:
    """The diff of two strings as (op, length) pairs, op one of ``-``, ``=``, ``+``: diff-match-patch."""
    return [(_OP[op], len(chunk)) for op, chunk in _dmp().diff_main(a, b, False)]


def _fast_counts() -> Counts | None:
    try:
        from fast_diff_match_patch import diff
    except ImportError:
        return None

    def counts(a: str, b: str) -> list[tuple[str, int]]:
        return diff(a, b, timelimit=0, checklines=False, cleanup="No", counts_only=True)

    return counts


#: the diff of two strings as (op, length) pairs, as :func:`diff_sequences` uses it
diff_counts: Counts = _fast_counts() or _counts_dmp


class _Codes(dict[Hashable, str]):
    """One character per item (word key), assigned as items are first seen and kept from one diff to the next.

    The diff of the two strings depends only on which of their characters
    are equal, never on which characters they are, so a table shared by all
    diffs gives the same diffs as one made afresh for each.
    """

    def __missing__(self, item: Hashable) -> str:
        n = len(self) + 1
        # skip the surrogate block, which is no valid code point on its own
        code = self[item] = chr(n if n < 0xD800 else n + 0x800)
        return code


_CODES_KEPT = 1 << 18  # items kept in the table before it starts afresh
_LOCAL = threading.local()  # one table per thread: a table is filled as it is read


def _encode(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[str, str]:
    """Both sequences as strings of one character per distinct item."""
    codes: _Codes | None = getattr(_LOCAL, "codes", None)
    if codes is None or len(codes) + len(a) + len(b) > _CODES_KEPT:
        codes = _LOCAL.codes = _Codes()
    get = codes.__getitem__
    return "".join(map(get, a)), "".join(map(get, b))


def diff_sequences(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[AlignOp, ...]:
    """Diff two sequences of hashable items (word keys) into alignment ops.

    ``src`` ranges index ``a``, ``quo`` ranges index ``b``. A deletion next to
    an insertion is one ``replace``; within a replace, items shared at its two
    ends are given back to the neighbouring equalities, so a replace never
    starts or ends with an item common to both sides.
    """
    if len(a) == len(b) and list(a) == list(b):
        # most quotations are exact: no diff needed
        return (AlignOp("equal", (0, len(a)), (0, len(b))),) if a else ()
    sa, sb = _encode(a, b)
    counts = diff_counts(sa, sb)
    raw: list[tuple[str, int, int]] = []  # (op, len_a, len_b)
    for op, n in counts:
        if op == "=":
            raw.append(("equal", n, n))
        elif op == "-":
            if raw and raw[-1][0] in ("insert", "replace"):
                _, la, lb = raw.pop()
                raw.append(("replace", la + n, lb))
            else:
                raw.append(("delete", n, 0))
        else:
            if raw and raw[-1][0] in ("delete", "replace"):
                _, la, lb = raw.pop()
                raw.append(("replace", la, lb + n))
            else:
                raw.append(("insert", 0, n))
    ops: list[AlignOp] = []
    i = j = 0
    for op, la, lb in raw:
        if op == "replace":
            # give shared items at either end back to the equalities
            pre = 0
            while pre < min(la, lb) and a[i + pre] == b[j + pre]:
                pre += 1
            suf = 0
            while suf < min(la, lb) - pre and a[i + la - 1 - suf] == b[j + lb - 1 - suf]:
                suf += 1
            if pre:
                _push(ops, "equal", i, i + pre, j, j + pre)
            mid_a, mid_b = la - pre - suf, lb - pre - suf
            kind = "replace" if mid_a and mid_b else ("delete" if mid_a else "insert")
            _push(ops, kind, i + pre, i + pre + mid_a, j + pre, j + pre + mid_b)
            if suf:
                _push(ops, "equal", i + la - suf, i + la, j + lb - suf, j + lb)
        else:
            _push(ops, op, i, i + la, j, j + lb)
        i += la
        j += lb
    return tuple(ops)


def _push(ops: list[AlignOp], op: str, a0: int, a1: int, b0: int, b1: int) -> None:
    if a0 == a1 and b0 == b1:
        return
    if ops and ops[-1].op == op:
        last = ops.pop()
        ops.append(AlignOp(op, (last.src[0], a1), (last.quo[0], b1)))
    else:
        ops.append(AlignOp(op, (a0, a1), (b0, b1)))  # type: ignore[arg-type]


def align(source_tokens: Sequence[Token], quote_tokens: Sequence[Token]) -> Alignment:
    """Align a quotation's tokens against its source passage's tokens, word by word.

    Tokens are compared by their folded form (typography folded, case kept),
    so a quotation whose only differences are quote-mark or dash forms aligns
    as all ``equal``.
    """
    ops = diff_sequences([t.norm for t in source_tokens], [t.norm for t in quote_tokens])
    return Alignment(tuple(source_tokens), tuple(quote_tokens), ops)


# --------------------------------------------------------------------------- long texts: the anchored diff


def word_diff(a: Sequence[Hashable], b: Sequence[Hashable], *, anchor_above: int = ANCHOR_ABOVE) -> tuple[AlignOp, ...]:
    """Diff two long sequences of word keys with :func:`diff_sequences`.

    Inputs with at most ``anchor_above`` items in all are diffed whole.
    Longer ones are cut at anchors first: items that occur once in each
    sequence with a matching neighbour, kept in the longest chain that is in
    order in both (patience diff); the stretches between anchors are diffed
    (and cut again when still long). The ops have the same shape and
    guarantees as those of ``diff_sequences``.
    """
    out: list[AlignOp] = []
    _diff_range(a, b, 0, len(a), 0, len(b), out, anchor_above)
    return tuple(_coalesce(out))


def diff_words_first(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    a_words: Sequence[bool],
    b_words: Sequence[bool],
    *,
    anchor_above: int = ANCHOR_ABOVE,
) -> tuple[AlignOp, ...]:
    """Diff two token sequences by their words first, then the punctuation between the matched words.

    Of two alignments as long as each other, plain diffing may match a comma
    and leave a word out ("There is, also, some" against "There is also, I
    think, some"); matching the words first never lets punctuation decide
    which words correspond. ``a_words[i]`` says whether ``a[i]`` is a word.
    The ops have the shape of :func:`diff_sequences`.
    """
    wa = [i for i, w in enumerate(a_words) if w]
    wb = [j for j, w in enumerate(b_words) if w]
    word_ops = word_diff([a[i] for i in wa], [b[j] for j in wb], anchor_above=anchor_above)
    out: list[AlignOp] = []
    i0 = j0 = 0
    for op in word_ops:
        if op.op != "equal":
            continue
        for x, y in zip(range(*op.src), range(*op.quo)):
            i, j = wa[x], wb[y]
            _diff_range(a, b, i0, i, j0, j, out, anchor_above)
            out.append(AlignOp("equal", (i, i + 1), (j, j + 1)))
            i0, j0 = i + 1, j + 1
    _diff_range(a, b, i0, len(a), j0, len(b), out, anchor_above)
    return tuple(_coalesce(out))


def diff_between_anchors(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    a_words: Sequence[bool],
    b_words: Sequence[bool],
    anchors: Sequence[tuple[int, int]],
) -> tuple[AlignOp, ...]:
    """Diff two token sequences known to match at the ``anchors`` (pairs ``(i, j)``, increasing in both).

    The stretches between anchors are diffed words first
    (:func:`diff_words_first`). Used to align a witness through a witness
    already aligned that it resembles, so that alike witnesses are aligned
    alike.
    """
    out: list[AlignOp] = []
    i0 = j0 = 0
    for i, j in [*anchors, (len(a), len(b))]:
        if i > i0 and j > j0:
            sub = diff_words_first(a[i0:i], b[j0:j], a_words[i0:i], b_words[j0:j])
            out.extend(AlignOp(op.op, (op.src[0] + i0, op.src[1] + i0), (op.quo[0] + j0, op.quo[1] + j0)) for op in sub)
        elif i > i0:
            out.append(AlignOp("delete", (i0, i), (j0, j0)))
        elif j > j0:
            out.append(AlignOp("insert", (i0, i0), (j0, j)))
        if i < len(a) and j < len(b):
            out.append(AlignOp("equal", (i, i + 1), (j, j + 1)))
        i0, j0 = i + 1, j + 1
    return tuple(_coalesce(out))


def _diff_range(
    a: Sequence[Hashable], b: Sequence[Hashable], a0: int, a1: int, b0: int, b1: int, out: list[AlignOp], limit: int
) -> None:
    # common prefix and suffix first: cheap and they anchor themselves
    p = 0
    while a0 + p < a1 and b0 + p < b1 and a[a0 + p] == b[b0 + p]:
        p += 1
    if p:
        out.append(AlignOp("equal", (a0, a0 + p), (b0, b0 + p)))
        a0 += p
        b0 += p
    s = 0
    while a1 - s > a0 and b1 - s > b0 and a[a1 - 1 - s] == b[b1 - 1 - s]:
        s += 1
    tail = AlignOp("equal", (a1 - s, a1), (b1 - s, b1)) if s else None
    a1 -= s
    b1 -= s
    if a0 == a1 and b0 == b1:
        pass
    elif a0 == a1:
        out.append(AlignOp("insert", (a0, a0), (b0, b1)))
    elif b0 == b1:
        out.append(AlignOp("delete", (a0, a1), (b0, b0)))
    else:
        anchors = _anchors(a, b, a0, a1, b0, b1) if (a1 - a0) + (b1 - b0) > limit else []
        if not anchors:
            for op in diff_sequences(a[a0:a1], b[b0:b1]):
                out.append(AlignOp(op.op, (op.src[0] + a0, op.src[1] + a0), (op.quo[0] + b0, op.quo[1] + b0)))
        else:
            i0, j0 = a0, b0
            for i, j in anchors:
                _diff_range(a, b, i0, i, j0, j, out, limit)
                out.append(AlignOp("equal", (i, i + 1), (j, j + 1)))
                i0, j0 = i + 1, j + 1
            _diff_range(a, b, i0, a1, j0, b1, out, limit)
    if tail is not None:
        out.append(tail)


def _anchors(a: Sequence[Hashable], b: Sequence[Hashable], a0: int, a1: int, b0: int, b1: int) -> list[tuple[int, int]]:
    """Anchor positions (i, j), in the longest chain that is in order in both ranges.

    An anchor is an item found once in each range with a matching
    neighbour; when there is none (texts that repeat themselves), a run of
    two, then three, items found once in each range.
    """
    for n in (1, 2, 3):
        ka = [tuple(a[i : i + n]) for i in range(a0, a1 - n + 1)]
        kb = [tuple(b[j : j + n]) for j in range(b0, b1 - n + 1)]
        ca, cb = Counter(ka), Counter(kb)
        where_b = {k: b0 + j for j, k in enumerate(kb) if cb[k] == 1 and ca.get(k) == 1}
        pairs = []
        for i, k in enumerate(ka, a0):
            j = where_b.get(k)
            if j is None:
                continue
            before = i > a0 and j > b0 and a[i - 1] == b[j - 1]
            after = i + n < a1 and j + n < b1 and a[i + n] == b[j + n]
            if n > 1 or before or after:
                pairs.append((i, j))
        chain = _longest_increasing(pairs)
        if n > 1:
            # the items of a run anchor each other; keep the runs that do not overlap
            out: list[tuple[int, int]] = []
            for i, j in chain:
                for d in range(n):
                    if not out or (i + d > out[-1][0] and j + d > out[-1][1]):
                        out.append((i + d, j + d))
            chain = out
        if chain:
            return chain
    return []


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (sorted by i) whose j increase too (patience sorting)."""
    tops: list[int] = []  # j of the last pair of each pile
    top_idx: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_right(tops, j)
        if k and tops[k - 1] == j:
            continue
        if k:
            back[n] = top_idx[k - 1]
        if k == len(tops):
            tops.append(j)
            top_idx.append(n)
        else:
            tops[k] = j
            top_idx[k] = n
    chain = []
    n = top_idx[-1] if top_idx else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    return chain[::-1]


def _coalesce(ops: list[AlignOp]) -> list[AlignOp]:
    """Join adjacent ops of one kind, and a deletion next to an insertion into a replacement."""
    out: list[AlignOp] = []
    for op in ops:
        if op.src[0] == op.src[1] and op.quo[0] == op.quo[1]:
            continue
        if out:
            last = out[-1]
            both_change = last.op != "equal" and op.op != "equal"
            if last.op == op.op or both_change:
                kind: OpName = op.op if last.op == op.op else "replace"
                out[-1] = AlignOp(kind, (last.src[0], op.src[1]), (last.quo[0], op.quo[1]))
                continue
        out.append(op)
    return out


# --------------------------------------------------------------------------- chance matches at the edges


def trim_stray_runs(
    runs: Sequence[AlignOp],
    words: Callable[[AlignOp], int],
    *,
    gap_per_word: int,
    lone_word_gap: int | None = None,
    gap_counts_quote: bool = True,
    drop_wordless: bool = False,
) -> list[AlignOp]:
    """The equal runs of a local alignment without the chance matches at its edges.

    A run at either end is a chance match when it is small beside the gap to
    the next run: ``words(run)`` is ``n`` and the gap is wider than
    ``gap_per_word * n`` tokens, or, for a run of one word, wider than
    ``lone_word_gap`` tokens (when given). Runs are dropped from each end
    until one is not a chance match; one run is always kept. The gap counts
    the tokens skipped on the source side, and on the quotation side too
    when ``gap_counts_quote``. With ``drop_wordless``, runs with no words
    are dropped first wherever they stand, so that gaps are measured
    between runs of words.

    The document diff (:mod:`quoteverify.collate`) trims a re-aligned move
    with ``gap_per_word=4`` over both sides; the reconstruction
    (:mod:`quoteverify.reconstruct`) trims a quotation's window on the text
    with ``gap_per_word=8, lone_word_gap=3`` over the text's side only.
    """
    kept = [r for r in runs if words(r)] if drop_wordless else list(runs)

    def gap(x: AlignOp, y: AlignOp) -> int:
        skipped = y.src[0] - x.src[1]
        return skipped + (y.quo[0] - x.quo[1]) if gap_counts_quote else skipped

    def stray(r: AlignOp, width: int) -> bool:
        n = words(r)
        return (lone_word_gap is not None and n == 1 and lone_word_gap < width) or gap_per_word * n < width

    while len(kept) > 1 and stray(kept[0], gap(kept[0], kept[1])):
        kept.pop(0)
    while len(kept) > 1 and stray(kept[-1], gap(kept[-2], kept[-1])):
        kept.pop()
    return kept
