"""Compare quotations/s of this working tree with another revision, side by side, in one run.

The speed of a shared machine drifts (by up to 2x within minutes), so a
figure measured today cannot be set against one measured yesterday, nor even
against one measured ten minutes ago. This measures both sides in the same
run, interleaved, so that each pair of figures saw the same machine:

- side A is the working tree's ``quoteverify`` (uncommitted changes
  included), side B is ``quoteverify`` at revision ``--vs`` (extracted with
  ``git archive`` into a temporary folder);
- each measurement runs in a fresh child process that puts its side's folder
  first on ``sys.path``, loads one generated data set (``--size``, from
  ``benchmarks/generate.py``), loads the source index (built once per side
  beforehand, each side in its own cache folder), builds every quotation of
  the first ``--articles`` articles from the truth's offsets (extraction is
  not measured), and times ``verify_quotation`` (locate + align + classify)
  over all of them, once;
- the children run in pairs, one of each side, and the side that goes first
  alternates from pair to pair: A B, B A, A B, ... (``--passes`` pairs), so
  that neither side gains from its place in a pair (on a busy machine the
  first of two back-to-back processes was seen to run faster more often than
  not) and a steady drift of the machine's speed weighs on both alike.

Output: one line per pair: which side ran first, ``A q/s``, ``B q/s`` and
their ratio ``A/B`` (above 1: the working tree is faster). Then the median
of each column and the median of the pairs' ratios, the figure to quote: a
slow moment of the machine slows both members of a pair alike, so the ratio
of a pair drifts less than either figure. The spread line gives the lowest
and highest of each column and the width of that range against the median;
the spread of A/B says how far one pair can be trusted: when it is wide, a
small median difference means little, and more pairs (``--passes``) help.
Last, whether the two sides gave the same results: a SHA-256 digest of, for
every quotation, the located source and span, the verdict, and each
variant's kind, severity, source text and quote text; the exit status is 1
when the digests differ (between the sides, or between passes of one side).

With ``--e2e N`` (default 300; 0 skips it), the end-to-end command
``quoteverify check --jobs 1`` is also timed, each run in a fresh
interpreter, on a small generated case (``--e2e-size``, 100K of sources
by default, N articles; taken from ``--data`` when that size is there), in pairs as above, in articles/s (interpreter
start, index build, extraction and report included), with ``--pages
--e2e-pages`` (0 by default: no article pages). Its digests are not
compared: the report's format may differ between revisions.

Usage::

    python benchmarks/compare.py --vs REV [--data benchmarks/out] [--size 10M]
                                 [--passes 5] [--articles 2000] [--e2e 300]

The data of a size is made once with
``python benchmarks/generate.py --sizes 10M --articles 2000``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import json
import runpy
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sides import PACKAGE, check_origin, check_origin_at_exit, isolate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
E2E_SIZE = "100K"


# --------------------------------------------------------------------------- child: one measurement


def load(folder: Path, articles: int) -> tuple[list, list[tuple]]:
    """The source documents, and (quotation, article text) for every quotation of the first ``articles`` articles."""
    from quoteverify.ingest import read_document
    from quoteverify.models import Quotation, Segment

    docs = [read_document(p, id=p.stem, role="source") for p in sorted((folder / "sources").glob("*.txt"))]
    items = []
    with gzip.open(folder / "articles.jsonl.gz", "rt", encoding="utf-8") as fa, gzip.open(
        folder / "truth.jsonl.gz", "rt", encoding="utf-8"
    ) as ft:
        for n, (line_a, line_t) in enumerate(zip(fa, ft)):
            if n >= articles:
                break
            text = json.loads(line_a)["text"]
            for q in json.loads(line_t)["quotes"]:
                segs = tuple(Segment(k, s, e) for k, s, e in q["segments"])
                items.append((Quotation(q["text"], (tuple(q["span"]),), segs), text))
    return docs, items


def source_index(docs: list, cache: Path) -> tuple[Any, str]:
    """The index of ``docs``, loaded from ``cache`` when this side saved it there before, else built and saved."""
    from quoteverify import locate

    if hasattr(locate.SourceIndex, "cached"):
        return locate.SourceIndex.cached(docs, cache), "SourceIndex.cached"
    if hasattr(locate, "case_index"):
        return locate.case_index(docs, cache), "case_index"
    return locate.SourceIndex(docs), "SourceIndex"


def verifier() -> tuple[Callable[..., Any], str]:
    """``verify_quotation`` of this side's layout (``quoteverify.verify``, else ``quoteverify.pipeline``), and its module."""
    for name in ("quoteverify.verify", "quoteverify.pipeline"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue
        return module.verify_quotation, name
    raise SystemExit("neither quoteverify.verify nor quoteverify.pipeline has verify_quotation")


def _value(x: Any) -> Any:
    return getattr(x, "value", x)


def digest_line(result: Any) -> bytes:
    """What the digest covers of one result: location source and span, verdict, variants."""
    loc = result.location
    where = None if loc is None else [loc.source, list(loc.span)]
    variants = [[_value(v.kind), _value(v.severity), v.source_text, v.quote_text] for v in result.variants]
    return (json.dumps([where, _value(result.verdict), variants], ensure_ascii=False) + "\n").encode("utf-8")


def child(side: Path, folder: Path, cache: Path, articles: int, index_only: bool) -> dict:
    """One measurement in this process, with ``side``'s quoteverify."""
    isolate(side)
    docs, items = load(folder, articles)
    t = time.perf_counter()
    index, how = source_index(docs, cache)
    out = {"index_s": time.perf_counter() - t, "index": how, "origin": getattr(index, "origin", "built")}
    verify_quotation, module = verifier()
    out.update(quotations=len(items), verify=f"{module}.verify_quotation")
    check_origin(side)
    if index_only:
        return out
    verify_quotation(*items[0], index)  # warm caches
    digest = hashlib.sha256()
    clock = time.perf_counter
    spent = 0.0
    for q, text in items:
        t = clock()
        r = verify_quotation(q, text, index)
        spent += clock() - t
        digest.update(digest_line(r))  # reduced at once: held results would load the garbage collector
    out.update(seconds=spent, q_per_s=len(items) / spent, digest=digest.hexdigest())
    check_origin(side)
    return out


def run_check(side: Path, argv: list[str]) -> None:
    """``python -m quoteverify`` with ``argv``, quoteverify imported from ``side`` alone."""
    isolate(side)
    check_origin_at_exit(side)
    sys.argv = [PACKAGE, *argv]
    runpy.run_module(PACKAGE, run_name="__main__", alter_sys=True)


# --------------------------------------------------------------------------- parent


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


def extract(rev: str, dest: Path) -> None:
    """``git archive REV quoteverify | tar -x`` into ``dest``."""
    dest.mkdir(parents=True)
    archive = subprocess.Popen(["git", "-C", str(ROOT), "archive", rev, PACKAGE], stdout=subprocess.PIPE)
    untar = subprocess.run(["tar", "-x", "-C", str(dest)], stdin=archive.stdout, capture_output=True)
    assert archive.stdout is not None
    archive.stdout.close()
    if archive.wait() != 0 or untar.returncode != 0:
        raise SystemExit(f"could not extract {PACKAGE} of {rev}: {untar.stderr.decode().strip()}")


def run_child(side: Path, folder: Path, cache: Path, articles: int, index_only: bool = False) -> dict:
    """One measurement in a fresh process; its report (the last line of its output, JSON)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(side), "--folder", str(folder),
           "--cache", str(cache), "--articles", str(articles)]
    if index_only:
        cmd.append("--index-only")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cache.parent)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"measurement with {side} failed (exit status {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def describe(rev: str) -> tuple[str, str, str]:
    """(commit of ``rev``, its short hash and subject, short hash of HEAD with a note when quoteverify/ has changes)."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    subject = git("log", "-1", "--format=%h %s", commit)
    head = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--", PACKAGE):
        head += " + uncommitted changes"
    return commit, subject, head


def spread(values: list[float], fmt: str) -> str:
    """``lowest-highest (width of the range against the median)``."""
    lo, hi, mid = min(values), max(values), statistics.median(values)
    return f"{fmt.format(lo)}-{fmt.format(hi)} ({(hi - lo) / mid:.0%})"


def print_header(size: str, subject: str, head: str, prep: dict[str, dict]) -> None:
    a, b = prep["A"], prep["B"]
    print(f"verify_quotation, quotations/s: {size} of sources, {a['quotations']:,} quotations,"
          " one pass per process, in pairs A B, B A, ...")
    print(f"  A  working tree, {head}")
    print(f"       {a['verify']}, index by {a['index']}")
    print(f"  B  {subject if len(subject) <= 100 else subject[:99] + '…'}")
    print(f"       {b['verify']}, index by {b['index']}")
    print(f"  index {a['origin']} in {a['index_s']:.1f} s (A), {b['origin']} in {b['index_s']:.1f} s (B),"
          " each side in its own cache folder; the passes load it")
    if a["quotations"] != b["quotations"]:
        print(f"  the sides built a different number of quotations: {a['quotations']} (A), {b['quotations']} (B)")


def order(n: int) -> tuple[str, str]:
    """The sides in the order they run in pair ``n`` (from 1): A first in odd pairs, B first in even ones."""
    return ("A", "B") if n % 2 else ("B", "A")


def print_head(unit: str) -> None:
    print(f"  {'pass':>6} {'first':>5} {'A ' + unit:>12} {'B ' + unit:>12} {'A/B':>7}", flush=True)


def print_row(n: int, a: float, b: float) -> None:
    print(f"  {n:>6} {order(n)[0]:>5} {a:>12,.1f} {b:>12,.1f} {a / b:>7.3f}", flush=True)


def print_summary(pairs: list[tuple[float, float]]) -> None:
    """The medians and the spreads of the pairs."""
    col_a, col_b = [a for a, _ in pairs], [b for _, b in pairs]
    ratios = [a / b for a, b in pairs]
    print(f"  {'median':>6} {'':>5} {statistics.median(col_a):>12,.1f} {statistics.median(col_b):>12,.1f}"
          f" {statistics.median(ratios):>7.3f}   (A/B: median of the pairs' ratios)")
    print(f"  spread: A {spread(col_a, '{:,.0f}')}, B {spread(col_b, '{:,.0f}')}, A/B {spread(ratios, '{:.3f}')}")


def print_digests(runs: dict[str, list[dict]]) -> bool:
    """Whether every pass of both sides gave the same results; says so."""
    digests = {side: {r["digest"] for r in rs} for side, rs in runs.items()}
    for side, found in digests.items():
        if len(found) > 1:
            print(f"  results: side {side} gave {len(found)} different digests over its passes")
    same = len(digests["A"] | digests["B"]) == 1
    if same:
        print(f"  results: identical, sha256 {next(iter(digests['A']))}")
    elif all(len(d) == 1 for d in digests.values()):
        print(f"  results: DIFFER, sha256 {next(iter(digests['A']))} (A), {next(iter(digests['B']))} (B)")
    return same


# --------------------------------------------------------------------------- end to end


def e2e_case(tmp: Path, articles: int, size: str = E2E_SIZE, data: Path | None = None) -> Path:
    """A generated case at ``tmp/e2e``: the sources and first ``articles`` articles of ``data/size`` when it exists, else generated."""
    given = data / size if data is not None else None
    if given is not None and (given / "articles.jsonl.gz").is_file():
        case = tmp / "e2e"
        case.mkdir()
        shutil.copytree(given / "sources", case / "sources")  # a case's paths must stay inside its folder
        with gzip.open(given / "articles.jsonl.gz", "rt", encoding="utf-8") as f, gzip.open(
            case / "articles.jsonl.gz", "wt", encoding="utf-8"
        ) as out:
            for n, line in enumerate(f):
                if n >= articles:
                    break
                out.write(line)
        return case
    cmd = [sys.executable, str(HERE / "generate.py"), "--out", str(tmp), "--sizes", size,
           "--articles", str(articles), "--name", "e2e"]
    subprocess.run(cmd, check=True, capture_output=True)
    return tmp / "e2e"


def e2e_once(side: Path, case: Path, work: Path, articles: int, pages: int = 0) -> float:
    """Articles/s of ``python -m quoteverify check --jobs 1`` with ``side``'s quoteverify, from start to exit."""
    sources = sorted((case / "sources").glob("*.txt"))
    out = work / "reports"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--run-check", str(side), "check",
           *[a for s in sources for a in ("--source", str(s))],
           str(case / "articles.jsonl.gz"), "--out", str(out), "--jobs", "1", "--pages", str(pages)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):  # 1: some quotation altered
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"quoteverify check with {side} failed (exit status {proc.returncode})")
    return articles / elapsed


