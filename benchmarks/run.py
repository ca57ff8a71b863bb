"""Measure quoteverify on generated archives, and time its peers on the same data.

For each archive size (data from ``benchmarks/generate.py``), in a fresh
process so that its peak memory is its own, this prints:

- the index: build time, size, load time of the saved index;
- quotations/s through locate + align + classify (``verify_quotation``),
  over every quotation of the truth (built from the truth's offsets, so
  extraction is not measured here), overall and by edit rate (the fastest
  of ``PASSES`` passes, each pass's figure beside it), and through locate
  alone;
- recall of locate (the right source, a span overlapping the true passage)
  by edit rate, precision, and how many fabricated quotations were located;
- accuracy of the variant kinds (the multiset of kinds equals the edits
  made) and of the verdicts;
- attribution, over the articles of the first ``ATTRIBUTION_ARTICLES``
  (the whole check of each: extract, credit, locate): how many planted
  misattributions come back ``misattributed``, how many quotations credited
  to their own speaker are wrongly judged so, and how many fabricated
  quotations get the right reason (``not-found`` when credited to a
  source's speaker, ``other-speaker`` otherwise);
- for the quotations given an edit of meaning (a negation cut by an
  ellipsis, a number changed), how often a variant of that kind comes back
  with that meaning tag, and how often the verdict (altered) is right;
- articles/s and quotations/s end to end (read, extract, locate, align,
  classify, cover) on one core, over 2,000 articles, and
  ``--jobs 2`` against ``--jobs 1`` on 10,000 articles of the ``--jobs-data``
  set (100K by default: generate it with ``--articles 10000``), run back to
  back ``JOBS_PASSES`` times, the median pair's ratio reported, with each
  run's wall time and the CPU time of the main process and of the workers
  (the same work in every run: a slower run was slowed by the rest of the
  machine);
- peak RSS;
- the peers, each on a small sample of quotations (they search the sources
  by brute force and are slow): edlib (infix edit distance), rapidfuzz
  (``partial_ratio_alignment``), diff-match-patch ``match_main`` (first 32
  characters: its limit), the ``regex`` module's fuzzy matching (first 60
  characters, errors up to 20 %, 1 s limit per search), and difflib
  (``SequenceMatcher`` over words); time per quotation, recall on the
  sample, and the ratio to quoteverify's locate. Each peer gets 60 s per
  archive (at least one quotation); a search that runs past 120 s is
  stopped and counted as a miss.

``--e2e`` instead (with ``--sizes``, default 10M here) measures what a user
runs: ``quoteverify check CASE --jobs 1`` on a case directory made of the
generated data (``generate.py --case``, 2,000 articles as files), reports
included, in a fresh process, twice: with the default pages and with
``--pages 0``. The process is the user's (``e2e_child.py``: the command
called as its installed script calls it, nothing else imported before it)
with one wrapper added, which sums the time spent in the engine. Each row: wall time, quotations/s, the peak memory of the
process tree, the size of index.html and of the largest article page, and
the engine's own share (the time inside ``verify_quotation``: locate, align,
classify) measured in the same run. Then WARC against HTML files: the same
generated articles as news pages, given once as ``.html`` files and once as
one ``.warc.gz`` (one gzip member per record), each checked end to end in
articles/s, and the results of this tree's first run of each compared
article by article. With ``--vs REV``, every run is made with this tree and with
revision REV alike, alternating (``--passes`` runs per side, 3 by default),
and each figure is printed as the median of its side's runs, side by side.

``--stream N`` instead runs ``quoteverify check`` on N generated articles
(JSON Lines, gzip) against 100 KB of sources with a progress bar on a
pseudo-terminal, and prints the memory of the whole process tree as it goes.

Usage::

    python benchmarks/run.py [--data benchmarks/out] [--sizes 100K,1M,10M]
    python benchmarks/run.py --e2e [--sizes 10M] [--data benchmarks/out] [--vs REV] [--passes 3]
    python benchmarks/run.py --stream 100000
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PEER_SAMPLE = {"edlib": 20, "rapidfuzz": 5, "difflib": 5, "dmp match_main": 3, "regex fuzzy": 2}
#: seconds each peer may take on one archive (a search past twice that is stopped and counted as a miss)
PEER_BUDGET = 60
JOBS_ARTICLES = 10_000
#: ``--jobs 1`` and ``--jobs 2`` are run back to back this many times; the
#: median of the pairs' ratios is reported (the speed of a shared machine
#: drifts between pairs more than within one), every run's figure and CPU
#: time beside it
JOBS_PASSES = 3
#: quotations measured: those of the first this many articles
QUOTE_ARTICLES = 2_000
#: locate + align + classify is timed over the sample this many times; the
#: fastest pass is reported (the others were slowed by the rest of the
#: machine: the same work, the same results), with every pass's figure
PASSES = 5
#: attribution is scored over the quotations of the first this many articles
ATTRIBUTION_ARTICLES = 500
ACCEPTABLE = {"elision", "interpolation"}
MINOR = {"spelling", "punctuation", "case"}


# --------------------------------------------------------------------------- data


def load(folder: Path) -> tuple[list, list[dict], list[dict]]:
    from quoteverify.ingest import load_case

    # the case names each source's speaker
    docs = sorted((s.document for s in load_case(folder).sources), key=lambda d: d.id)
    with gzip.open(folder / "articles.jsonl.gz", "rt", encoding="utf-8") as f:
        articles = [json.loads(line) for line in f]
    with gzip.open(folder / "truth.jsonl.gz", "rt", encoding="utf-8") as f:
        truth = [json.loads(line) for line in f]
    return docs, articles, truth


def quotations(articles: list[dict], truth: list[dict]) -> list[tuple]:
    from quoteverify.models import Quotation, Segment

    out = []
    for a, t in zip(articles, truth):
        for q in t["quotes"]:
            segs = tuple(Segment(k, s, e) for k, s, e in q["segments"])
            out.append((Quotation(q["text"], (tuple(q["span"]),), segs), a["text"], q))
    return out


def correct(location, q: dict) -> bool:
    """Located in the right source, on a span overlapping at least half of the shorter of the two."""
    if location is None or q["source"] is None or location.source != q["source"]:
        return False
    (a, b), (s, e) = location.span, q["source_span"]
    return min(b, e) - max(a, s) >= 0.5 * min(b - a, e - s)


def expected_verdict(edits: list[str], meaning: list[list[str]] | None = None) -> str:
    """The verdict a careful reader gives the edits; an ellipsis that cuts a negation alters the quotation."""
    if not edits:
        return "verbatim"
    if meaning or not all(k in ACCEPTABLE | MINOR for k in edits):
        return "altered"
    return "faithful"


@dataclass(frozen=True)
class Scored:
    """What the scores need of one quotation's result."""

    location: object
    kinds: Counter[str]
    verdict: str
    #: (kind, tag) of every meaning tag of its variants
    meaning: frozenset[tuple[str, str]] = frozenset()


