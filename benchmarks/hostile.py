"""Time quoteverify on hostile inputs: runs of quote marks, megabyte lines, marks never closed.

Prints the CPU time of extraction and of the whole check of one article for
each input (the tests only check the results: they are no stopwatch).

Usage::

    python benchmarks/hostile.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quoteverify.extract import extract_quotations  # noqa: E402
from quoteverify.ingest import document_from_text
from quoteverify.locate import SourceIndex
from quoteverify.verify import check_article


def inputs() -> dict[str, str]:
    rng = random.Random(7)
    marks = ['"', "'", "\u2019", "\u201c", "\u201d", "[", "]", "...", ". ", ", ", ": "]
    prose = ["word ", "said ", "don't ", "forces' ", "the ", "letter ", "reporters "]
    return {
        "10,000 apostrophes": "a' " * 10_000,
        "10,000 reopening lines": '"x\n' * 10_000,
        "10,000 closed quotations": 'He said "x y," the mayor told reporters. ' * 10_000,
        "10,000 bare marks": '"' * 10_000,
        "20,000 curly marks in runs": "\u201c" * 10_000 + "\u201d" * 10_000,
        "a megabyte line, no marks": "said the letter " * 70_000,
        "a megabyte line of cuts": '"' + "[ . . . " * 130_000 + '"',
        "a megabyte, one mark never closed": 'x "' + "a" * 1_000_000,
        "a megabyte line of mixed marks": "".join(rng.choice(marks if rng.random() < 0.12 else prose) for _ in range(180_000)),
    }


def main() -> None:
    source = document_from_text("We will open the bridge to traffic on Monday morning after the inspection.\n", id="s", role="source")
    index = SourceIndex([source])
    print(f"{'input':38} {'chars':>9} {'quotations':>10} {'extract s':>10} {'check s':>8}")
    for name, text in inputs().items():
        doc = document_from_text(text, id="hostile")
        t = time.process_time()
        quotes = extract_quotations(doc)
        extract_s = time.process_time() - t
        t = time.process_time()
        check_article(doc, index)
        check_s = time.process_time() - t
        print(f"{name:38} {len(text):>9,} {len(quotes):>10,} {extract_s:>10.2f} {check_s:>8.2f}")


if __name__ == "__main__":
    main()
