"""Generate benchmark data: source archives, articles that quote them with known edits, and the truth.

Everything is drawn from one seeded random generator, so the same
arguments always give the same bytes.

Sources are English-like text from a first-order Markov chain over the words
of Darwin's *Origin of Species* (``shared/data/darwin-origin``, public
domain), half of its chapters, with rare words (names, coined compounds,
numbers) mixed in at a Zipf-like rate so that the vocabulary grows with the
archive as a real one does. Articles are filler from a chain over the other
half of the chapters, with quotations of the sources edited at rates from 0
to 20 % (half of them verbatim, the rest at 5, 10, 15 or 20 %: omissions, insertions, substitutions, spelling changes, bracketed
interpolations, marked elisions, transposed words or fragments) and
fabricated quotations (from the filler chain, so in no source). A share of
the real quotations (``MEANING_SHARE``) also carries one edit that changes
what the speaker said: an ellipsis that cuts a negation from inside a
sentence, or a number changed; these are drawn from a random generator of
their own, so the other edits are the same with or without them.

Each source has a speaker (a made-up name). A quotation is credited to the
speaker of its source ("Ada Quill said: ..."), except planted
misattributions (a quotation of source A credited to the speaker of
source B); fabricated quotations are credited to a source's speaker or to
someone who speaks in no source.

Layout of ``OUT/<size>/``::

    case.toml            the sources (no articles: they are in the JSONL file)
    sources/doc-NNNN.txt about 20 KB each
    articles.jsonl.gz    {"id", "outlet", "date", "url", "text"} per line
    truth.jsonl.gz       per article: its quotations with offsets, segments,
                         source passage, the edits applied, and the edits
                         that change the meaning ([kind, tag] pairs)

``--case DEST`` instead makes a case directory for ``quoteverify check``
out of one generated data set (``--out``/``--sizes``, already generated):
``DEST/case.toml`` lists its sources (linked, not copied) and its articles,
each written as ``DEST/articles/<id>.txt`` (``--html``: as an HTML page,
``<id>.html``), with its outlet, date and URL.

Usage::

    python benchmarks/generate.py [--out benchmarks/out] [--sizes 100K,1M,10M]
                                  [--articles 2000] [--seed 1]
    python benchmarks/generate.py --out benchmarks/out --sizes 10M --case /tmp/case-10M [--html]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DARWIN = Path(__file__).resolve().parents[2] / "shared" / "data" / "darwin-origin" / "paragraphs.json"
DOC_BYTES = 20_000
RATES = (0.05, 0.1, 0.15, 0.2)
#: share of real quotations printed verbatim (the rest get one of RATES)
VERBATIM_SHARE = 0.5
KINDS = ("omission", "insertion", "substitution", "spelling", "interpolation", "elision", "transposition")
FABRICATED_SHARE = 0.15
#: share of real quotations credited to the speaker of another source
MISATTRIBUTED_SHARE = 0.1
_FIRST = (
    "Ada Bela Cyril Dora Emil Fenna Gideon Hester Ivo Juno Kasimir Lenka Milo Nessa Otto Petra Quentin "
    "Rhoda Silas Tilde Ulric Vera Wendel Xenia Yorick"
).split()
_LAST = (
    "Abernathy Brackwater Calloway Dunmore Elsworth Fairweather Grimsby Halloran Ingleby Jessop Kilbride "
    "Lockhart Merriman Northcote Ollerton Pemberton Quillfeather Ravenscroft Sutterby Thistlewood Underhill "
    "Vantongeren Whitcombe Yardley Zellweger Ashdown Blenkinsop Cartwright Dewhurst Eastwood Fothergill "
    "Gainsford Hollingworth Ironside Juniper Kettering Lazenby Mortimer Nettleton Oakshott"
).split()
#: share of real quotations given one edit of meaning (a negation cut by an ellipsis, a number changed)
MEANING_SHARE = 0.2
NEGATIONS = frozenset({"not", "never", "no", "nor", "cannot", "nothing", "none"})
LEXICON = Path(__file__).resolve().parents[1] / "quoteverify" / "lexicon" / "en.toml"
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve", "twenty", "hundred", "thousand")
_TOKEN = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*|[0-9]+|[.,;:!?]")


def parse_size(text: str) -> int:
    """``100K`` -> 100_000, ``10M`` -> 10_000_000."""
    m = re.fullmatch(r"(\d+)([KM]?)", text.strip().upper())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    return int(m.group(1)) * {"": 1, "K": 1000, "M": 1_000_000}[m.group(2)]


class Chain:
    """A first-order Markov chain over word and punctuation tokens."""

    def __init__(self, paragraphs: list[str]) -> None:
        nxt: dict[str, list[str]] = {}
        starts: list[str] = []
        for p in paragraphs:
            toks = _TOKEN.findall(p)
            prev = "."
            for t in toks:
                if prev == "." and t[0].isalpha():
                    starts.append(t)
                nxt.setdefault(prev.lower() if prev != "." else ".", []).append(t)
                prev = t if t in ".,;:!?" else t
        self.next = nxt
        self.starts = starts
        self.words = sorted({t.lower() for toks in nxt.values() for t in toks if t[0].isalpha()})

    def sentence(self, rng: random.Random, lo: int = 8, hi: int = 30) -> list[str]:
        out = [rng.choice(self.starts)]
        target = rng.randint(lo, hi)
        stuck = 0
        while True:
            options = self.next.get(out[-1].lower()) or self.next["."]
            t = rng.choice(options)
            if stuck > 8:
                t, stuck = rng.choice(self.words), 0
            if t in ".!?":
                if len(out) >= lo and out[-1] not in ",;:":
                    out.append(".")
                    return out
                stuck += 1
                continue
            if len(out) >= target:
                if out[-1] in ",;:":
                    out.pop()
                out.append(".")
                return out
            if t in ",;:" and out[-1] in ",;:":
                stuck += 1
                continue
            stuck = 0
            out.append(t.lower() if t[0].isupper() and t not in ("I",) and rng.random() < 0.5 else t)


class RareWords:
    """Coined words drawn at a Zipf-like rate: names, compounds, numbers."""

    SYL = ("ka", "lo", "mi", "ran", "tes", "vo", "dor", "bel", "qui", "nar", "sto", "fel", "gri", "pa", "zen", "hu", "lin", "mor")

    def __init__(self, rng: random.Random, size: int = 150_000) -> None:
        self.size = size
        self.rng = random.Random(rng.random())

    def word(self, rng: random.Random) -> str:
        k = int(self.size ** rng.random())
        r = random.Random(k * 7919 + 17)
        w = "".join(r.choice(self.SYL) for _ in range(2 + k % 3))
        if k % 5 == 0:
            return w.capitalize()
        if k % 11 == 0:
            return w + "-" + "".join(r.choice(self.SYL) for _ in range(2))
        if k % 13 == 0:
            return str(k)
        return w


def render(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into text (no space before punctuation) and give each token's span."""
    parts: list[str] = []
    spans = []
    pos = 0
    for i, t in enumerate(tokens):
        if i and t not in ".,;:!?":
            parts.append(" ")
            pos += 1
        spans.append((pos, pos + len(t)))
        parts.append(t)
        pos += len(t)
    return "".join(parts), spans