def rate_label(rate: float) -> str:
    return f"{round(rate * 100)}%"


# --------------------------------------------------------------------------- one size


def measure(folder: Path, peers: bool, jobs: bool) -> dict:
    from quoteverify.locate import SourceIndex, locate
    from quoteverify.normalize import quotation_fragments
    from quoteverify.verify import verify_quotation

    out: dict = {"size": folder.name}
    docs, articles, truth = load(folder)
    out["sources"] = len(docs)
    out["source_mb"] = round(sum(len(d.text.encode()) for d in docs) / 1e6, 2)

    t = time.perf_counter()
    index = SourceIndex(docs)
    out["index_build_s"] = round(time.perf_counter() - t, 2)
    out["index_mb"] = round(index.nbytes / 1e6, 1)
    out["vocabulary"] = index.vocabulary_size
    with tempfile.TemporaryDirectory() as tmp:
        SourceIndex.cached(docs, tmp)
        t = time.perf_counter()
        again = SourceIndex.cached(docs, tmp)
        out["index_load_s"] = round(time.perf_counter() - t, 2)
        assert again.origin == "loaded"

    items = quotations(articles[:QUOTE_ARTICLES], truth[:QUOTE_ARTICLES])
    out["quotations"] = len(items)
    verify_quotation(*items[0][:2], index)  # warm caches
    # each result is reduced at once to what is scored (as a run streams its
    # results): holding every token of thousands of results would make the
    # garbage collector's work, not quoteverify's, grow with the sample
    results: list[Scored] = []
    passes: list[tuple[float, dict[str, float]]] = []
    counts: Counter[str] = Counter()
    clock = time.perf_counter
    for n in range(PASSES):
        by_rate: dict[str, float] = {}
        for q, text, tq in items:
            t = clock()
            r = verify_quotation(q, text, index)
            spent = clock() - t
            label = "fabricated" if tq["fabricated"] else rate_label(tq["rate"])
            by_rate[label] = by_rate.get(label, 0.0) + spent
            if n == 0:
                tags = frozenset((v.kind.value, m) for v in r.variants for m in v.meaning)
                results.append(Scored(r.location, Counter(v.kind.value for v in r.variants), r.verdict.value, tags))
                counts[label] += 1
        passes.append((sum(by_rate.values()), by_rate))
    elapsed, by_rate = min(passes, key=lambda p: p[0])
    out["verify_q_per_s"] = round(len(items) / elapsed)
    out["verify_passes_q_per_s"] = [round(len(items) / p[0]) for p in passes]
    order = sorted(by_rate, key=lambda k: float(k[:-1]) if k.endswith("%") else 99.0)
    out["verify_q_per_s_by_rate"] = {k: round(counts[k] / by_rate[k]) for k in order}
    frags = [quotation_fragments(text, q.segments) for q, text, _ in items]
    spent = []
    for _ in range(PASSES):
        t = time.perf_counter()
        for (q, _, _), f in zip(items, frags):
            locate(q, f, index)
        spent.append(time.perf_counter() - t)
    locate_s = min(spent) / len(items)
    out["locate_q_per_s"] = round(1 / locate_s)

    real = [(r, tq) for r, (_, _, tq) in zip(results, items) if not tq["fabricated"]]
    fabricated = [(r, tq) for r, (_, _, tq) in zip(results, items) if tq["fabricated"]]
    recall: dict[str, list[bool]] = {}
    for r, tq in real:
        recall.setdefault(rate_label(tq["rate"]), []).append(correct(r.location, tq))
    hits = sum(sum(v) for v in recall.values())
    out["recall"] = round(hits / len(real), 4)
    out["recall_by_rate"] = {k: round(sum(v) / len(v), 4) for k, v in sorted(recall.items(), key=lambda kv: float(kv[0][:-1]))}
    located = sum(1 for r, _ in real if r.location is not None) + sum(1 for r, _ in fabricated if r.location is not None)
    out["precision"] = round(hits / located, 4) if located else 1.0
    out["fabricated"] = len(fabricated)
    out["fabricated_located"] = sum(1 for r, _ in fabricated if r.location is not None)
    kinds_ok = verdict_ok = n = 0
    per_kind: dict[str, list[int]] = {}
    for r, tq in real:
        if not correct(r.location, tq):
            continue
        n += 1
        got = r.kinds
        want = Counter(tq["edits"])
        kinds_ok += got == want
        verdict_ok += r.verdict == expected_verdict(tq["edits"], tq.get("meaning"))
        for kind in want:
            per_kind.setdefault(kind, [0, 0])
            per_kind[kind][0] += min(got[kind], want[kind])
            per_kind[kind][1] += want[kind]
    out["kinds_exact"] = round(kinds_ok / n, 4)
    out["verdicts_right"] = round(verdict_ok / n, 4)
    out["kind_recall"] = {k: round(a / b, 3) for k, (a, b) in sorted(per_kind.items())}
    out.update(meaning_scores(real))

    out.update(attribution(index, articles[:ATTRIBUTION_ARTICLES], truth[:ATTRIBUTION_ARTICLES]))
    out.update(end_to_end(folder, index, min(len(articles), QUOTE_ARTICLES), jobs=1))
    if jobs and len(articles) >= JOBS_ARTICLES:
        runs: dict[int, list[dict]] = {1: [], 2: []}
        for _ in range(JOBS_PASSES):
            for jobs_n in (1, 2):
                runs[jobs_n].append(end_to_end(folder, index, JOBS_ARTICLES, jobs=jobs_n))
        ratios = [b["articles_per_s"] / a["articles_per_s"] for a, b in zip(runs[1], runs[2])]
        middle = sorted(range(len(ratios)), key=lambda k: ratios[k])[len(ratios) // 2]
        out["jobs_articles"] = JOBS_ARTICLES
        out["jobs1_articles_per_s"] = runs[1][middle]["articles_per_s"]
        out["jobs2_articles_per_s"] = runs[2][middle]["articles_per_s"]
        out["jobs2_speedup"] = round(ratios[middle], 2)
        out["jobs2_pair_speedups"] = [round(x, 2) for x in ratios]
        out["jobs_runs"] = {
            str(j): [{k: r[k] for k in ("articles_per_s", "wall_s", "cpu_main_s", "cpu_workers_s")} for r in runs[j]]
            for j in (1, 2)
        }
    if peers:
        out["peers"] = run_peers(docs, items, locate_s)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def meaning_scores(real: list[tuple[Scored, dict]]) -> dict:
    """How often planted edits of meaning come back: the variant's kind with its tag, and the verdict, by tag.

    Counted over the quotations located in the right place (as the kinds
    are): a quotation not found is a miss of locate, scored above.
    """
    tags: dict[str, list[int]] = {}
    verdicts: dict[str, list[int]] = {}
    for r, tq in real:
        for kind, tag in tq.get("meaning") or ():
            if not correct(r.location, tq):
                continue
            t = tags.setdefault(tag, [0, 0])
            t[0] += (kind, tag) in r.meaning
            t[1] += 1
            v = verdicts.setdefault(tag, [0, 0])
            v[0] += r.verdict == "altered"
            v[1] += 1
    return {
        "meaning_planted": {k: n for k, (_, n) in sorted(tags.items())},
        "meaning_tags_right": {k: round(a / n, 4) for k, (a, n) in sorted(tags.items())},
        "meaning_verdicts_right": {k: round(a / n, 4) for k, (a, n) in sorted(verdicts.items())},
    }


def _cpu(who: int) -> float:
    """CPU seconds (user and system) used so far by this process, or by its finished children."""
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime


def attribution(index, articles: list[dict], truth: list[dict]) -> dict:
    """How often the attribution verdicts come back right, over whole articles (extract, credit, locate)."""
    from quoteverify.ingest.document import document_from_text
    from quoteverify.verify import check_article

    planted = [0, 0]  # misattributions planted, judged misattributed
    own = [0, 0]  # located quotations credited to their own speaker, wrongly judged misattributed
    reasons = [0, 0]  # fabricated quotations, with the right reason
    for a, t in zip(articles, truth):
        doc = document_from_text(a["text"], id=a["id"], date=a["date"])
        got = {q.quotation.spans[0][0]: q for q in check_article(doc, index).quotes}
        for tq in t["quotes"]:
            q = got.get(tq["span"][0])
            if q is None:
                continue
            if tq["fabricated"]:
                speaks = any(d.speaker == tq["speaker"] for d in index.documents)
                reasons[0] += 1
                reasons[1] += q.reason == ("not-found" if speaks else "other-speaker")
            elif tq["misattributed"]:
                planted[0] += 1
                planted[1] += q.verdict.value == "misattributed"
            elif q.location is not None and correct(q.location, tq):
                own[0] += 1
                own[1] += q.verdict.value == "misattributed"
    return {
        "misattributions_planted": planted[0],
        "misattributed_right": round(planted[1] / planted[0], 4) if planted[0] else None,
        "misattributed_false": round(own[1] / own[0], 4) if own[0] else None,
        "unverified_reason_right": round(reasons[1] / reasons[0], 4) if reasons[0] else None,
    }


def end_to_end(folder: Path, index, n: int, jobs: int) -> dict:
    """Articles/s through the whole check (read, extract, locate, align, classify, cover), results streamed."""
    import itertools

    from quoteverify.ingest import iter_articles
    from quoteverify.models import SourceInfo
    from quoteverify.run.stream import check_stream

    refs = itertools.islice(iter_articles([str(folder / "articles.jsonl.gz")]), n)
    infos = [SourceInfo(d) for d in index.documents]
    main0, workers0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        res = check_stream(infos, refs, case_id="bench", results=Path(tmp) / "results.jsonl", jobs=jobs, pages=0, index=index)
        elapsed = time.perf_counter() - t
    return {
        "e2e_articles": res.total.articles,
        "articles_per_s": round(res.total.articles / elapsed, 1),
        "wall_s": round(elapsed, 1),
        "cpu_main_s": round(_cpu(resource.RUSAGE_SELF) - main0, 1),
        "cpu_workers_s": round(_cpu(resource.RUSAGE_CHILDREN) - workers0, 1),
        "e2e_quotations_per_s": round(res.total.quotes / elapsed),
        "extracted_quotations": res.total.quotes,
    }


# --------------------------------------------------------------------------- peers


class _OutOfTime(Exception):
    pass


def run_peers(docs: list, items: list[tuple], locate_s: float) -> dict:
    """Time each peer on up to its sample of real quotations, within PEER_BUDGET seconds (at least one quotation)."""
    real = [it for it in items if not it[2]["fabricated"]]
    step = max(1, len(real) // 50)
    sample = real[::step]
    found = {}
    for name, n in PEER_SAMPLE.items():
        fn = PEERS[name]
        try:
            fn(docs[:1], sample[0][2], time.monotonic() + 5)  # import and warm up outside the timing
        except ImportError as e:
            found[name] = {"skipped": f"not installed ({e.name})"}
            continue
        except _OutOfTime:
            pass
        t = time.perf_counter()
        right = done = stopped = 0
        budget_end = time.monotonic() + PEER_BUDGET
        for _, _, tq in sample[:n]:
            try:
                right += fn(docs, tq, budget_end + PEER_BUDGET)
            except _OutOfTime:
                stopped += 1
            done += 1
            if time.monotonic() > budget_end:
                break
        per = (time.perf_counter() - t) / done
        found[name] = {"sample": done, "ms_per_quotation": round(per * 1000, 1), "recall": round(right / done, 2),
                       "times_slower": round(per / locate_s), "stopped": stopped}
    return found


def _hit(docs: list, tq: dict, doc_no: int, start: int, end: int) -> bool:
    if doc_no < 0 or docs[doc_no].id != tq["source"]:
        return False
    s, e = tq["source_span"]
    return min(end, e) - max(start, s) > 0


def _until(docs: list, deadline: float):
    for d in docs:
        if time.monotonic() > deadline:
            raise _OutOfTime
        yield d


def peer_edlib(docs: list, tq: dict, deadline: float) -> bool:
    import edlib

    best = (10**9, -1, 0, 0)
    for i, d in enumerate(_until(docs, deadline)):
        r = edlib.align(tq["text"], d.text, mode="HW", task="locations", k=best[0] if best[1] >= 0 else -1)
        if r["editDistance"] >= 0 and r["editDistance"] < best[0]:
            a, b = r["locations"][0]
            best = (r["editDistance"], i, a, b + 1)
    return _hit(docs, tq, *best[1:])


def peer_rapidfuzz(docs: list, tq: dict, deadline: float) -> bool:
    from rapidfuzz import fuzz

    best = (-1.0, -1, 0, 0)
    for i, d in enumerate(_until(docs, deadline)):
        r = fuzz.partial_ratio_alignment(tq["text"], d.text, score_cutoff=best[0] if best[0] > 0 else 0)
        if r is not None and r.score > best[0]:
            best = (r.score, i, r.dest_start, r.dest_end)
    return _hit(docs, tq, *best[1:])


def peer_dmp(docs: list, tq: dict, deadline: float) -> bool:
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Match_Distance = 100_000
    pattern = tq["text"][: dmp.Match_MaxBits]
    for i, d in enumerate(_until(docs, deadline)):
        at = dmp.match_main(d.text, pattern, 0)
        if at >= 0:
            return _hit(docs, tq, i, at, at + len(pattern))
    return False


def peer_regex(docs: list, tq: dict, deadline: float) -> bool:
    import regex

    head = tq["text"][:60]
    pattern = regex.compile(f"(?:{regex.escape(head)}){{e<={max(1, len(head) // 5)}}}", regex.BESTMATCH)
    for i, d in enumerate(_until(docs, deadline)):
        try:
            m = pattern.search(d.text, timeout=1.0)
        except TimeoutError:
            continue
        if m:
            return _hit(docs, tq, i, m.start(), m.end())
    return False


def peer_difflib(docs: list, tq: dict, deadline: float) -> bool:
    import difflib
    import re

    words = re.findall(r"\w+", tq["text"].lower())
    best = (0, -1, 0, 0)
    for i, d in enumerate(_until(docs, deadline)):
        spans = [(m.start(), m.end()) for m in re.finditer(r"\w+", d.text)]
        dw = [d.text[a:b].lower() for a, b in spans]
        sm = difflib.SequenceMatcher(None, dw, words, autojunk=False)
        blocks = [b for b in sm.get_matching_blocks() if b.size]
        score = sum(b.size for b in blocks)
        if blocks and score > best[0]:
            best = (score, i, spans[blocks[0].a][0], spans[blocks[-1].a + blocks[-1].size - 1][1])
    return _hit(docs, tq, *best[1:])


PEERS = {"edlib": peer_edlib, "rapidfuzz": peer_rapidfuzz, "difflib": peer_difflib,
         "dmp match_main": peer_dmp, "regex fuzzy": peer_regex}


# --------------------------------------------------------------------------- printing


def show(r: dict) -> None:
    print(f"\n== {r['size']}: {r['sources']} sources, {r['source_mb']} MB, vocabulary {r['vocabulary']:,} words")
    print(f"index: built in {r['index_build_s']} s, {r['index_mb']} MB of arrays, saved index loaded in {r['index_load_s']} s")
    print(f"quotations: {r['quotations']:,}; locate + align + classify {r['verify_q_per_s']:,}/s"
          f" (passes: {', '.join(f'{x:,}' for x in r['verify_passes_q_per_s'])}); locate alone {r['locate_q_per_s']:,}/s")
    print("  by edit rate (q/s): " + ", ".join(f"{k} {v:,}" for k, v in r["verify_q_per_s_by_rate"].items()))
    print(f"recall {r['recall']}  (" + ", ".join(f"{k}: {v}" for k, v in r["recall_by_rate"].items()) + ")")
    print(f"precision {r['precision']}; fabricated located: {r['fabricated_located']} of {r['fabricated']}")
    print(f"variant kinds exactly right {r['kinds_exact']}, verdicts right {r['verdicts_right']}; recall by kind: "
          + ", ".join(f"{k} {v}" for k, v in r["kind_recall"].items()))
    print(f"attribution: {r['misattributions_planted']} misattributions planted, judged misattributed {r['misattributed_right']};"
          f" wrongly misattributed {r['misattributed_false']} of those credited rightly;"
          f" reason of fabricated quotations right {r['unverified_reason_right']}")
    if r.get("meaning_planted"):
        print("edits of meaning (tag and kind right, verdict right): " + ", ".join(
            f"{k} ({n}) {r['meaning_tags_right'][k]}, {r['meaning_verdicts_right'][k]}" for k, n in r["meaning_planted"].items()))
    else:
        print("edits of meaning: none planted in this data (generate it again to have them)")
    print(f"end to end, 1 core: {r['articles_per_s']} articles/s, {r['e2e_quotations_per_s']:,} extracted quotations/s"
          f" ({r['e2e_articles']:,} articles)")
    if "jobs2_speedup" in r:
        print(f"--jobs 2 on {r['jobs_articles']:,} articles: {r['jobs2_articles_per_s']} vs {r['jobs1_articles_per_s']}"
              f" articles/s with --jobs 1: x{r['jobs2_speedup']} (the median of {len(r['jobs2_pair_speedups'])} pairs run"
              f" back to back: " + ", ".join(f"x{x}" for x in r["jobs2_pair_speedups"]) + ")")
        for j, rs in r["jobs_runs"].items():
            print(f"  --jobs {j} runs: " + "; ".join(
                f"{x['articles_per_s']}/s in {x['wall_s']} s, CPU {x['cpu_main_s']} s main + {x['cpu_workers_s']} s workers"
                for x in rs))
    print(f"peak RSS {r['peak_rss_mb']} MB")
    for name, p in r.get("peers", {}).items():
        if "skipped" in p:
            print(f"  peer {name}: skipped, {p['skipped']}")
        else:
            stopped = f", {p['stopped']} stopped" if p["stopped"] else ""
            print(f"  peer {name:15s} sample {p['sample']:3d}: {p['ms_per_quotation']:9.1f} ms/quotation,"
                  f" recall {p['recall']}{stopped}, {p['times_slower']:,}x quoteverify's locate")


# --------------------------------------------------------------------------- the long stream


def stream(data: Path, n: int, jobs: int) -> None:
    import psutil

    sys.path.insert(0, str(HERE))
    from generate import generate

    folder = data / f"stream-{n}"
    if not (folder / "articles.jsonl.gz").is_file():
        print(f"generating {n:,} articles in {folder} ...", flush=True)
        generate(data, 100_000, n, seed=2, name=folder.name)
    sources = sorted((folder / "sources").glob("*.txt"))
    out = Path(tempfile.mkdtemp(prefix="qv-stream-"))
    cmd = [sys.executable, "-m", "quoteverify", "check", *[a for s in sources for a in ("--source", str(s))],
           str(folder / "articles.jsonl.gz"), "--out", str(out), "--jobs", str(jobs)]
    import pty

    master, slave = pty.openpty()
    t0 = time.monotonic()
    summary_file = tempfile.TemporaryFile()  # not a pipe: a summary longer than its buffer would stop the run
    proc = subprocess.Popen(cmd, stdout=summary_file, stderr=slave, cwd=HERE.parent)
    os.close(slave)
    os.set_blocking(master, False)
    top = psutil.Process(proc.pid)
    peak, last, bar = 0, 0.0, ""
    print(f"quoteverify check on {n:,} articles, --jobs {jobs}; memory of the process tree:", flush=True)
    while proc.poll() is None:
        time.sleep(0.5)
        try:
            chunk = os.read(master, 65536).decode("utf-8", "replace")
            if "\r" in chunk:
                bar = chunk.split("\r")[-1].replace("\x1b[K", "").strip() or bar
        except (BlockingIOError, OSError):
            pass
        try:
            procs = [top, *top.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in procs)
        except psutil.Error:
            continue
        peak = max(peak, rss)
        now = time.monotonic() - t0
        if now - last >= 15:
            last = now
            print(f"  {now:6.0f}s  RSS {rss / 2**20:7.1f} MB ({len(procs)} processes)  | {bar}", flush=True)
    summary_file.seek(0)
    summary = summary_file.read().decode()
    elapsed = time.monotonic() - t0
    print(next((line for line in summary.splitlines() if line.startswith("total ")), ""))  # the summary table's total row
    print(f"done in {elapsed:.0f} s: {n / elapsed:.1f} articles/s, peak RSS of the tree {peak / 2**20:.0f} MB,"
          f" exit status {proc.returncode}")
    results = out / "adhoc" / "results.jsonl"
    with open(results, "rb") as f:
        lines = sum(1 for _ in f)
    print(f"results.jsonl: {lines:,} lines, {results.stat().st_size / 1e6:.0f} MB")


# --------------------------------------------------------------------------- what a user runs


def watch(cmd: list[str], cwd: Path) -> tuple[float, int, int]:
    """Run ``cmd``; its wall time, the peak RSS of its process tree (sampled every 50 ms) and its exit status.

    The wall time ends when the process does: it is waited for here while a
    thread samples its memory (a loop that polled between samples saw the
    end up to 50 ms late, 25 ms on average: about 1 % of a run of the 10 MB
    case).
    """
    import threading

    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    top = psutil.Process(proc.pid)
    peak = [0]
    ended = threading.Event()

    def sample() -> None:
        while True:
            try:
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in [top, *top.children(recursive=True)]))
            except psutil.Error:
                pass
            if ended.wait(0.05):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    ended.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.stderr.write(err.decode())
        raise SystemExit(f"{cmd[:6]}... failed with exit status {proc.returncode}")
    return wall, peak[0], proc.returncode


