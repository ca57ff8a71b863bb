"""Time quoteverify on hostile inputs, and measure the memory each takes.

Each case runs in a process of its own, so that its peak memory (the
resident set's high-water mark) is its own. Prints the wall time and peak
memory of each, and flags any over the bounds (10 s, 500 MB).

Cases: runs of quote marks, megabyte lines and marks never closed (the
extractor); a page of one element of 500,000 attributes and one of
400,000 attributes in all (the HTML extractor); the report of one article
with 8,000 quotations, and of one with 4,000 skipped spans; a small gzip of
a gigabyte of blank lines; a named pipe given as an article; JSON Lines
with lone surrogate escapes.

Usage::

    python benchmarks/hostile.py            # every case
    python benchmarks/hostile.py NAME...    # the cases whose name holds NAME
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECONDS, MEGABYTES = 10.0, 500

SOURCE = "We will open the bridge to traffic on Monday morning after the inspection.\n"


def _check_text(text: str) -> str:
    from quoteverify.extract import extract_quotations
    from quoteverify.ingest import document_from_text
    from quoteverify.locate import SourceIndex
    from quoteverify.verify import check_article

    doc = document_from_text(text, id="hostile")
    quotes = extract_quotations(doc)
    source = document_from_text(SOURCE, id="s", role="source")
    check_article(doc, SourceIndex([source]))
    return f"{len(quotes):,} quotations"


def _marks() -> str:
    rng = random.Random(7)
    marks = ['"', "'", "\u2019", "\u201c", "\u201d", "[", "]", "...", ". ", ", ", ": "]
    prose = ["word ", "said ", "don't ", "forces' ", "the ", "letter ", "reporters "]
    return "".join(rng.choice(marks if rng.random() < 0.12 else prose) for _ in range(180_000))


def _read(path: Path) -> str:
    from quoteverify.errors import InputError
    from quoteverify.ingest import iter_articles, read_article

    outcomes = []
    for ref in iter_articles([str(path)]):
        try:
            doc = read_article(ref)
            outcomes.append(f"read ({'; '.join(doc.warnings) or 'no warning'})")
        except InputError as e:
            outcomes.append(f"refused: {e.fault}")
    return ", ".join(dict.fromkeys(outcomes))


def _html_file(folder: Path, per_element: int, elements: int) -> Path:
    attrs = " ".join(f'a{i}="v{i}"' for i in range(per_element))
    body = f"<div {attrs}>x</div>" * elements
    page = f'<html><body>{body}<p>The mayor said "We will open the bridge to traffic" today.</p></body></html>'
    path = folder / "page.html"
    path.write_text(page, encoding="utf-8")
    return path


def _report(quotes: int, skipped: int) -> str:
    from quoteverify.ingest import document_from_text
    from quoteverify.locate import SourceIndex
    from quoteverify.models import CheckResult, SourceInfo
    from quoteverify.render.html import render_report
    from quoteverify.verify import check_article

    parts = [f'Reporter {n} said "We will open the bridge to traffic on Monday morning" today.' for n in range(quotes)]
    parts += ["Advertisement\n\nRead more: the bridge" for n in range(skipped)]
    doc = document_from_text("\n\n".join(parts) + "\n", id="article")
    source = document_from_text(SOURCE, id="s", role="source")
    t = time.monotonic()
    result = check_article(doc, SourceIndex([source]))
    checked = time.monotonic() - t
    t = time.monotonic()
    files = render_report(CheckResult("hostile", "hostile", (SourceInfo(source),), (result,)))
    rendered = time.monotonic() - t
    return (
        f"{len(result.quotes):,} quotations, {len(doc.skipped):,} skipped spans: checked in {checked:.1f} s,"
        f" {sum(map(len, files.values())) / 2**20:.1f} MB of report in {rendered:.1f} s"
    )


def _blank_gzip(folder: Path) -> Path:
    path = folder / "blank.jsonl.gz"
    head = gzip.compress(b'{"id": "a", "text": "The mayor said \\"We will open the bridge\\" today."}\n')
    block = gzip.compress(b"\n" * 2**24, compresslevel=9)
    # gzip members one after the other are one stream: a gigabyte of newlines, a megabyte on disk
    path.write_bytes(head + block * 64)
    return path


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.txt"
    os.mkfifo(path)
    return path


def _surrogates(folder: Path) -> Path:
    path = folder / "lone.jsonl"
    line = {"id": 7, "text": "He said \u201cthe bridge \u2014 on Monday\u201d " + "\\ud83d" * 3}
    path.write_text(json.dumps(line, ensure_ascii=False).replace("\\\\ud83d", "\\ud83d") + "\n", encoding="utf-8")
    return path


def cases() -> dict[str, Callable[[Path], str]]:
    return {
        "10,000 apostrophes": lambda _: _check_text("a' " * 10_000),
        "10,000 reopening lines": lambda _: _check_text('"x\n' * 10_000),
        "10,000 closed quotations": lambda _: _check_text('He said "x y," the mayor told reporters. ' * 10_000),
        "20,000 curly marks in runs": lambda _: _check_text("\u201c" * 10_000 + "\u201d" * 10_000),
        "a megabyte line of cuts": lambda _: _check_text('"' + "[ . . . " * 130_000 + '"'),
        "a megabyte, one mark never closed": lambda _: _check_text('x "' + "a" * 1_000_000),
        "a megabyte line of mixed marks": lambda _: _check_text(_marks()),
        "html: one element, 500,000 attributes": lambda d: "",
        "html: 4,000 elements of 100 attributes": lambda d: "",
        "report: 8,000 quotations": lambda _: _report(8_000, 0),
        "report: 4,000 skipped spans": lambda _: _report(50, 4_000),
        "jsonl.gz: a gigabyte of blank lines": lambda d: "",
        "a named pipe as an article": lambda d: "",
        "jsonl: lone surrogate escapes": lambda d: "",
    }


#: what a case needs made before it is timed (files on disk)
SETUP: dict[str, Callable[[Path], Path]] = {
    "html: one element, 500,000 attributes": lambda d: _html_file(d, 500_000, 1),
    "html: 4,000 elements of 100 attributes": lambda d: _html_file(d, 100, 4_000),
    "jsonl.gz: a gigabyte of blank lines": _blank_gzip,
    "a named pipe as an article": _fifo,
    "jsonl: lone surrogate escapes": _surrogates,
}


def run_case(name: str) -> None:
    """Run one case and print its outcome, then the seconds it took (its files made beforehand)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if name in SETUP:
            path = SETUP[name](folder)
            t = time.monotonic()
            outcome = _read(path)
        else:
            t = time.monotonic()
            outcome = cases()[name](folder)
        print(outcome)
        print(f"{time.monotonic() - t:.3f}")


def main(wanted: list[str]) -> int:
    names = [n for n in cases() if not wanted or any(w in n for w in wanted)]
    print(f"{'case':42} {'seconds':>8} {'peak MB':>8}  outcome")
    over = 0
    for name in names:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--case", name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert proc.stdout is not None
        out = proc.stdout.read().strip().splitlines()
        _, status, usage = os.wait4(proc.pid, 0)
        peak = usage.ru_maxrss / 1024  # kilobytes on Linux
        failed = os.waitstatus_to_exitcode(status) != 0 or len(out) < 2
        outcome = out[-1] if failed and out else (out[-2] if not failed else "")
        seconds = float(out[-1]) if not failed else float("nan")
        if failed:
            outcome = f"FAILED: {outcome}"
        flag = "  OVER" if seconds > SECONDS or peak > MEGABYTES else ""
        over += bool(flag) or outcome.startswith("FAILED")
        print(f"{name:42} {seconds:8.2f} {peak:8.0f}  {outcome[:90]}{flag}")
    return 1 if over else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        resource.setrlimit(resource.RLIMIT_CPU, (120, 120))
        run_case(sys.argv[2])
    else:
        sys.exit(main(sys.argv[1:]))