@dataclass
class SourceDoc:
    id: str
    text: str
    tokens: list[str]
    spans: list[tuple[int, int]]
    speaker: str = ""


def speaker_name(k: int) -> str:
    """The made-up name of the speaker of source number ``k``: unique for the first 1,000 sources."""
    first, rest = k % len(_FIRST), k // len(_FIRST)
    # neighbouring sources differ in both names (and some share a surname, as people do)
    return f"{_FIRST[first]} {_LAST[(rest + first) % len(_LAST)]}"


def make_source(chain: Chain, rare: RareWords, rng: random.Random, doc_id: str, size: int) -> SourceDoc:
    tokens: list[str] = []
    text_len = 0
    paragraphs: list[list[str]] = []
    while text_len < size:
        para: list[str] = []
        for _ in range(rng.randint(3, 8)):
            s = chain.sentence(rng)
            for k in range(1, len(s) - 1):
                if s[k][0].isalpha() and rng.random() < 0.05:
                    s[k] = rare.word(rng)
            s[0] = s[0][0].upper() + s[0][1:]
            para.extend(s)
        paragraphs.append(para)
        text_len += sum(len(t) + 1 for t in para)
    # paragraphs separated by blank lines: render each, then join
    texts, spans = [], []
    offset = 0
    for para in paragraphs:
        t, sp = render(para)
        texts.append(t)
        spans.extend((a + offset, b + offset) for a, b in sp)
        tokens.extend(para)
        offset += len(t) + 2
    return SourceDoc(doc_id, "\n\n".join(texts) + "\n", tokens, spans)