def editable_hook() -> str | None:
    """The file of this interpreter's site-packages that loads the import hook of an editable install of quoteverify, if any.

    Such a file is read when every process starts: the timed runs would pay
    for what a user's ``pip install .`` does not install.
    """
    import site

    for folder in site.getsitepackages():
        for pth in sorted(Path(folder).glob("__editable__*quoteverify*.pth")):
            return str(pth)
    return None


def check_row(case: Path, extra: list[str], out: Path, side: Path | None = None) -> dict:
    """One run of ``quoteverify check CASE --jobs 1 EXTRA`` as a user runs it, and what it wrote.

    ``out``: a new folder for the run's report and figures, kept until the
    benchmark ends (:class:`RunFolders`). With ``side``, quoteverify is
    imported from that folder alone.
    """
    reports, stats = out / "reports", out / "stats.json"
    out.mkdir(parents=True)
    where = ["--side", str(side)] if side is not None else []
    cmd = [sys.executable, str(HERE / "e2e_child.py"), str(stats), *where, "check", str(case), "--out", str(reports),
           "--jobs", "1", *extra]
    wall, peak, _ = watch(cmd, HERE.parent)
    engine = json.loads(stats.read_text())
    pages = [p for p in reports.rglob("*.html")]
    index = max((p for p in pages if p.name == "index.html"), key=lambda p: p.stat().st_size)
    articles = [p.stat().st_size for p in pages if p.parent.name == "articles"]
    return {
        "args": " ".join(extra) or "(default pages)",
        "wall_s": round(wall, 2),
        "quotations": engine["quotations"],
        "q_per_s": round(engine["quotations"] / wall),
        "engine_s": round(engine["engine_s"], 2),
        "engine_share": round(engine["engine_s"] / wall, 3),
        "engine_q_per_s": round(engine["quotations"] / engine["engine_s"]) if engine["engine_s"] else 0,
        "peak_rss_mb": round(peak / 2**20),
        "index_html_kb": round(index.stat().st_size / 1024),
        "largest_article_kb": round(max(articles, default=0) / 1024),
        "pages": len(articles),
        "report_mb": round(sum(p.stat().st_size for p in reports.rglob("*") if p.is_file()) / 2**20, 1),
    }