def end_to_end(
    sides: dict[str, Path], tmp: Path, articles: int, passes: int, size: str = E2E_SIZE, pages: int = 0, data: Path | None = None
) -> None:
    case = e2e_case(tmp, articles, size, data)
    works = {}
    for name in sides:
        works[name] = tmp / f"e2e-{name}"
        works[name].mkdir()
    print()
    print(f"end to end, articles/s: quoteverify check --jobs 1 --pages {pages}, {size} of sources, {articles} articles,"
          " interpreter start included")
    print_head("art/s")
    pairs = []
    for n in range(1, passes + 1):
        speed = {s: e2e_once(sides[s], case, works[s], articles, pages) for s in order(n)}
        a, b = speed["A"], speed["B"]
        pairs.append((a, b))
        print_row(n, a, b)
    print_summary(pairs)


# --------------------------------------------------------------------------- main


def compare(args: argparse.Namespace) -> int:
    folder = args.data / args.size
    if not (folder / "articles.jsonl.gz").is_file():
        print(f"no data in {folder}: make it with\n"
              f"  python benchmarks/generate.py --out {args.data} --sizes {args.size} --articles {args.articles}",
              file=sys.stderr)
        return 2
    commit, subject, head = describe(args.vs)
    with tempfile.TemporaryDirectory(prefix="qv-compare-") as name:
        tmp = Path(name)
        sides = {"A": ROOT, "B": tmp / "rev"}
        extract(commit, sides["B"])
        caches = {s: tmp / f"index-{s}" for s in sides}
        prep = {s: run_child(sides[s], folder, caches[s], args.articles, index_only=True) for s in sides}
        print_header(args.size, subject, head, prep)
        runs: dict[str, list[dict]] = {"A": [], "B": []}
        print_head("q/s")
        for n in range(1, args.passes + 1):
            for s in order(n):
                runs[s].append(run_child(sides[s], folder, caches[s], args.articles))
            print_row(n, runs["A"][-1]["q_per_s"], runs["B"][-1]["q_per_s"])
        print_summary([(a["q_per_s"], b["q_per_s"]) for a, b in zip(runs["A"], runs["B"])])
        same = print_digests(runs)
        if args.e2e:
            end_to_end(sides, tmp, args.e2e, args.passes, args.e2e_size, args.e2e_pages, args.data)
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run-check"]:
        run_check(Path(argv[1]), argv[2:])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vs", help="the revision to compare the working tree with (any git revision)")
    ap.add_argument("--data", type=Path, default=HERE / "out", help="folder of the generated data")
    ap.add_argument("--size", default="10M", help="data set: the folder name under --data (default 10M)")
    ap.add_argument("--passes", type=int, default=5, help="A B pairs of measurements (default 5)")
    ap.add_argument("--articles", type=int, default=2000, help="quotations of the first N articles (default 2000)")
    ap.add_argument("--e2e", type=int, default=300, metavar="N",
                    help="also time the check command on N generated articles (default 300; 0: skip)")
    ap.add_argument("--e2e-size", default=E2E_SIZE, help=f"sources of the end-to-end case (default {E2E_SIZE})")
    ap.add_argument("--e2e-pages", type=int, default=0, metavar="N", help="--pages of the end-to-end runs (default 0)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--index-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.folder, args.cache, args.articles, args.index_only)))
        return 0
    if not args.vs:
        ap.error("--vs REV is required")
    if args.passes < 1:
        ap.error("--passes must be at least 1")
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