# --------------------------------------------------------------------------- edits

_SPELL = [
    (re.compile(r"our$"), "or"),
    (re.compile(r"is(e|ed|es|ing|ation)$"), r"iz\1"),
    (re.compile(r"iz(e|ed|es|ing|ation)$"), r"is\1"),
]


def respell(word: str) -> str | None:
    """Another spelling of ``word`` (hyphen dropped, British/American ending), or None."""
    if "-" in word and word.count("-") == 1:
        return word.replace("-", "")
    if len(word) < 5:
        return None
    for pat, rep in _SPELL:
        if pat.search(word):
            return pat.sub(rep, word)
    return None


@dataclass
class Piece:
    """A token of a quotation being edited: its text, whether it came from the source, and a mark."""

    text: str
    src: int | None  # index of the source token, None if added
    kind: str = "text"  # text | elision | interpolation


@dataclass
class Quote:
    pieces: list[Piece]
    edits: list[str] = field(default_factory=list)
    #: the edits that change the meaning, as (kind, tag)
    meaning: list[tuple[str, str]] = field(default_factory=list)


def _is_word(t: str) -> bool:
    return t[0].isalnum()


@lru_cache(maxsize=1)
def _meaning_words() -> dict[str, str]:
    """The English word lists of quoteverify's judgment: word -> the first tag it carries."""
    meaning = tomllib.loads(LEXICON.read_text(encoding="utf-8"))["meaning"]
    out: dict[str, str] = {}
    for tag in ("negation", "condition", "modality", "number"):
        for w in meaning[tag]:
            out.setdefault(w, tag)
    return out


def meaning_tag(words: list[str], tags: tuple[str, ...]) -> str | None:
    """The first of ``tags`` that one of ``words`` carries (digits and "-n't" included), or None.

    The random edits are labelled with what they do to the meaning, so that
    the truth's verdict follows the rule: an ellipsis that cuts a "may" or a
    bracket that adds a "not" alters the quotation, whoever made the edit.
    """
    known = _meaning_words()
    found = set()
    for w in (w.casefold() for w in words):
        found.add(known.get(w, "negation" if w.endswith("n't") else "number" if w.isdigit() else ""))
    return next((t for t in tags if t in found), None)


def apply_edits(passage: list[tuple[int, str]], n_edits: int, filler: Chain, rng: random.Random) -> Quote:
    """Edit a passage (``(source token index, token)``) ``n_edits`` times at separate interior places."""
    pieces = [Piece(t, i) for i, t in passage]
    q = Quote(pieces)
    taken: set[int] = set()  # positions (in the original passage) near an edit
    n = len(pieces)
    plans: list[tuple[int, str, int]] = []
    for _ in range(n_edits * 6):
        if len(plans) >= n_edits:
            break
        pos = rng.randrange(2, max(3, n - 3))
        kind = rng.choice(KINDS)
        width = {"omission": rng.randint(1, 2), "elision": rng.randint(3, 5), "transposition": 2}.get(kind, 1)
        if pos + width > n - 2 or any(p in taken for p in range(pos - 2, pos + width + 2)):
            continue
        seg = pieces[pos : pos + width]
        if not all(_is_word(p.text) for p in seg):
            continue
        if kind == "spelling" and respell(seg[0].text) is None:
            continue
        if kind == "transposition" and seg[0].text.casefold() == seg[1].text.casefold():
            continue
        taken.update(range(pos, pos + width))
        plans.append((pos, kind, width))
    # apply from the end so that positions stay valid
    out = list(pieces)
    for pos, kind, width in sorted(plans, reverse=True):
        if kind == "omission" or kind == "elision":
            if kind == "elision":
                tag = meaning_tag([p.text for p in out[pos : pos + width]], ("negation", "condition", "modality"))
                if tag:
                    q.meaning.append(("elision", tag))
                out[pos : pos + width] = [Piece("...", None, "elision")]
            else:
                del out[pos : pos + width]
        elif kind == "insertion":
            words = [w for w in (rng.choice(filler.words) for _ in range(rng.randint(1, 2)))]
            out[pos:pos] = [Piece(w, None) for w in words]
        elif kind == "substitution":
            old = out[pos].text.casefold()
            while True:
                w = rng.choice(filler.words)
                if w.casefold() != old and respell(w) != old and len(w) > 2:
                    break
            out[pos] = Piece(w, None)
        elif kind == "spelling":
            out[pos] = Piece(respell(out[pos].text) or out[pos].text, None)
        elif kind == "interpolation":
            gloss = " ".join(rng.choice(filler.words) for _ in range(rng.randint(1, 3)))
            tag = meaning_tag(gloss.split(), ("negation", "number", "condition", "modality"))
            if tag:
                q.meaning.append(("interpolation", tag))
            out[pos + 1 : pos + 1] = [Piece(f"[{gloss}]", None, "interpolation")]
        elif kind == "transposition":
            out[pos], out[pos + 1] = out[pos + 1], out[pos]
        q.edits.append(kind)
    q.pieces = out
    q.edits.sort()
    return q