class RunFolders:
    """New folders for the runs' outputs, all deleted when the benchmark ends, none between runs.

    Deleting one run's 1,500 report files slows the file creation of the
    next: on this machine's ext4 disk, creating 1,500 files of 40 KB took
    0.24-0.64 s of system time when 1,500 others had just been deleted, and
    0.05-0.07 s when none had (ext4 passes over recently freed inodes). A
    user's run does not follow the deletion of another; the benchmark's
    runs would.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.made = 0

    def new(self, name: str) -> Path:
        self.made += 1
        return self.root / f"{self.made:03d}-{name}"


def warc_inputs(folder: Path, n: int, tmp: Path) -> tuple[list[Path], Path, Path]:
    """The sources, and the first ``n`` generated articles as news pages: a folder of .html files and one .warc.gz."""
    import gzip as gz
    import io

    from fastwarc.warc import WarcRecord, WarcRecordType

    sys.path.insert(0, str(HERE))
    from generate import html_page

    sources = sorted((folder / "sources").glob("*.txt"))
    pages, warc = tmp / "pages", tmp / "news.warc.gz"
    pages.mkdir()
    with gzip.open(folder / "articles.jsonl.gz", "rt", encoding="utf-8") as f, open(warc, "wb") as w:
        for k, line in enumerate(f):
            if k >= n:
                break
            a = json.loads(line)
            body = html_page(a).encode("utf-8")
            (pages / f"{a['id']}.html").write_bytes(body)
            rec = WarcRecord()
            rec.init_headers(record_type=WarcRecordType.response)
            rec.headers["WARC-Target-URI"] = a["url"]
            rec.headers["WARC-Date"] = a["date"] + "T12:00:00Z"
            rec.headers["Content-Type"] = "application/http; msgtype=response"
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
            rec.set_bytes_content(head.encode("ascii") + body)
            buf = io.BytesIO()
            rec.write(buf)
            w.write(gz.compress(buf.getvalue(), 6))
    return sources, pages, warc


#: what an article's line of results.jsonl holds that does not depend on where its page was read from
READ_ALIKE = ("sha256", "title", "encoding", "counts", "quotes", "coverage", "skipped", "warnings", "errors")


def same_results(warc: Path, files: Path) -> str:
    """Whether the pages read from the WARC gave the results the same pages gave as files, article by article, said in a line."""
    a, b = ([json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()] for p in (warc, files))
    alike = sum(1 for x, y in zip(a, b) if all(x[k] == y[k] for k in READ_ALIKE))
    quotes = sum(len(x["quotes"]) for x in a)
    if alike == len(a) == len(b):
        return f"the same results from the .warc.gz as from the .html files ({len(a):,} articles, {quotes:,} quotations)"
    return f"DIFFERENT results: {alike:,} of {len(a):,} articles from the .warc.gz as from the {len(b):,} .html files"


def warc_once(sources: list[Path], given: Path, n: int, side: Path, out: Path) -> float:
    """Articles/s of ``quoteverify check --jobs 1 --pages 0`` on ``given`` (the .html folder or the WARC), from start to exit.

    ``out``: a new folder for the run's output, kept until the benchmark ends.
    """
    out.mkdir(parents=True)
    src = [x for s in sources for x in ("--source", str(s))]
    cmd = [sys.executable, str(HERE / "e2e_child.py"), str(out / "stats.json"), "--side", str(side), "check",
           *src, str(given), "--out", str(out / "reports"), "--jobs", "1", "--pages", "0"]
    wall, _, _ = watch(cmd, HERE.parent)
    return n / wall


E2E_ROWS = (  # (label, key, format, target): each figure of a run, and the bound set on it where there is one
    ("wall s", "wall_s", "{:.2f}", ""),
    ("quotations/s", "q_per_s", "{:,.0f}", ""),
    ("engine share of the run", "engine_share", "{:.1%}", ""),
    ("engine alone, quotations/s", "engine_q_per_s", "{:,.0f}", ""),
    ("peak RSS of the process tree, MB", "peak_rss_mb", "{:,.0f}", "<= 1,024"),
    ("index.html, KB", "index_html_kb", "{:,.0f}", "<= 2,048"),
    ("largest article page, KB", "largest_article_kb", "{:,.0f}", "<= 1,024"),
    ("article pages", "pages", "{:,.0f}", ""),
    ("report, MB", "report_mb", "{:.1f}", ""),
)
E2E_TARGETS = {("", "q_per_s"): ">= 1,500", ("--pages 0", "q_per_s"): ">= 2,000", ("--pages 0", "engine_share"): ">= 66.7% (2/3)"}


def print_e2e(runs: dict[str, dict[str, list[dict]]], names: list[str]) -> None:
    """One table per configuration: each figure's median over the runs, a column per side, and its target."""
    import statistics

    for extra in runs[names[0]]:
        print(f"  quoteverify check CASE --jobs 1 {extra or '(default pages)'}")
        print(f"    {'':36s}" + "".join(f"{n:>14s}" for n in names) + "   target")
        for label, key, fmt, target in E2E_ROWS:
            cells = [fmt.format(statistics.median(r[key] for r in runs[n][extra])) for n in names]
            aim = E2E_TARGETS.get((extra, key), target)
            print(f"    {label:36s}" + "".join(f"{c:>14s}" for c in cells) + f"   {aim}")


