"""Collation benchmark: quoteverify's multiple alignment beside CollateX, on the same witnesses.

CollateX is a benchmark-only dependency, never a runtime one. Install it with

    pip install collatex python-Levenshtein

and run, from the repository root,

    python benchmarks/collation.py                      # CollateX on the letter and the first 3 Darwin sets
    python benchmarks/collation.py --collatex-sets 47   # CollateX on all 47 sets (several minutes)
    python benchmarks/collation.py --no-collatex        # ours only

Without CollateX installed the script says so and measures quoteverify alone.

Witnesses:

- the seed renditions of the letter (corpus/seely-letter): for each article,
  its quotations that the pipeline locates in the letter, in the letter's
  order, joined by a space (a quotation that lies inside another of the same
  article is left out);
- the six editions of Darwin's *Origin* (``--darwin``, by default
  ``../shared/data/darwin-origin/paragraphs.json``): 47 sets of witnesses.

Printed: wall-clock and CPU seconds of each tool on each corpus (ours on all
47 Darwin sets, CollateX on the subset it ran, named); where the two
alignments agree, as pairs of identical words that each tool puts in one
column, for every pair of witnesses (|both| / |either|, on the words both
tools tokenise alike); for a sample where
they differ, both alignments side by side. Then the document diff
(``quoteverify diff``) of Darwin 1859 against 1872, each edition's 47
paragraphs concatenated, and of a 70,000-word pair. Figures are measured,
never asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from quoteverify.align import diff_sequences  # noqa: E402
from quoteverify.collate import collate  # noqa: E402
from quoteverify.ingest import document_from_text  # noqa: E402
from quoteverify.run import check  # noqa: E402
from quoteverify.reconstruct import Reconstruction, reconstruct_witnesses  # noqa: E402

DARWIN = REPO.parent / "shared" / "data" / "darwin-origin" / "paragraphs.json"
SEED = REPO / "corpus" / "seely-letter"
EDITIONS = ["1859", "1860", "1861", "1866", "1869", "1872"]

Witnesses = list[tuple[str, str]]
Pair = tuple[str, int, str, int]  # (witness, word start offset, witness, word start offset)
Grid = list[dict[str, str]]  # one dict per column: witness -> its words there


# --------------------------------------------------------------------------- witnesses


def letter_witnesses() -> Witnesses:
    """Each seed article's rendition of the letter: its located quotations in the letter's order."""
    result = check(SEED)
    out: Witnesses = []
    for art in result.articles:
        frags: list[tuple[Any, Any]] = []
        for q in art.quotes:
            if q.location is None or q.location.source != "letter":
                continue
            frags.extend(zip(q.location.fragments, q.alignment))
        frags.sort(key=lambda f: (f[0].source_span[0], -f[0].source_span[1]))
        kept: list[tuple[Any, Any]] = []
        for f in frags:
            if kept and f[0].source_span[1] <= kept[-1][0].source_span[1]:
                continue  # inside a longer quotation of the same article
            kept.append(f)
        if kept:
            out.append((art.article.id, " ".join(_spaced(al.quote_tokens) for _, al in kept)))
    return out


def _spaced(tokens: Sequence[Any]) -> str:
    """A quotation's words as text (captions between its paragraphs and interpolations left out)."""
    out = []
    prev = None
    for t in tokens:
        if t.editorial:
            continue
        if prev is not None:
            out.append("" if t.start == prev.end else " ")
        out.append(t.text)
        prev = t
    return "".join(out)


def darwin_sets(path: Path) -> list[Witnesses]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [[(w["id"], w["content"]) for w in s["witnesses"]] for s in data]


# --------------------------------------------------------------------------- our alignment


def ours(witnesses: Witnesses) -> Reconstruction:
    return reconstruct_witnesses(witnesses)


def our_grid(recon: Reconstruction) -> Grid:
    grid: Grid = []
    for col in recon.columns:
        cells = {}
        for wid, n, toks in col.cells:
            piece = recon.excerpts[n]
            cells[wid] = " ".join(piece.tokens[k].text for k in toks)
        grid.append(cells)
    return grid


