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
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence

from diff_match_patch import diff_match_patch

from quoteverify.models import AlignOp, Alignment, Token

_DMP = diff_match_patch()
_DMP.Diff_Timeout = 0  # exact and reproducible, whatever the machine
_OP = {-1: "-", 0: "=", 1: "+"}

Counts = Callable[[str, str], list[tuple[str, int]]]


def _counts_dmp(a: str, b: str) -> list[tuple[str, int]]:
    """The diff of two strings as (op, length) pairs, op one of ``-``, ``=``, ``+``: diff-match-patch."""
    return [(_OP[op], len(chunk)) for op, chunk in _DMP.diff_main(a, b, False)]


def _fast_counts() -> Counts | None:
    try:
        from fast_diff_match_patch import diff
    except ImportError:
        return None

    def counts(a: str, b: str) -> list[tuple[str, int]]:
        return diff(a, b, timelimit=0, checklines=False, cleanup="No", counts_only=True)  # type: ignore[no-any-return]

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
        ops.append(AlignOp(op, (last.src[0], a1), (last.quo[0], b1)))  # type: ignore[arg-type]
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
