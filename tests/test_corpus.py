"""Checks of the corpus cases: layout, byte-identity of the articles, and the
honesty of each reconstruction's provenance."""

import hashlib
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SEEDS = REPO.parent / "shared" / "seeds"

CASE_DIR = CORPUS / "seely-letter"

# The seed file each article of the seed case was copied from.
SEED_FILES = {
    "straits-times-afp": "000_1ee78cd0b8301027.txt",
    "independent": "001_837433b5c4e5d5d9.txt",
    "lbc": "002_d53497e4e71edad6.txt",
    "sky-news": "003_566fe7485d5458d1.txt",
    "bbc-news": "004_ff5cde684cff2d57.txt",
}

QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
    }
)
WORD = re.compile(r"\w+(?:['\-]\w+)*")


def fold(text):
    """Fold curly quotes and apostrophes to straight ones and runs of white
    space to one space; case is kept."""
    return re.sub(r"\s+", " ", text.translate(QUOTE_FOLD))


def words(text):
    return WORD.findall(fold(text).casefold())


def load_toml(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def read_paragraphs(path):
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n\n")


def ngram_positions(seq, n):
    """Map each run of n words to the list of its start positions in seq."""
    pos = {}
    for i in range(len(seq) - n + 1):
        pos.setdefault(tuple(seq[i : i + n]), []).append(i)
    return pos


@pytest.fixture(scope="module")
def case():
    return load_toml(CASE_DIR / "case.toml")


@pytest.fixture(scope="module")
def articles(case):
    return {
        a["id"]: (CASE_DIR / a["path"]).read_text(encoding="utf-8")
        for a in case["articles"]
    }


@pytest.fixture(scope="module")
def sources(case):
    out = []
    for s in case["sources"]:
        prov = load_toml(CASE_DIR / s["provenance"]) if "provenance" in s else None
        out.append((s, read_paragraphs(CASE_DIR / s["path"]), prov))
    return out


def test_case_toml_shape(case):
    assert case["id"] == CASE_DIR.name
    for key in ("title", "date", "description"):
        assert isinstance(case[key], str) and case[key].strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", case["date"])
    ids = [s["id"] for s in case["sources"]] + [a["id"] for a in case["articles"]]
    assert len(ids) == len(set(ids)), "ids must be unique"
    for s in case["sources"]:
        for key in ("id", "title", "date", "path"):
            assert s[key]
    for a in case["articles"]:
        for key in ("id", "outlet", "date", "path"):
            assert a[key]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", a["date"])


def test_case_paths_exist(case):
    paths = [a["path"] for a in case["articles"]]
    for s in case["sources"]:
        paths.append(s["path"])
        if "provenance" in s:
            paths.append(s["provenance"])
    for p in paths:
        assert (CASE_DIR / p).is_file(), p


def test_articles_are_the_seeds_byte_for_byte(case):
    if not SEEDS.is_dir():
        pytest.skip(f"seed directory {SEEDS} is absent")
    assert sorted(a["id"] for a in case["articles"]) == sorted(SEED_FILES)
    for a in case["articles"]:
        ours = (CASE_DIR / a["path"]).read_bytes()
        seed = (SEEDS / SEED_FILES[a["id"]]).read_bytes()
        assert hashlib.sha256(ours).hexdigest() == hashlib.sha256(seed).hexdigest(), a["id"]


def test_source_text_format(case):
    for s in case["sources"]:
        raw = (CASE_DIR / s["path"]).read_bytes()
        text = raw.decode("utf-8")
        assert text.endswith("\n") and not text.endswith("\n\n"), "one final newline"
        assert "\r" not in text
        assert "\n\n\n" not in text, "blocks are separated by exactly one blank line"
        for para in text.rstrip("\n").split("\n\n"):
            assert para.strip() == para and para, repr(para)
            assert "\n" not in para, "one paragraph per block, on one line"
        assert not set(text) & set("\u2018\u2019\u201c\u201d"), "straight quotes only"


def test_provenance_paragraphs(case, sources):
    article_ids = {a["id"] for a in case["articles"]}
    for s, paras, prov in sources:
        if prov is None:
            continue
        assert isinstance(prov["method"], str) and prov["method"].strip()
        entries = prov["paragraph"]
        assert len(entries) == len(paras), "one provenance entry per paragraph"
        assert [e["index"] for e in entries] == list(range(len(paras)))
        for e in entries:
            assert e["witnesses"], e["index"]
            assert set(e["witnesses"]) <= article_ids, e["witnesses"]
            assert isinstance(e["note"], str) and e["note"].strip()


def test_witnesses_share_words_with_paragraphs(articles, sources):
    """A paragraph's witness must contain a run of at least four consecutive
    words of it (quotes folded, case folded)."""
    for s, paras, prov in sources:
        if prov is None:
            continue
        for e in prov["paragraph"]:
            grams = ngram_positions(words(paras[e["index"]]), 4)
            assert grams, f"paragraph {e['index']} has fewer than four words"
            for w in e["witnesses"]:
                found = ngram_positions(words(articles[w]), 4)
                assert set(grams) & set(found), (
                    f"{w} shares no four-word run with paragraph {e['index']}"
                )


def test_paragraphs_in_order(articles, sources):
    """In a witness that covers every paragraph, the paragraphs occur in the
    order of the reconstruction."""
    for s, paras, prov in sources:
        if prov is None:
            continue
        everywhere = set.intersection(*(set(e["witnesses"]) for e in prov["paragraph"]))
        for w in everywhere:
            found = ngram_positions(words(articles[w]), 4)
            last = -1
            for i, para in enumerate(paras):
                after = [
                    h
                    for g in ngram_positions(words(para), 4)
                    for h in found.get(g, [])
                    if h > last
                ]
                assert after, f"paragraph {i} out of order in {w}"
                last = min(after)


def test_readings(case, articles, sources):
    article_ids = {a["id"] for a in case["articles"]}
    for s, paras, prov in sources:
        if prov is None:
            continue
        para_witnesses = {e["index"]: set(e["witnesses"]) for e in prov["paragraph"]}
        for r in prov.get("reading", []):
            i = r["paragraph"]
            assert 0 <= i < len(paras), r
            para = paras[i]
            chosen = r["chosen"]
            assert chosen in para, f"chosen {chosen!r} not in paragraph {i}"
            assert r["reason"].strip()
            assert set(r["witnesses"]) <= article_ids
            assert set(r["witnesses"]) <= para_witnesses[i], r["chosen"]
            for w in r["witnesses"]:
                assert fold(chosen) in fold(articles[w]), f"{w} lacks {chosen!r}"
            for rej in r["rejected"]:
                text = rej["text"]
                assert rej["witnesses"], text
                assert set(rej["witnesses"]) <= article_ids
                assert set(rej["witnesses"]) <= para_witnesses[i], text
                if text not in chosen:
                    assert text not in para, f"rejected {text!r} is in paragraph {i}"
                for w in rej["witnesses"]:
                    assert fold(text) in fold(articles[w]), f"{w} lacks {text!r}"


def test_unplaced(case, articles, sources):
    article_ids = {a["id"] for a in case["articles"]}
    for s, paras, prov in sources:
        if prov is None:
            continue
        body = "\n\n".join(paras)
        for u in prov.get("unplaced", []):
            assert u["text"] not in body, u["text"]
            assert u["reason"].strip()
            assert u["witnesses"] and set(u["witnesses"]) <= article_ids
            for w in u["witnesses"]:
                assert fold(u["text"]) in fold(articles[w]), f"{w} lacks {u['text']!r}"
