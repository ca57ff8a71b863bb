"""reconstruct: a canonical text rebuilt from partial witnesses, with its apparatus."""

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from quoteverify.cli import main
from quoteverify.ingest import load_case, read_article, read_document
from quoteverify.normalize import tokenize
from quoteverify.run import check_articles
from quoteverify.run import reconstruct_case as reconstruct
from quoteverify.align import align
from quoteverify.models import AlignOp
from quoteverify.reconstruct import vote
from quoteverify.reconstruct.models import Column
from quoteverify.reconstruct import (
    LACUNA,
    WitnessText,
    against,
    reconstruct_witnesses,
    reconstruct_articles,
    reconstruct_check,
    reconstruct_excerpts,
)
from quoteverify.render.exports import TEI_NS
from quoteverify.render.exports import reconstruction_tei as render_tei
from quoteverify.render.html import render_reconstruction as render_html
from quoteverify.render.json import reconstruction_json

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "seely-letter"
BRIDGE = Path(__file__).parent / "fixtures" / "bridge-statement"


def entry(recon, chosen, rejected_by):
    """The apparatus entry whose chosen reading is ``chosen`` and where ``rejected_by`` reads otherwise."""
    for a in recon.apparatus:
        if a.readings[0].text == chosen and any(rejected_by in r.witnesses for r in a.readings[1:]):
            return a
    raise AssertionError(f"no apparatus entry {chosen!r} against {rejected_by}: {recon.apparatus}")


def check_spans(recon):
    for a in recon.apparatus:
        assert recon.text[a.span[0] : a.span[1]] == a.readings[0].text
        assert len(a.readings) == len(a.votes) >= 2
        assert len({r.text for r in a.readings}) == len(a.readings)
    for s in recon.stretches:
        assert s.witnesses and 0 <= s.span[0] < s.span[1] <= len(recon.text)
    for span in recon.lacunae:
        assert recon.text[span[0] : span[1]] == LACUNA


# ---------------------------------------------------------------- the seed case


@pytest.fixture(scope="module")
def seed():
    return reconstruct(SEED)


def test_seed_rebuilds_the_letter(seed):
    letter = read_document(SEED / "sources" / "letter.txt", role="source")
    comparison = against(seed, letter)
    assert comparison.identical, [(d.variant.source_text, d.variant.quote_text) for d in comparison.differences]
    assert not seed.lacunae
    assert len(seed.paragraphs) == len(letter.paragraphs)
    check_spans(seed)


def test_seed_apparatus_due(seed):
    a = entry(seed, "due", "sky-news")
    assert set(a.readings[0].witnesses) == {"lbc", "bbc-news"}
    assert a.readings[1].text == "" and a.readings[1].witnesses == ("sky-news",)
    assert a.votes == (2, 1) and not a.tie


def test_seed_additions_of_the_outlets_are_not_text(seed):
    # the bracketed interpolation is never a reading; the unmarked gloss is outvoted
    assert "US-led" not in seed.text
    gloss = [a for a in seed.apparatus if any("Combined Joint Task Force" in r.text for r in a.readings)]
    assert gloss and gloss[0].readings[0].text == "" and gloss[0].readings[0].witnesses == ("lbc", "sky-news")


def test_seed_tie_is_shown_and_broken_by_the_longest_witness(seed):
    ties = [a for a in seed.apparatus if a.tie]
    assert ties
    longest = seed.witnesses[0].id
    assert all(longest in a.readings[0].witnesses for a in ties)
    assert all("tie" in a.reason for a in ties)


def test_seed_a_witness_counts_once(seed):
    # a shorter quotation of an outlet that also prints the full passage lists its reading without a vote
    for a in seed.apparatus:
        voters = [w for r, v in zip(a.readings, a.votes) for w in r.witnesses][: sum(a.votes)]
        assert sum(a.votes) <= len({w for r in a.readings for w in r.witnesses})
        assert len(voters) >= 1


def test_seed_without_a_source_agrees(seed):
    case = load_case(SEED)
    articles = [read_article(ref, root=case.root) for ref in case.articles]
    grown = reconstruct_articles(articles, source_id="letter")
    assert grown.text == seed.text
    assert [(tuple(r.text for r in a.readings), a.votes) for a in grown.apparatus] == [
        (tuple(r.text for r in a.readings), a.votes) for a in seed.apparatus
    ]
    assert grown.unplaced  # the quotations of other speakers
    check_spans(grown)


