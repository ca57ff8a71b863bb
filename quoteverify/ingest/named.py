"""What the command line names: which inputs can hold what they are given for, and the fault of each that cannot.

A newsroom's CI fails a run on a file named on the command line that is
missing, unreadable, binary or not text, or that is not what its option
expects (a case file given as a source); these functions tell those files
apart from the members of a folder or a batch, whose faults are entries of
the report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from quoteverify.ingest.case import read_sources
from quoteverify.ingest.inputs import JSONL_SUFFIXES, STDIN, TEXT_SUFFIXES, iter_articles
from quoteverify.models import ArticleRef, SourceInfo


def readable_sources(
    paths: Sequence[str], speakers: Sequence[str], language: str = "en"
) -> tuple[tuple[SourceInfo, ...], list[str]]:
    """The sources that can be read, with the speaker of the same rank, and one fault per one that cannot (a case file is no source text)."""
    good, good_speakers, faults = [], [], []
    for number, path in enumerate(paths):
        if Path(path).suffix.lower() == ".toml":
            faults.append(f"{path}: a TOML file, not a source text (give a case directory as CASE_DIR, without --source)")
            continue
        good.append(path)
        good_speakers.append(speakers[number] if number < len(speakers) else "")
    return read_sources(good, good_speakers, language, faults), faults


def inputs_fit_for_articles(inputs: Sequence[str]) -> tuple[list[str], list[str]]:
    """The inputs that can hold articles, and a fault per one that cannot: a case or provenance file (TOML)."""
    fit, faults = [], []
    for given in inputs:
        if given != "-" and given.lower().endswith(".toml") and not os.path.isdir(given):
            faults.append(f"{given}: a TOML file, not an article (give a case directory as CASE_DIR, without --source)")
        else:
            fit.append(given)
    return fit, faults


def empty_inputs(inputs: Sequence[str]) -> list[str]:
    """A fault per folder or JSON Lines file given that holds no article."""
    faults = []
    for given in inputs:
        if given == "-" or not (os.path.isdir(given) or (given.lower().endswith(JSONL_SUFFIXES) and os.path.isfile(given))):
            continue
        if next(iter(iter_articles([given])), None) is None:
            if os.path.isdir(given):
                faults.append(f"{given}: no articles in the folder (no {', '.join(TEXT_SUFFIXES)} files)")
            else:
                faults.append(f"{given}: no articles (no JSON lines)")
    return faults


def named_inputs(inputs: Sequence[str]) -> Callable[[ArticleRef], bool]:
    """Whether an article was named on the command line (a file, or standard input holding one article).

    A member of a batch (a line of a JSON Lines file, a record of a WARC:
    each has its ``offset``) is not: one that cannot be read is skipped and
    counted, as in a folder.
    """
    named = {given for given in inputs if given != "-" and not os.path.isdir(given)}
    if "-" in inputs:
        named.add(STDIN)
    return lambda ref: ref.line is None and ref.offset is None and ref.path in named