def _untouched(pieces: list[Piece], i: int) -> bool:
    """Whether pieces ``i - 2 .. i + 2`` are consecutive source words and commas, no sentence end among them."""
    if i < 2 or i + 2 >= len(pieces):
        return False
    run = pieces[i - 2 : i + 3]
    if any(p.src is None or p.kind != "text" or p.text in ".!?;:" for p in run):
        return False
    return all(b.src == a.src + 1 for a, b in zip(run, run[1:]))  # type: ignore[operator]


def plant_meaning(q: Quote, rng: random.Random) -> Quote:
    """Give a quotation one edit that changes its meaning, where its words allow: a negation cut by an ellipsis, or a number changed.

    The cut takes the negation alone, from the middle of a sentence; the
    number becomes another (digits stay digits, words stay words).
    """
    places = [
        (i, kind)
        for i, p in enumerate(q.pieces)
        for kind in ("negation", "number")
        if _untouched(q.pieces, i)
        and ((kind == "negation" and p.text.casefold() in NEGATIONS) or (kind == "number" and (p.text.isdigit() or p.text.casefold() in NUMBER_WORDS)))
    ]
    if not places:
        return q
    i, kind = rng.choice(places)
    pieces = list(q.pieces)
    if kind == "negation":
        pieces[i] = Piece("...", None, "elision")
        q.edits.append("elision")
        q.meaning.append(("elision", "negation"))
    else:
        old = pieces[i].text
        if old.isdigit():
            new = str(int(old) + rng.randint(1, 9) * (10 ** max(0, len(old) - 2)))
        else:
            new = rng.choice([w for w in NUMBER_WORDS if w != old.casefold()])
        pieces[i] = Piece(new, None)
        q.edits.append("substitution")
        q.meaning.append(("substitution", "number"))
    q.pieces = pieces
    q.edits.sort()
    return q


def quote_text(pieces: list[Piece]) -> tuple[str, list[tuple[str, int, int]]]:
    """The printed quotation and its segments (kind, start, end) relative to its start."""
    text, spans = render([p.text for p in pieces])
    segs: list[tuple[str, int, int]] = []
    for p, (a, b) in zip(pieces, spans):
        if p.kind == "text" and segs and segs[-1][0] == "text":
            segs[-1] = ("text", segs[-1][1], b)
        else:
            segs.append((p.kind, a, b))
    return text, segs


# --------------------------------------------------------------------------- articles

OUTLETS = ("The Daily Ledger", "Morning Post", "Evening Standard-Bearer", "Northern Echo", "Coastal Herald", "City Wire")
SPEAKERS = ("the naturalist", "Mr Darwin", "the author", "a spokesman", "the professor", "one reviewer")