def test_tei_is_well_formed_parallel_segmentation(seed):
    xml = render_tei(seed)
    root = ET.fromstring(xml.encode("utf-8"))
    ns = {"t": TEI_NS}
    assert root.tag == f"{{{TEI_NS}}}TEI"
    wits = root.findall(".//t:teiHeader//t:listWit/t:witness", ns)
    ids = {w.get("{http://www.w3.org/XML/1998/namespace}id") for w in wits}
    assert ids == {w.id for w in seed.witnesses}
    apps = root.findall(".//t:text//t:app", ns)
    assert len(apps) == len(seed.apparatus)
    due = [a for a in apps if (a.find("t:lem", ns).text or "") == "due"]
    assert due
    lem, rdg = due[0].find("t:lem", ns), due[0].find("t:rdg", ns)
    assert set(lem.get("wit").split()) == {"#lbc", "#bbc-news"}
    assert rdg.get("wit") == "#sky-news" and not rdg.text
    # the text of the edition is the text with the lemmata
    body = root.find(".//t:text/t:body", ns)
    paras = ["".join(_lemma_text(p)) for p in body.findall("t:p", ns)]
    assert "\n\n".join(paras) == seed.text


def _lemma_text(el):
    ns = f"{{{TEI_NS}}}"
    if el.text and el.tag not in (ns + "rdg", ns + "note"):
        yield el.text
    for child in el:
        if child.tag == ns + "app":
            lem = child.find(ns + "lem")
            yield lem.text or ""
        elif child.tag == ns + "gap":
            yield LACUNA
        else:
            yield from _lemma_text(child)
        if child.tail:
            yield child.tail


# ---------------------------------------------------------------- a case of my own


@pytest.fixture(scope="module")
def bridge():
    return reconstruct(BRIDGE)


def test_bridge_apparatus(bridge):
    got = [(tuple((r.text, r.witnesses) for r in a.readings), a.votes, a.tie) for a in bridge.apparatus]
    assert got == [
        ((("fully", ("the-courier", "north-gazette")), ("", ("daily-post",))), (2, 1), False),
        ((("months", ("north-gazette", "river-radio")), ("weeks", ("the-courier",))), (2, 1), False),
        ((("mayor", ("the-courier",)), ("Mayor", ("river-radio",))), (1, 1), True),
    ]
    check_spans(bridge)


def test_bridge_interpolation_and_elision(bridge):
    assert "council]" not in bridge.text and "[The" not in bridge.text
    # the elided words ("During the closure ...") are covered by the full rendition only, not by the elided quotation
    start = bridge.text.index("During the closure")
    stretch = next(s for s in bridge.stretches if s.span[0] <= start < s.span[1])
    assert stretch.witnesses == ("the-courier",)


def test_bridge_against_the_source(bridge):
    source = read_document(BRIDGE / "sources" / "statement.txt", role="source")
    comparison = against(bridge, source)
    assert [(d.variant.source_text, d.variant.quote_text) for d in comparison.differences] == [("weeks", "months")]
    (d,) = comparison.differences
    assert d.entries == (1,) and "north-gazette" in d.explanation and "the-courier" in d.explanation


def test_bridge_lacunae_with_a_source():
    case = load_case(BRIDGE)
    refs = [r for r in case.articles if r.id in ("daily-post", "river-radio")]
    result = check_articles(case.sources, refs, case_id=case.id, root=case.root)
    recon = reconstruct_check(result)
    assert recon.lacunae
    assert LACUNA in recon.text
    assert "We regret" not in recon.text  # quoted by neither
    check_spans(recon)


def test_bridge_without_a_source_grows_islands_tied_by_an_elided_quotation():
    paths = [BRIDGE / "articles" / f"{n}.txt" for n in ("daily-post", "north-gazette", "river-radio")]
    docs = [read_document(p) for p in paths]
    recon = reconstruct_articles(docs, source_id="statement")
    assert recon.text.startswith("We regret the disruption")
    assert recon.text.index(LACUNA) < recon.text.index("The works are expected")
    unplaced = " ".join(r.text for r in recon.unplaced)
    assert "badly planned" in unplaced  # another speaker
    check_spans(recon)


# ---------------------------------------------------------------- generated witnesses

SYLLABLES = ["ka", "lo", "mi", "ne", "pu", "ra", "si", "to", "vu", "ze", "bo", "de"]