def our_pairs(recon: Reconstruction) -> set[Pair]:
    """Pairs of identical words (case folded) that our alignment puts in one column."""
    pairs: set[Pair] = set()
    for col in recon.columns:
        cells = [(wid, recon.excerpts[n], toks) for wid, n, toks in col.cells]
        for (w1, p1, t1), (w2, p2, t2) in itertools.combinations(cells, 2):
            k1 = [p1.tokens[k].norm.casefold() for k in t1]
            k2 = [p2.tokens[k].norm.casefold() for k in t2]
            for op in diff_sequences(k1, k2):
                if op.op != "equal":
                    continue
                for x, y in zip(range(*op.src), range(*op.quo)):
                    a, b = p1.tokens[t1[x]], p2.tokens[t2[y]]
                    if a.is_word:
                        pairs.add(_pair(w1, a.start, w2, b.start))
    return pairs


def _pair(w1: str, s1: int, w2: str, s2: int) -> Pair:
    return (w1, s1, w2, s2) if w1 < w2 else (w2, s2, w1, s1)


# --------------------------------------------------------------------------- CollateX


def collatex_available() -> bool:
    try:
        import collatex  # noqa: F401
    except ImportError:
        return False
    return True


def run_collatex(witnesses: Witnesses) -> dict[str, Any]:
    from collatex import Collation, collate as cx_collate

    c = Collation()
    for wid, text in witnesses:
        c.add_plain_witness(wid, text)
    return json.loads(cx_collate(c, output="json", segmentation=False))


def _offsets(text: str, row: Sequence[Any]) -> list[list[int] | None]:
    """The start offset in ``text`` of each token of each cell of a CollateX table row."""
    pos = 0
    out: list[list[int] | None] = []
    for cell in row:
        if cell is None:
            out.append(None)
            continue
        starts = []
        for tok in cell:
            word = tok["t"].strip()
            at = text.find(word, pos)
            if at < 0:
                at = pos
            starts.append(at)
            pos = at + len(word)
        out.append(starts)
    return out


def cx_pairs(table: dict[str, Any], witnesses: Witnesses) -> set[Pair]:
    texts = dict(witnesses)
    sigils = table["witnesses"]
    rows = table["table"]
    offsets = [_offsets(texts[s], row) for s, row in zip(sigils, rows)]
    pairs: set[Pair] = set()
    for c in range(len(rows[0]) if rows else 0):
        for (i, s1), (j, s2) in itertools.combinations(enumerate(sigils), 2):
            a, b = rows[i][c], rows[j][c]
            if a is None or b is None:
                continue
            for x, (ta, tb) in enumerate(zip(a, b)):
                wa, wb = ta["t"].strip(), tb["t"].strip()
                if wa.casefold() == wb.casefold() and any(ch.isalnum() for ch in wa):
                    pairs.add(_pair(s1, offsets[i][c][x], s2, offsets[j][c][x]))  # type: ignore[index]
    return pairs


def cx_grid(table: dict[str, Any]) -> Grid:
    grid: Grid = []
    sigils = table["witnesses"]
    rows = table["table"]
    for c in range(len(rows[0]) if rows else 0):
        grid.append({s: " ".join(t["t"].strip() for t in rows[i][c]) for i, s in enumerate(sigils) if rows[i][c]})
    return grid


# --------------------------------------------------------------------------- comparing


def agreement(a: set[Pair], b: set[Pair]) -> tuple[int, int, int]:
    return len(a & b), len(a - b), len(b - a)


def common_words(recon: Reconstruction, table: dict[str, Any], witnesses: Witnesses) -> set[tuple[str, int]]:
    """(witness, offset) of the words both tools tokenise alike (CJTF-OIR is one token here, three there)."""
    mine = {(p.witness, t.start, t.text) for p in recon.excerpts for t in p.tokens if t.is_word}
    texts = dict(witnesses)
    theirs: set[tuple[str, int, str]] = set()
    for s, row in zip(table["witnesses"], table["table"]):
        for cell, starts in zip(row, _offsets(texts[s], row)):
            if cell is None or starts is None:
                continue
            theirs.update((s, st, tok["t"].strip()) for tok, st in zip(cell, starts))
    return {(w, st) for w, st, _ in mine & theirs}


def comparable(pairs: set[Pair], words: set[tuple[str, int]]) -> set[Pair]:
    return {p for p in pairs if (p[0], p[1]) in words and (p[2], p[3]) in words}


def column_of(grid_offsets: list[dict[str, list[int]]], witness: str, start: int) -> int | None:
    for n, col in enumerate(grid_offsets):
        if start in col.get(witness, ()):
            return n
    return None