def e2e(data: Path, size: str, vs: str | None, passes: int) -> None:
    """The check command end to end on a generated case, side by side with revision ``vs`` when given.

    Each side gets its own copy of the case (its own saved source index),
    warmed by one run; then the runs alternate between the sides, the side
    that goes first changing from pass to pass, so that both see the same
    machine (its speed drifts by up to 2x within minutes).
    """
    sys.path.insert(0, str(HERE))
    from compare import describe, extract, order
    from generate import make_case

    folder = data / size
    with tempfile.TemporaryDirectory(prefix="qv-case-") as name:
        tmp = Path(name)
        sides = {"A": HERE.parent}
        if vs:
            commit, subject, head = describe(vs)
            extract(commit, tmp / "rev")
            sides["B"] = tmp / "rev"
            print(f"\nA = this tree ({head}), B = {subject}")
        outputs = RunFolders(tmp / "runs")
        cases = {}
        for s, side in sides.items():
            cases[s] = make_case(folder, tmp / f"case-{s}" / "case")
            check_row(cases[s], ["--pages", "0"], outputs.new(f"{s}-first"), side)  # builds and saves the source index, as a user's first run does
        n_sources = len(list((folder / "sources").glob("*.txt")))
        hook = editable_hook()
        if hook:
            print(f"\nnote: quoteverify is installed here in editable mode ({hook}): every run below loads its import"
                  " hook as it starts, which a user's `pip install .` does not install")
        print(f"\n== end to end: {size} of sources ({n_sources} files), 2,000 article files; medians of {passes} runs"
              f" per side, interleaved; load average {os.getloadavg()[0]:.2f}")
        runs: dict[str, dict[str, list[dict]]] = {s: {"": [], "--pages 0": []} for s in sides}
        for n in range(1, passes + 1):
            for s in order(n) if vs else ("A",):
                for extra in runs[s]:
                    runs[s][extra].append(check_row(cases[s], extra.split(), outputs.new(s), sides[s]))
        print_e2e(runs, list(sides))
        inputs = warc_inputs(folder, 1000, tmp)
        warc_rows(inputs, sides, passes, outputs)