def make_article(
    n: int, sources: list[SourceDoc], chain: Chain, filler: Chain, rng: random.Random, meaning_rng: random.Random | None = None
) -> tuple[dict[str, str], dict[str, object]]:
    parts: list[str] = []
    quotes = []

    def filler_text(k: int) -> str:
        toks: list[str] = []
        for _ in range(k):
            s = filler.sentence(rng, 8, 22)
            s[0] = s[0][0].upper() + s[0][1:]
            toks.extend(s)
        return render(toks)[0]

    head = filler_text(1).rstrip(".")
    parts.append(head)
    parts.append(filler_text(rng.randint(1, 3)))
    n_quotes = rng.choice((1, 2, 2, 3, 3, 3, 4, 5))
    for _ in range(n_quotes):
        fabricated = rng.random() < FABRICATED_SHARE
        rate = 0.0 if rng.random() < VERBATIM_SHARE else rng.choice(RATES)
        if fabricated:
            toks: list[str] = []
            for _ in range(rng.randint(1, 2)):
                toks.extend(filler.sentence(rng, 8, 25))
            pieces = [Piece(t, None) for t in toks]
            q = Quote(pieces)
            src_id, src_span = None, None
        else:
            doc = rng.choice(sources)
            length = rng.randint(8, 50)
            start = rng.randrange(0, max(1, len(doc.tokens) - length))
            while start < len(doc.tokens) and not _is_word(doc.tokens[start]):
                start += 1
            end = min(start + length, len(doc.tokens))
            while end > start + 1 and doc.tokens[end - 1] in ",;:":
                end -= 1
            passage = [(i, doc.tokens[i]) for i in range(start, end)]
            words = sum(1 for _, t in passage if _is_word(t))
            n_edits = round(rate * words)
            if rate and words >= 12 and rng.random() < 0.04:
                # transposed fragments: the second half quoted first, with an ellipsis
                mid = len(passage) // 2
                while mid < len(passage) - 2 and not _is_word(passage[mid][1]):
                    mid += 1
                second = [Piece(t, i) for i, t in passage[mid:]]
                first = [Piece(t, i) for i, t in passage[:mid]]
                q = Quote(second + [Piece("...", None, "elision")] + first, ["transposition"])
            else:
                q = apply_edits(passage, n_edits, filler, rng)
            if meaning_rng is not None and meaning_rng.random() < MEANING_SHARE:
                q = plant_meaning(q, meaning_rng)
            src_id = doc.id
            src_span = (doc.spans[start][0], doc.spans[end - 1][1])
        text, segs = quote_text(q.pieces)
        misattributed = False
        if fabricated:
            speaker = rng.choice(sources).speaker if rng.random() < 0.5 else rng.choice(SPEAKERS)
        elif len(sources) > 1 and rng.random() < MISATTRIBUTED_SHARE:
            speaker = rng.choice([s for s in sources if s.id != doc.id]).speaker
            misattributed = True
        else:
            speaker = doc.speaker
        lead = f"{speaker[0].upper()}{speaker[1:]} said: \u201c"
        para_prefix = "\n\n".join(parts) + "\n\n"
        q_start = len(para_prefix) + len(lead)
        parts.append(f"{lead}{text}\u201d")
        quotes.append(
            {
                "text": text,
                "span": [q_start, q_start + len(text)],
                "segments": [[k, q_start + a, q_start + b] for k, a, b in segs],
                "fabricated": fabricated,
                "source": src_id,
                "source_span": list(src_span) if src_span else None,
                "edits": q.edits,
                "meaning": [list(m) for m in q.meaning],
                "rate": rate,
                "speaker": speaker,
                "source_speaker": None if fabricated else doc.speaker,
                "misattributed": misattributed,
            }
        )
        parts.append(filler_text(rng.randint(1, 2)))
    text = "\n\n".join(parts) + "\n"
    art_id = f"a{n:06d}"
    article = {
        "id": art_id,
        "outlet": OUTLETS[n % len(OUTLETS)],
        "date": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "url": f"https://news.example/{art_id}",
        "text": text,
    }
    return article, {"id": art_id, "quotes": quotes}


def load_chains() -> tuple[Chain, Chain]:
    sets = json.loads(DARWIN.read_text(encoding="utf-8"))
    source_paras, filler_paras = [], []
    for k, s in enumerate(sets):
        target = source_paras if k % 2 == 0 else filler_paras
        target.extend(w["content"] for w in s["witnesses"])
    return Chain(source_paras), Chain(filler_paras)