def our_offsets(recon: Reconstruction) -> list[dict[str, list[int]]]:
    return [
        {wid: [recon.excerpts[n].tokens[k].start for k in toks] for wid, n, toks in col.cells} for col in recon.columns
    ]


def cx_offsets(table: dict[str, Any], witnesses: Witnesses) -> list[dict[str, list[int]]]:
    texts = dict(witnesses)
    sigils = table["witnesses"]
    rows = table["table"]
    offs = [_offsets(texts[s], row) for s, row in zip(sigils, rows)]
    out: list[dict[str, list[int]]] = []
    for c in range(len(rows[0]) if rows else 0):
        col: dict[str, list[int]] = {}
        for i, s in enumerate(sigils):
            starts = offs[i][c]
            if starts is not None:
                col[s] = starts
        out.append(col)
    return out


def show(grid: Grid, order: Sequence[str], center: int, width: int = 5) -> str:
    cols = grid[max(0, center - width) : center + width + 1]
    def cell(c: dict[str, str], w: str) -> str:
        t = c.get(w, "-")
        return t if len(t) <= 30 else t[:13] + "..." + t[-14:]

    widths = [max([len(cell(c, w)) for w in order] + [1]) for c in cols]
    name = max(len(w) for w in order)
    lines = []
    for w in order:
        cells = [cell(c, w).ljust(n) for c, n in zip(cols, widths)]
        lines.append(f"    {w.ljust(name)} | " + " | ".join(cells))
    return "\n".join(lines)