def warc_rows(inputs: tuple[list[Path], Path, Path], sides: dict[str, Path], passes: int, outputs: RunFolders) -> None:
    """The WARC row: each side reads the same pages from the .warc.gz and from the .html files, in pairs.

    Which of the two goes first alternates from pair to pair, and each
    pair's ratio is printed as well as the medians: the two runs of a pair
    are seconds apart, while the machine's speed drifts by up to 2x within
    minutes.
    """
    import statistics

    from compare import order

    sources, pages, warc = inputs
    given = {"warc": warc, "html": pages}
    speed: dict[str, dict[str, list[float]]] = {s: {"warc": [], "html": []} for s in sides}
    written: dict[str, Path] = {}  # this tree's first run of each input
    for n in range(1, passes + 1):
        for s in order(n) if len(sides) > 1 else ("A",):
            for key in ("warc", "html") if n % 2 else ("html", "warc"):
                out = outputs.new(f"{s}-{key}")
                speed[s][key].append(warc_once(sources, given[key], 1000, sides[s], out))
                if s == "A":
                    written.setdefault(key, out / "reports" / "adhoc" / "results.jsonl")
    print("  WARC in: 1,000 news pages, --pages 0, articles/s (target: the .warc.gz at least as fast as the .html files)")
    for label, key in ((f"one .warc.gz ({warc.stat().st_size / 2**20:.1f} MB)", "warc"), ("the same pages as .html files", "html")):
        cells = [f"{statistics.median(speed[s][key]):.1f}" for s in sides]
        print(f"    {label:36s}" + "".join(f"{c:>14s}" for c in cells))
    ratios = [statistics.median(w / h for w, h in zip(speed[s]["warc"], speed[s]["html"])) for s in sides]
    print(f"    {'WARC / files, median of the pairs':36s}" + "".join(f"{r:>14.3f}" for r in ratios) + "   >= 1")
    print(f"    {same_results(written['warc'], written['html'])}")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=HERE / "out")
    ap.add_argument("--sizes", default="100K,1M,10M")
    ap.add_argument("--no-peers", action="store_true", help="skip the peers")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--stream", type=int, default=0, metavar="N", help="run quoteverify check on N generated articles")
    ap.add_argument("--jobs", type=int, default=2, help="jobs for --stream")
    ap.add_argument("--jobs-data", default="100K", help="the data set (with 10,000 articles) on which --jobs 2 is compared with --jobs 1")
    ap.add_argument("--e2e", action="store_true", help="time quoteverify check on a generated case directory, reports included, and WARC input")
    ap.add_argument("--vs", metavar="REV", help="with --e2e: the same runs with revision REV, side by side")
    ap.add_argument("--passes", type=int, default=3, help="with --e2e: runs per side (default 3); each figure is their median")
    argv = sys.argv[1:] if argv is None else argv
    args = ap.parse_args(argv)
    if args.e2e:
        for size in ("10M" if args.sizes == "100K,1M,10M" else args.sizes).split(","):
            e2e(args.data, size, args.vs, args.passes)
        return 0
    if args.stream:
        stream(args.data, args.stream, args.jobs)
        return 0
    if args.one:
        print(json.dumps(measure(args.data / args.one, peers=not args.no_peers, jobs=args.one == args.jobs_data)))
        return 0
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.2f}")
    print(f"peers are timed on samples: {', '.join(f'{k} {v}' for k, v in PEER_SAMPLE.items())} quotations")
    for size in args.sizes.split(","):
        folder = args.data / size
        if not (folder / "truth.jsonl.gz").is_file():
            print(f"{folder}: no data; run benchmarks/generate.py first", file=sys.stderr)
            return 2
        cmd = [sys.executable, __file__, "--data", str(args.data), "--one", size, "--jobs-data", args.jobs_data]
        cmd += ["--no-peers"] if args.no_peers else []
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        show(json.loads(done.stdout.strip().splitlines()[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