def generate(out: Path, size: int, articles: int, seed: int, name: str | None = None) -> Path:
    """Write one data set of ``size`` bytes of sources and ``articles`` articles into ``out/<name>``."""
    rng = random.Random(f"{seed}-{size}")
    chain, filler = load_chains()
    rare = RareWords(rng)
    folder = out / (name or label(size))
    (folder / "sources").mkdir(parents=True, exist_ok=True)
    for old in (folder / "sources").glob("*.txt"):
        old.unlink()
    docs = []
    n_docs = max(1, round(size / DOC_BYTES))
    for k in range(n_docs):
        doc = make_source(chain, rare, rng, f"doc-{k + 1:04d}", size // n_docs)
        doc.speaker = speaker_name(k)
        (folder / "sources" / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")
        docs.append(doc)
    lines = [f'id = "bench-{folder.name}"', f'title = "Generated archive of {folder.name}"', ""]
    for doc in docs:
        lines += ["[[sources]]", f'id = "{doc.id}"', f'path = "sources/{doc.id}.txt"', f'speaker = "{doc.speaker}"', ""]
    (folder / "case.toml").write_text("\n".join(lines), encoding="utf-8")
    art_rng = random.Random(f"{seed}-{size}-articles")
    meaning_rng = random.Random(f"{seed}-{size}-meaning")
    with gzip.open(folder / "articles.jsonl.gz", "wt", encoding="utf-8", compresslevel=3) as fa, gzip.open(
        folder / "truth.jsonl.gz", "wt", encoding="utf-8", compresslevel=3
    ) as ft:
        for n in range(articles):
            article, truth = make_article(n, docs, chain, filler, art_rng, meaning_rng)
            fa.write(json.dumps(article, ensure_ascii=False) + "\n")
            ft.write(json.dumps(truth, ensure_ascii=False) + "\n")
    return folder


def html_page(article: dict) -> str:
    """An article as a news site's page: a head, navigation, the body's paragraphs, a footer."""
    import html

    paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in article["text"].split("\n\n") if p.strip())
    return (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(article['outlet'])}: {html.escape(article['id'])}</title></head>\n"
        "<body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>\n"
        f"<article><h1>{html.escape(article['id'])}</h1>\n{paras}</article>\n"
        "<footer>All rights reserved.</footer></body></html>\n"
    )


def make_case(data: Path, dest: Path, *, html: bool = False) -> Path:
    """A case directory for ``quoteverify check`` at ``dest`` from the generated data set ``data``."""
    dest.mkdir(parents=True, exist_ok=True)
    copy = dest / "sources"
    if not copy.exists():
        # copied, not linked: a case's paths must stay inside its folder
        shutil.copytree(data / "sources", copy)
    (dest / "articles").mkdir(exist_ok=True)
    case = (data / "case.toml").read_text(encoding="utf-8").rstrip("\n")
    lines = [case.replace('id = "bench-', 'id = "case-', 1), ""]
    suffix = ".html" if html else ".txt"
    with gzip.open(data / "articles.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            body = html_page(a) if html else a["text"]
            (dest / "articles" / f"{a['id']}{suffix}").write_text(body, encoding="utf-8")
            lines += ["[[articles]]", f'id = "{a["id"]}"', f'path = "articles/{a["id"]}{suffix}"',
                      f"outlet = {json.dumps(a['outlet'])}", f'date = "{a["date"]}"', f'url = "{a["url"]}"', ""]
    (dest / "case.toml").write_text("\n".join(lines), encoding="utf-8")
    return dest


def label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}K"
    return str(size)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    ap.add_argument("--sizes", default="100K,1M,10M", help="source archive sizes, comma-separated (K, M suffixes)")
    ap.add_argument("--articles", type=int, default=2000, help="articles per data set")
    ap.add_argument("--name", default=None, help="folder name (one size only; default: the size)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--case", type=Path, default=None, metavar="DEST", help="make a case directory of one generated size")
    ap.add_argument("--html", action="store_true", help="with --case: articles as HTML pages")
    args = ap.parse_args(argv)
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    if args.case:
        if len(sizes) != 1:
            ap.error("--case takes one size")
        folder = make_case(args.out / (args.name or label(sizes[0])), args.case, html=args.html)
        print(f"{folder}: a case of {label(sizes[0])} of sources", file=sys.stderr)
        return 0
    if args.name and len(sizes) != 1:
        ap.error("--name takes one size")
    for size in sizes:
        folder = generate(args.out, size, args.articles, args.seed, args.name)
        print(f"{folder}: {label(size)} of sources, {args.articles} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