def sample_disagreement(
    witnesses: Witnesses, recon: Reconstruction, table: dict[str, Any], mine: set[Pair], theirs: set[Pair]
) -> str | None:
    only = sorted(mine ^ theirs)
    if not only:
        return None
    w1, s1, w2, s2 = only[len(only) // 2]
    order = [w for w, _ in witnesses]
    ogrid, cgrid = our_grid(recon), cx_grid(table)
    oc = column_of(our_offsets(recon), w1, s1)
    cc = column_of(cx_offsets(table, witnesses), w1, s1)
    text = dict(witnesses)[w1]
    word = text[s1 : s1 + max(1, len(text[s1:].split(" ", 1)[0]))]
    who = "quoteverify" if (w1, s1, w2, s2) in mine else "CollateX"
    out = [f"  {w1}'s {word!r} at {s1}: {who} aligns it with {w2}'s word at {s2}, the other tool does not"]
    if oc is not None:
        out.append("  quoteverify:")
        out.append(show(ogrid, order, oc))
    if cc is not None:
        out.append("  CollateX:")
        out.append(show(cgrid, order, cc))
    return "\n".join(out)


# --------------------------------------------------------------------------- running


def timed(fn: Any, *args: Any) -> tuple[Any, float, float]:
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - w, time.process_time() - c


def words(witnesses: Witnesses) -> int:
    return sum(len(t.split()) for _, t in witnesses)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--darwin", type=Path, default=DARWIN, help="paragraphs.json of the Darwin editions")
    ap.add_argument("--collatex-sets", type=int, default=3, help="how many Darwin sets CollateX collates (default 3; 47 for all)")
    ap.add_argument("--no-collatex", action="store_true", help="measure quoteverify only")
    ap.add_argument("--no-diff", action="store_true", help="skip the document-diff timings")
    args = ap.parse_args(argv)

    have_cx = not args.no_collatex and collatex_available()
    if not args.no_collatex and not have_cx:
        print("CollateX is not installed (pip install collatex python-Levenshtein): measuring quoteverify alone.\n")

    # ---- the letter
    letter = letter_witnesses()
    print(f"Seed letter: {len(letter)} renditions, {words(letter)} words ({', '.join(w for w, _ in letter)})")
    recon, wall, cpu = timed(ours, letter)
    print(f"  quoteverify: {wall:.3f} s wall, {cpu:.3f} s CPU; {len(recon.apparatus)} apparatus entries")
    if have_cx:
        table, cwall, ccpu = timed(run_collatex, letter)
        shared = common_words(recon, table, letter)
        mine, theirs = comparable(our_pairs(recon), shared), comparable(cx_pairs(table, letter), shared)
        both, o, t = agreement(mine, theirs)
        print(f"  CollateX:    {cwall:.3f} s wall, {ccpu:.3f} s CPU")
        print(f"  agreement on pairs of identical words in one column: {both} both, {o} quoteverify only, {t} CollateX only"
              f" ({both / max(1, both + o + t):.1%})")
        sample = sample_disagreement(letter, recon, table, mine, theirs)
        if sample:
            print("  a place where they differ:")
            print(sample)
    print()

    # ---- Darwin
    if not args.darwin.is_file():
        print(f"Darwin data not found at {args.darwin}: skipped.")
        return 0
    sets = darwin_sets(args.darwin)
    total_words = sum(words(s) for s in sets)
    print(f"Darwin's Origin: {len(sets)} sets, {sum(len(s) for s in sets)} witnesses, {total_words} words")
    w0, c0 = time.perf_counter(), time.process_time()
    recons = [ours(s) for s in sets]
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(f"  quoteverify, all {len(sets)} sets: {wall:.2f} s wall, {cpu:.2f} s CPU"
          f" ({sum(len(r.apparatus) for r in recons)} apparatus entries)")
    if have_cx:
        n = max(0, min(args.collatex_sets, len(sets)))
        subset = sets[:n]
        sub_words = sum(words(s) for s in subset)
        w0, c0 = time.perf_counter(), time.process_time()
        tables = [run_collatex(s) for s in subset]
        cwall, ccpu = time.perf_counter() - w0, time.process_time() - c0
        w1, c1 = time.perf_counter(), time.process_time()
        for s in subset:
            ours(s)
        owall, ocpu = time.perf_counter() - w1, time.process_time() - c1
        print(f"  on the same subset, sets 1-{n} ({sub_words} words): CollateX {cwall:.2f} s wall, {ccpu:.2f} s CPU;"
              f" quoteverify {owall:.2f} s wall, {ocpu:.2f} s CPU")
        worst: tuple[float, int] | None = None
        tb = to = tt = 0
        compared = []
        for k, (s, r, table) in enumerate(zip(subset, recons, tables)):
            shared = common_words(r, table, s)
            mine, theirs = comparable(our_pairs(r), shared), comparable(cx_pairs(table, s), shared)
            compared.append((mine, theirs))
            both, o, t = agreement(mine, theirs)
            tb, to, tt = tb + both, to + o, tt + t
            share = both / max(1, both + o + t)
            print(f"    set {k + 1}: {len(s)} witnesses, {words(s)} words: {share:.1%} of word pairs agree"
                  f" ({both} both, {o} quoteverify only, {t} CollateX only)")
            if worst is None or share < worst[0]:
                worst = (share, k)
        if subset:
            print(f"  overall: {tb / max(1, tb + to + tt):.1%} of word pairs agree ({tb} both, {to} quoteverify only, {tt} CollateX only)")
        if worst is not None:
            k = worst[1]
            sample = sample_disagreement(subset[k], recons[k], tables[k], *compared[k])
            if sample:
                print(f"  a place where they differ (set {k + 1}):")
                print(sample)
    print()

    # ---- document diff
    if not args.no_diff:
        def edition(year: str) -> str:
            return "\n\n".join(t for s in sets for wid, t in s if wid == year)

        a = document_from_text(edition("1859"), id="1859", role="source")
        b = document_from_text(edition("1872"), id="1872", role="source")
        col, wall, cpu = timed(collate, a, b)
        print(f"quoteverify diff, Darwin 1859 ({len(a.text.split())} words) against 1872 ({len(b.text.split())} words):"
              f" {wall:.2f} s wall, {cpu:.2f} s CPU; {len(col.variants)} variants,"
              f" {sum(1 for v in col.variants if v.moved)} moved passages, {len(col.layout)} paragraphing changes")
        # a 70,000-word pair: every set's editions in order, against the same with 1859 moved after 1872
        def chain(order: Sequence[str]) -> str:
            parts: list[str] = []
            for s in sets:
                d = dict(s)
                parts.extend(d[y] for y in order if y in d)
            return "\n\n".join(parts)

        big_a = document_from_text(chain(EDITIONS), id="all", role="source")
        big_b = document_from_text(chain(EDITIONS[1:] + EDITIONS[:1]), id="rotated", role="source")
        col, wall, cpu = timed(collate, big_a, big_b)
        print(f"quoteverify diff, all six editions ({len(big_a.text.split())} words) against the same with each"
              f" 1859 paragraph moved after its 1872 one: {wall:.2f} s wall, {cpu:.2f} s CPU;"
              f" {len(col.variants)} variants, {sum(1 for v in col.variants if v.moved)} moved passages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
