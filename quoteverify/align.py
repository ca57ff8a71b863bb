"""Word-level alignment on diff-match-patch.

This module is the one adapter to diff-match-patch: words are mapped to
single characters (its lines-to-chars trick, applied to words), the character
strings are diffed with ``Diff_Timeout = 0`` so that the result never depends
on the machine's speed, and the diff comes back as typed :class:`AlignOp` s.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from diff_match_patch import diff_match_patch

from quoteverify.models import AlignOp, Alignment, Token

_DMP = diff_match_patch()
_DMP.Diff_Timeout = 0  # exact and reproducible, whatever the machine


def _encode(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[str, str]:
    codes: dict[Hashable, str] = {}

    def enc(seq: Sequence[Hashable]) -> str:
        out = []
        for item in seq:
            c = codes.get(item)
            if c is None:
                n = len(codes) + 1
                # skip the surrogate block, which is no valid code point on its own
                c = codes[item] = chr(n if n < 0xD800 else n + 0x800)
            out.append(c)
        return "".join(out)

    return enc(a), enc(b)


def diff_sequences(a: Sequence[Hashable], b: Sequence[Hashable], *, semantic: bool = False) -> tuple[AlignOp, ...]:
    """Diff two sequences of hashable items (word keys) into alignment ops.

    ``src`` ranges index ``a``, ``quo`` ranges index ``b``. A deletion next to
    an insertion is one ``replace``; within a replace, items shared at its two
    ends are given back to the neighbouring equalities, so a replace never
    starts or ends with an item common to both sides. ``semantic`` applies
    diff-match-patch's semantic clean-up (fewer, larger edits).
    """
    if len(a) == len(b) and all(x == y for x, y in zip(a, b)):
        # most quotations are exact: no diff needed
        return (AlignOp("equal", (0, len(a)), (0, len(b))),) if a else ()
    sa, sb = _encode(a, b)
    diffs = _DMP.diff_main(sa, sb, False)
    if semantic:
        _DMP.diff_cleanupSemantic(diffs)
    raw: list[tuple[str, int, int]] = []  # (op, len_a, len_b)
    for op, chunk in diffs:
        n = len(chunk)
        if op == 0:
            raw.append(("equal", n, n))
        elif op == -1:
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