def word(i):
    return "".join(SYLLABLES[(i // len(SYLLABLES) ** k) % len(SYLLABLES)] for k in range(3))


def piece(witness, text):
    return WitnessText(witness, text, tokenize(text))


@given(st.integers(0, 2**32 - 1), st.integers(4, 7), st.sampled_from(["omit", "substitute", "insert"]))
@settings(max_examples=60)
def test_majority_restores_a_corrupted_witness(seed_, step, edit):
    rng = random.Random(seed_)
    words = [word(i) for i in rng.sample(range(len(SYLLABLES) ** 3), 6 * step)]
    # windows three steps long, one step apart: inside, every word has three witnesses
    windows = [(max(0, s * step), min(len(words), (s + 3) * step)) for s in range(-2, 6)]
    windows = [w for w in windows if w[1] - w[0] >= 3]
    pieces = [piece(f"w{n}", " ".join(words[a:b])) for n, (a, b) in enumerate(windows)]
    # corrupt one witness at a word that two other witnesses also cover
    n = rng.choice([k for k, (a, b) in enumerate(windows) if b - a == 3 * step])
    a, b = windows[n]
    pos = rng.randrange(a + 1, b - 1)
    covering = [k for k, (x, y) in enumerate(windows) if x < pos < y - 1 and k != n]
    if len(covering) < 2:
        return
    ws = words[a:b]
    k = pos - a
    if edit == "omit":
        del ws[k]
    elif edit == "substitute":
        ws[k] = "zzyzx"
    else:
        ws.insert(k, "zzyzx")
    pieces[n] = piece(f"w{n}", " ".join(ws))
    recon = reconstruct_excerpts(pieces, source_id="t")
    assert recon.text.split() == words
    assert len(recon.apparatus) == 1
    (e,) = recon.apparatus
    assert e.readings[1].witnesses == (f"w{n}",) and e.votes[0] >= 2
    check_spans(recon)


PHRASES = st.lists(st.sampled_from("a b c the of , . ; The A".split()), min_size=3, max_size=30).map(" ".join)


@given(st.lists(PHRASES, min_size=1, max_size=5))
@settings(max_examples=100)
def test_any_witnesses_give_a_consistent_apparatus(texts):
    recon = reconstruct_witnesses([(f"w{i}", t) for i, t in enumerate(texts)])
    check_spans(recon)
    if len(set(texts)) == 1:
        assert recon.text == texts[0] and not recon.apparatus


def test_collate_whole_witnesses():
    texts = {"a": "The cat sat on the mat.", "b": "The cat sat on a mat.", "c": "The cat sat on the mat!"}
    recon = reconstruct_witnesses(list(texts.items()))
    assert recon.text == "The cat sat on the mat."
    assert [(tuple(r.text for r in e.readings), e.votes) for e in recon.apparatus] == [
        (("the", "a"), (2, 1)),
        ((".", "!"), (2, 1)),
    ]
    # the multiple alignment: every word of every witness is in one column
    for wid, text in texts.items():
        cells = [t for c in recon.columns for w, _, toks in c.cells if w == wid for t in toks]
        assert sorted(cells) == list(range(len(tokenize(text))))


# ---------------------------------------------------------------- outputs and the command line


def test_json_shape(bridge):
    j = reconstruction_json(bridge)
    assert j["schema"] == "quoteverify/reconstruction@1"
    assert j["text"] == bridge.text and j["tie_rule"]
    assert [w["id"] for w in j["witnesses"]] == ["the-courier", "north-gazette", "river-radio", "daily-post"]
    for a in j["apparatus"]:
        assert a["chosen"] == a["readings"][0]["text"]
        assert j["text"][a["span"][0] : a["span"][1]] == a["chosen"]
    json.dumps(j)


def test_html_escapes_witness_text():
    recon = reconstruct_witnesses([("a", "Say <b>bold</b> & go."), ("b", "Say <b>bald</b> & go."), ("c", "Say <b>bold</b> & go.")])
    page = render_html(recon)
    assert "<b>" not in page and "&lt;b&gt;" in page
    assert "http://" not in page and "https://" not in page


def test_cli_case_and_against():
    runner = CliRunner()
    r = runner.invoke(main, ["reconstruct", str(BRIDGE)])
    assert r.exit_code == 0 and "months" in r.output
    r = runner.invoke(main, ["reconstruct", str(BRIDGE), "--against", str(BRIDGE / "sources" / "statement.txt"), "--format", "json"])
    assert r.exit_code == 1
    j = json.loads(r.output)
    assert j["against"]["differences"][0]["apparatus"] == [2]
    r = runner.invoke(main, ["reconstruct", str(BRIDGE), "--format", "tei"])
    ET.fromstring(r.output.encode("utf-8"))


def test_cli_articles_and_output_file(tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.html"
    arts = [str(p) for p in sorted((BRIDGE / "articles").glob("*.txt"))]
    r = runner.invoke(main, ["reconstruct", "--source-id", "statement", *arts, "--format", "html", "-o", str(out)])
    assert r.exit_code == 0 and r.output == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_errors(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["reconstruct", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1
    r = runner.invoke(main, ["reconstruct", str(BRIDGE / "articles" / "daily-post.txt"), str(BRIDGE / "articles" / "river-radio.txt")])
    assert r.exit_code == 2 and "--source-id" in r.output
    r = runner.invoke(main, ["reconstruct", str(BRIDGE), "--source-id", "nothing-like-it"])
    assert r.exit_code == 2 and "nothing-like-it" in r.output and "Traceback" not in r.output


# ---------------------------------------------------------------- the layout steps over idle positions


def walked_layout(placed, places, base_keys, joins, rank):
    """The layout by visiting every base position: what the layout's stepping over idle positions must equal."""
    place_at = {pl.lo: pl for pl in places}
    by_token = vote._readers(placed, rank)
    out = vote._Layout()
    x = 0
    while x <= 2 * len(base_keys):
        if x % 2 == 0 and x // 2 in set(joins) and out.emits and not out.in_lacuna:
            out.lacuna(x // 2)
        place = place_at.get(x)
        if place is not None:
            covering = [p for p in placed if vote._covers(p, place)]
            if covering:
                vote._read_place(out, place, covering, rank)
                x = place.hi + 1
                continue
        if x % 2 == 1:
            i = x // 2
            cov = by_token.get(i)
            if cov:
                agreeing = [p for p in cov if p.excerpt.tokens[p.wtok[i][0]].norm == base_keys[i]]
                chooser = (agreeing or cov)[0]
                out.emit(vote._Emit(chooser, chooser.wtok[i][0], i), tuple(sorted({p.excerpt.witness for p in cov})))
                out.in_lacuna = False
            elif not out.in_lacuna and any(p.lo <= i for p in placed):
                out.lacuna(i)
        x += 1
    while out.emits and out.emits[-1].placed is None:
        out.emits.pop()
        out.cover.pop()
    return out


def walked_columns(placed, places, n_base, rank):
    """The columns by trying every base token against every excerpt: what the columns of the read tokens must equal."""
    units = []
    for pl in places:
        readers = [p for p in placed if vote._covers(p, pl)]
        starts = [2 * it.s0 + 1 if it.op == "replace" else 2 * it.s0 for p in readers for it in p.items if it.op in ("replace", "insert")]
        if any(pl.lo <= x <= pl.hi for x in starts):
            units.append((pl, readers))

    def place_column(pl, readers):
        read = tuple((p.excerpt.witness, p.number, vote._reading(p, pl)) for p in sorted(readers, key=rank.key))
        return Column("place", tuple(c for c in read if c[2]))

    out, k = [], 0
    for i in range(n_base):
        while k < len(units) and units[k][0].lo <= 2 * i + 1:
            out.append(place_column(*units[k]))
            k += 1
        cells = []
        for p in sorted(placed, key=rank.key):
            got = p.wtok.get(i)
            if got is not None and got[0] == got[1] and vote._equal_at(p, i):
                cells.append((p.excerpt.witness, p.number, (got[0],)))
        if cells:
            out.append(Column("token", tuple(cells)))
    return out + [place_column(*u) for u in units[k:]]


@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.booleans())
@settings(max_examples=80, deadline=None)
def test_layout_and_columns_equal_the_walk_over_every_position(seed_, n_excerpts, with_joins):
    rng = random.Random(seed_)
    words = [word(rng.randrange(len(SYLLABLES) ** 3)) for _ in range(rng.randrange(20, 120))]
    base = tokenize(" ".join(words))
    excerpts, placements = [], {}
    for n in range(n_excerpts):
        a = rng.randrange(len(base) - 3)
        b = rng.randrange(a + 2, min(len(base), a + 25) + 1)
        ws = [t.text for t in base[a:b]]
        for _ in range(rng.randrange(3)):  # a word left out, changed or added
            k = rng.randrange(len(ws))
            ws[k : k + 1] = rng.choice([[], ["zzyzx"], [ws[k], "zzyzx"]])
        toks = tokenize(" ".join(ws) or "zzyzx")
        ops = align(base[a:b], toks).ops
        excerpts.append(WitnessText(f"w{rng.randrange(4)}", " ".join(ws), toks, n, 0))
        placements[n] = [AlignOp(op.op, (op.src[0] + a, op.src[1] + a), op.quo) for op in ops]
    joins = sorted(rng.sample(range(len(base)), 3)) if with_joins else ()
    keys = [t.norm for t in base]

    def rebuilt():
        return vote.build_reconstruction(excerpts, keys, placements, source_id="t", title="t", outlets={}, joins=joins)

    fast = rebuilt()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vote, "_lay_out", walked_layout)
        mp.setattr(vote, "_columns", walked_columns)
        assert rebuilt() == fast
