"""Tests of the ingest stage: decoding, faults, HTML, paragraphs, boilerplate,
cases and ad hoc inputs."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import sys
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quoteverify.errors import InputError
from quoteverify.ingest import (
    decode_bytes,
    document_from_text,
    find_paragraphs,
    iter_articles,
    load_case,
    read_article,
    read_document,
)
from quoteverify.ingest.boilerplate import dominant_script, find_boilerplate
from quoteverify.models import ArticleRef, Document, Paragraph

REPO = Path(__file__).resolve().parents[1]
CASE_DIR = REPO / "corpus" / "seely-letter"
SEEDS = REPO / "corpus" / "seely-letter" / "articles"  # the seed articles, byte for byte
SEED_FILES = {name: f"{name}.txt" for name in ("straits-times-afp", "independent", "lbc", "sky-news", "bbc-news")}
BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
SAMPLE = (
    "\u201cWe respect your sovereign decision,\u201d he said.\r\nNa\u00efve caf\u00e9 \u2013 \u00a3220.\r\n"
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def paragraph_texts(doc: Document) -> list[str]:
    return [doc.paragraph_text(i) for i in range(len(doc.paragraphs))]


def skipped_texts(doc: Document) -> list[str]:
    return [doc.text[a:b] for a, b in doc.skipped]


def is_skipped(doc: Document, index: int) -> bool:
    p = doc.paragraphs[index]
    return (p.start, p.end) in set(doc.skipped)


def check_spans(doc: Document) -> None:
    """Paragraphs and skipped spans lie inside the text, in order, trimmed; skipped spans are paragraphs."""
    last = 0
    for i, p in enumerate(doc.paragraphs):
        assert p.index == i
        assert last <= p.start < p.end <= len(doc.text)
        chunk = doc.text[p.start : p.end]
        assert not chunk[0].isspace() and not chunk[-1].isspace()
        last = p.end
    spans = [(p.start, p.end) for p in doc.paragraphs]
    assert list(doc.skipped) == sorted(set(doc.skipped))
    assert set(doc.skipped) <= set(spans)


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    "data, encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("utf-16"), "utf-16-le" if sys.byteorder == "little" else "utf-16-be"),
        (b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (SAMPLE.encode("utf-32"), "utf-32-le" if sys.byteorder == "little" else "utf-32-be"),
        (SAMPLE.encode("cp1252"), "cp1252"),
    ],
)
def test_encodings(tmp_path, data, encoding):
    p = write(tmp_path, "a.txt", data)
    doc = read_document(p)
    assert doc.text == SAMPLE
    assert doc.encoding == encoding
    assert doc.warnings == ()
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert not doc.text.startswith("\ufeff")


def test_cp1252_curly_quotes_are_bytes_93_94(tmp_path):
    data = "\u201cHello,\u201d she said.".encode("cp1252")
    assert data[0] == 0x93 and b"\x94" in data
    doc = read_document(write(tmp_path, "q.txt", data))
    assert doc.text == "\u201cHello,\u201d she said."


def test_latin1(tmp_path):
    text = "Caf\u00e9 na\u00efve \u00fcber Stra\u00dfe, \u00bfqu\u00e9?"
    doc = read_document(write(tmp_path, "l.txt", text.encode("latin-1")))
    assert doc.text == text
    assert doc.encoding == "latin-1"


def test_undecodable_bytes_are_replaced_and_reported(tmp_path):
    good = SAMPLE.encode("utf-8")
    data = good[:25] + b"\xff\xfe\x80" + good[25:]
    doc = read_document(write(tmp_path, "bad.txt", data))
    assert doc.encoding == "utf-8"
    assert doc.warnings == ("3 undecodable bytes replaced",)
    assert doc.text.count("\ufffd") == 3
    assert "Na\u00efve caf\u00e9" in doc.text


def test_one_undecodable_byte_in_cp1252(tmp_path):
    doc = read_document(write(tmp_path, "c.txt", b"\x93Hi\x94 \x81 there"))
    assert doc.encoding == "cp1252"
    assert doc.text == "\u201cHi\u201d \ufffd there"
    assert doc.warnings == ("1 undecodable byte replaced",)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_kept_and_offsets_point_into_them(tmp_path, newline):
    lines = ["First line.", "\u201cSecond,\u201d he said.", "", "Third."]
    text = newline.join(lines) + newline
    doc = read_document(write(tmp_path, "n.txt", text.encode("utf-8")))
    assert doc.text == text
    assert paragraph_texts(doc) == [line for line in lines if line]
    check_spans(doc)


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize(
    "data, fault",
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file (PNG), not text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (PDF), not text"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary file (JPEG), not text"),
        (b"GIF89a\x01\x00\x01\x00", "binary file (GIF), not text"),
        (b"PK\x03\x04\x14\x00\x06\x00", "binary file (ZIP), not text"),
        (gzip.compress(b"hello"), "binary file (gzip), not text"),
        (b"abc\x00\x01\x02\x03\xff\xff\x00", "binary file (NUL bytes), not text"),
        (b" \n\t\r\n ", "no text, only white space"),
    ],
)
def test_bad_files(tmp_path, data, fault):
    p = write(tmp_path, "bad.txt", data)
    with pytest.raises(InputError) as e:
        read_document(p)
    assert str(e.value) == f"{p}: {fault}"
    assert "\n" not in str(e.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match=r": no such file$"):
        read_document(tmp_path / "nothing.txt")
    with pytest.raises(InputError, match=r": is a directory, not a file$"):
        read_document(tmp_path)


def test_too_large(tmp_path):
    p = write(tmp_path, "big.txt", b"a" * (52_400 * 2**10))
    with pytest.raises(InputError) as e:
        read_document(p, max_bytes=16 * 2**20)
    assert e.value.fault == "51.2 MB, over the 16 MB limit"
    small = write(tmp_path, "small.txt", b"x" * 3000)
    with pytest.raises(InputError, match=r"2.9 KB, over the 1 KB limit"):
        read_document(small, max_bytes=1024)


@pytest.mark.parametrize("chunk", [1, 3, 1000])
@pytest.mark.parametrize("told", [-4, -1, 0, 1, 5])
def test_a_file_is_read_whole_whatever_its_reads_give_and_its_status_said(tmp_path, monkeypatch, chunk, told):
    """Reads that come short, and a size that the file no longer has (it grew or shrank after its
    status was taken), still give every byte the file holds, or the limit's fault."""
    from quoteverify.ingest import inputs

    data = bytes(range(48, 48 + 40)) * 3
    p = write(tmp_path, "a.txt", data)
    real_read, real_fstat = os.read, os.fstat
    monkeypatch.setattr(inputs.os, "read", lambda fd, n: real_read(fd, min(n, chunk)))
    monkeypatch.setattr(inputs.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], len(data) + told, *real_fstat(fd)[7:])))
    assert inputs.read_bytes(p) == data
    with pytest.raises(InputError, match="over the 119 bytes limit"):
        inputs.read_bytes(p, max_bytes=len(data) - 1)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable(tmp_path):
    p = write(tmp_path, "secret.txt", b"text")
    p.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            read_document(p)
    finally:
        p.chmod(0o644)


def test_input_is_never_modified(tmp_path):
    data = SAMPLE.encode("cp1252")
    p = write(tmp_path, "ro.txt", data)
    p.chmod(0o444)
    before = p.stat()
    read_document(p)
    after = p.stat()
    assert p.read_bytes() == data
    assert (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size)


def test_one_megabyte_line(tmp_path):
    words = ("quotation " * 110_000)[: 2**20]
    last = "\u201cLast,\u201d he said."
    text = "Head line\n" + words + "\n" + last + "\n"
    p = write(tmp_path, "long.txt", text)
    doc = read_document(p)
    assert [len(t) for t in paragraph_texts(doc)] == [9, len(words.strip()), len(last)]
    check_spans(doc)


def test_name_with_spaces_and_non_ascii_letters(tmp_path):
    p = write(tmp_path, "Le Monde \u2013 \u00e9t\u00e9 2020 \u00e7a.txt", "Un article.\n")
    doc = read_document(p)
    assert doc.id == "Le Monde \u2013 \u00e9t\u00e9 2020 \u00e7a"
    assert doc.path == str(p)
    assert doc.text == "Un article.\n"


# --------------------------------------------------------------------------- HTML

NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}">
<title>Minister denies harbour plan | Daily Example</title>
<meta property="og:title" content="Minister denies harbour plan">
<meta property="article:published_time" content="2021-03-04T10:00:00Z">
<script>var tracking = "TRACKING-SCRIPT";</script>
<style>.promo {{ color: red }}</style></head>
<body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">NAVIGATION-NEWS</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>Minister denies harbour plan</h1>
<figure><img src="harbour.jpg" alt=""><figcaption>FIGURE-CAPTION the harbour at dawn. Photo: Example Agency</figcaption></figure>
<p>The minister on Tuesday denied that the harbour would be sold, despite a letter seen by this newspaper.</p>
<p>\u201cWe have no plan to sell the harbour,\u201d she told reporters. \u201cNone whatsoever.\u201d</p>
<p>The letter, dated 2 March, said the council would \u201creview all options for the harbour over the coming months\u201d.</p>
<p>Opposition members called the denial \u2018unconvincing\u2019 and asked for the caf\u00e9 owners to be heard.</p>
<script>document.write("AD-SLOT-SCRIPT");</script>
</article>
<aside><h2>Most read</h2><ol><li><a href="/1">PROMO-LIST cat rescued from tree</a></li>
<li><a href="/2">PROMO-LIST storm warning for the weekend</a></li></ol></aside>
</main>
<footer><p>FOOTER-TEXT \u00a9 2021 Daily Example. All rights reserved.</p></footer>
</body></html>
"""
ARTICLE_PARAGRAPHS = [
    "\u201cWe have no plan to sell the harbour,\u201d she told reporters. \u201cNone whatsoever.\u201d",
    "The letter, dated 2 March, said the council would \u201creview all options for the harbour over the coming months\u201d.",
]
FURNITURE = [
    "TRACKING-SCRIPT",
    "NAVIGATION-NEWS",
    "FIGURE-CAPTION",
    "AD-SLOT-SCRIPT",
    "PROMO-LIST",
    "FOOTER-TEXT",
]


def check_news_page(doc: Document) -> None:
    paras = paragraph_texts(doc)
    for wanted in ARTICLE_PARAGRAPHS:
        assert wanted in paras
    for unwanted in FURNITURE:
        assert unwanted not in doc.text
    assert "Minister denies harbour plan" in doc.title
    check_spans(doc)


def test_html_page(tmp_path):
    pytest.importorskip("trafilatura")
    data = NEWS_PAGE.format(charset="utf-8").encode("utf-8")
    doc = read_document(write(tmp_path, "page.html", data))
    check_news_page(doc)
    assert doc.date == "2021-03-04"
    assert doc.warnings == ()
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert "\n\n" not in doc.text


def test_html_sniffed_in_txt_and_declared_charset(tmp_path):
    pytest.importorskip("trafilatura")
    data = NEWS_PAGE.format(charset="windows-1252").encode("cp1252")
    doc = read_document(write(tmp_path, "saved page.txt", data))
    assert doc.encoding == "cp1252"
    check_news_page(doc)
    assert "caf\u00e9" in doc.text


def test_html_date_given_wins(tmp_path):
    pytest.importorskip("trafilatura")
    p = write(tmp_path, "page.htm", NEWS_PAGE.format(charset="utf-8"))
    assert read_document(p, date="2021-03-05").date == "2021-03-05"


def test_html_without_trafilatura(tmp_path, monkeypatch):
    from quoteverify.ingest import html as ingest

    monkeypatch.setattr(ingest, "_trafilatura", "No module named 'trafilatura'")
    doc = read_document(write(tmp_path, "page.html", NEWS_PAGE.format(charset="utf-8")))
    check_news_page(doc)
    assert len(doc.warnings) == 1 and "trafilatura" in doc.warnings[0]


def test_html_with_no_text(tmp_path):
    p = write(
        tmp_path,
        "blank.html",
        "<html><head><title>x</title></head><body><script>var x = 1;</script><div> </div></body></html>",
    )
    with pytest.raises(InputError, match=r"blank.html: no article text found in the HTML page$"):
        read_document(p)


# --------------------------------------------------------------------------- paragraphs


def test_article_paragraphs_are_lines():
    text = "Headline\n\n  Caption line  \nCaption line. Picture: PA\r\n\u201cQuote.\r\n"
    doc = document_from_text(text, id="a")
    assert paragraph_texts(doc) == ["Headline", "Caption line", "Caption line. Picture: PA", "\u201cQuote."]


def test_source_paragraphs_are_blocks():
    text = "First para\nhard wrapped  \nhere.\n\n  Second para.\r\n\r\n\r\nThird\n"
    doc = document_from_text(text, id="s", role="source")
    assert paragraph_texts(doc) == ["First para\nhard wrapped  \nhere.", "Second para.", "Third"]
    assert doc.skipped == ()


def test_source_without_blank_lines_has_a_paragraph_per_line():
    doc = document_from_text("\n\nOne.\r\nTwo.\nThree.\n\n", id="s", role="source")
    assert paragraph_texts(doc) == ["One.", "Two.", "Three."]


def test_bom_char_is_not_text():
    doc = document_from_text("\ufeffHello.", id="x")
    assert doc.text == "Hello."


def lines_oracle(text: str) -> list[str]:
    return [line.strip() for line in BREAKS.split(text) if line.strip()]


def blocks_oracle(text: str) -> list[str]:
    lines = BREAKS.split(text)
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if len(blocks) <= 1:
        return lines_oracle(text)
    return [BREAKS.sub("\n", "\n".join(b)).strip() for b in blocks]


line_text = st.lists(
    st.one_of(
        st.sampled_from(
            ["\n", "\r", "\r\n", " ", "\t", "\u00a0", "\u2028", "\u2029", "\x0c", "a", "\u201c", "."]
        ),
        st.characters(codec="utf-8"),
    ),
    max_size=80,
).map("".join)


@given(line_text)
@example("a\r\nb")
@example("a\r\r\nb")
def test_paragraphs_match_oracle(text):
    from quoteverify.ingest import document

    found = [text[p.start : p.end] for p in find_paragraphs(text, role="article")]
    assert found == lines_oracle(text)
    # the lines given to find_boilerplate along with the paragraphs are their texts, trimmed
    paragraphs, lines = document._paragraphs(text, "article")
    if lines is not None:
        assert lines == [text[p.start : p.end] for p in paragraphs] == [line.strip() for line in lines]
    blocks = [text[p.start : p.end] for p in find_paragraphs(text, role="source")]
    assert [BREAKS.sub("\n", b) for b in blocks] == blocks_oracle(text)


@given(line_text, line_text, st.sampled_from(["\n", "\n\n", "\r\n\r\n", "\u2029"]))
@example("One.\n\nTwo.", "Three.\nFour.", "\n\n")
def test_paragraphs_of_an_article_with_a_long_line_are_its_lines(before: str, after: str, sep: str) -> None:
    """An article with a line too long for a hard-wrapped text, whose blank lines are not looked for, has a paragraph a line."""
    from quoteverify.ingest import document

    text = before + sep + " ".join(["harbour"] * 20) + sep + after
    found = [text[p.start : p.end] for p in find_paragraphs(text, role="article")]
    assert found == lines_oracle(text)
    paragraphs, lines = document._paragraphs(text, "article")
    assert lines == found


@given(
    st.lists(
        st.one_of(
            st.characters(),
            st.sampled_from(["\x00", "\x08", "\t", "\x0e", "\x1f", "\x7f", "\x80", "\x9f", "\xa0", "\xc2", "\ud800", "\udfff"]),
        ),
        max_size=40,
    ).map("".join)
)
def test_control_characters_counted_in_utf8_are_those_the_pattern_finds(text: str) -> None:
    from quoteverify.ingest import decode

    assert decode.count_controls(text) == len(decode._CONTROL.findall(text))


# --------------------------------------------------------------------------- boilerplate


def article(lines: list[str]) -> Document:
    return document_from_text("\n\n".join(lines) + "\n", id="t")


BODY = [
    "A headline about the harbour",
    "The minister denied on Tuesday that the harbour would be sold to a private buyer.",
    "\u201cWe have no plan to sell the harbour,\u201d she told reporters in the capital.",
    "The letter said the council would \u201creview all options over the coming months\u201d.",
    "Opposition members called the denial unconvincing and asked for an inquiry.",
    "A council spokesman declined to comment further on the contents of the letter.",
]


@pytest.mark.parametrize(
    "boiler",
    [
        "Image: The harbour at dawn",
        "Photo: Reuters",
        "PHOTO: A quiet morning",
        "Picture: the harbour",
        "File photo: the harbour in 2019",
        "Image caption, The harbour at dawn",
        "The harbour at dawn on Tuesday. PHOTO: EPA-EFE",
        "The harbour at dawn on Tuesday. Picture: PA",
        "Boats moored in the harbour: Getty",
        "Boats moored in the harbourImage source, AFP",
        "The newspaper is not responsible for the content of external sites.View original tweet on Twitter",
        "Join our Telegram channel and get the latest breaking news delivered to you.",
        "We have temporarily suspended article commenting while we improve the community experience.",
        "\u6700\u65b0\u6d88\u606f\u5728\u7ebf\u5a31\u4e50\u5b98\u7f51",
        "Read more",
    ],
)
def test_boilerplate_line_in_the_body_is_skipped(boiler):
    doc = article(BODY[:3] + [boiler] + BODY[3:])
    assert skipped_texts(doc) == [boiler]
    check_spans(doc)


def test_caption_repeated_with_credit_or_label():
    for first, second in [
        ("Boats in the harbour at dawn", "Boats in the harbour at dawn. Picture: PA"),
        ("Boats in the harbour at dawn", "Image: Boats in the harbour at dawn"),
        ("Boats in the harbour at dawn", "Boats in the harbour at dawn"),
    ]:
        doc = document_from_text("\n".join(BODY[:2] + [first, second] + BODY[2:]), id="c")
        assert skipped_texts(doc) == [first, second]


def test_bare_caption_label_takes_the_next_line():
    doc = article(BODY[:2] + ["Media caption,", "Who is the minister?"] + BODY[2:])
    assert skipped_texts(doc) == ["Media caption,", "Who is the minister?"]


def test_link_list_at_the_end_is_skipped_to_the_end():
    tail = [
        "More from World",
        "Storm warning for the weekend",
        "Cat rescued from a tree in the park",
        "Prices rise again \u201cfaster than expected\u201d",
        "Council elections next month",
    ]
    doc = article(BODY + tail)
    assert skipped_texts(doc) == tail


def test_link_marker_in_the_first_half_skips_only_itself():
    doc = article(BODY[:2] + ["Related stories"] + BODY[2:] * 3)
    assert skipped_texts(doc) == ["Related stories"]


def test_marker_before_prose_skips_only_itself():
    """A marker late in the page followed by more article prose is not a link list."""
    prose = [
        "About an hour later, the minister told reporters that the letter was a draft.",
        "\u201cThere has been no decision whatsoever,\u201d she said.",
        "Our own sources confirmed that the letter was genuine and had been delivered.",
    ]
    doc = article(BODY + ["More from World"] + prose)
    assert skipped_texts(doc) == ["More from World"]


def test_quotation_paragraphs_are_never_skipped():
    quote = "\u201cWe respect your decision. Picture: the future,\u201d she said."
    doc = document_from_text("\n".join(BODY + [quote, quote, "\u201cImage: a phrase of hers.\u201d"]), id="q")
    assert doc.skipped == ()


def test_prose_mentioning_pictures_is_kept():
    lines = BODY + [
        "The photo was taken in 2019 and shows the harbour before the storm.",
        "Image matters to the minister, her aides said.",
        "Related reports suggested the sale had been discussed for months.",
    ]
    assert article(lines).skipped == ()


def test_dominant_script():
    assert dominant_script("Hello \u4f60\u597d world") == "Latin"
    assert dominant_script("\u041f\u0440\u0438\u0432\u0435\u0442 hi") == "Cyrillic"
    assert dominant_script("123 !") is None


def test_latin_line_in_a_cyrillic_article_is_skipped():
    lines = [
        "\u041c\u0438\u043d\u0438\u0441\u0442\u0440 \u043e\u043f\u0440\u043e\u0432\u0435\u0440\u0433 \u043f\u043b\u0430\u043d.",
        "\u041f\u0438\u0441\u044c\u043c\u043e \u0431\u044b\u043b\u043e \u043e\u0448\u0438\u0431\u043a\u043e\u0439, \u0441\u043a\u0430\u0437\u0430\u043b \u043e\u043d.",
        "Casino online best bonus",
        "\u0414\u0435\u043f\u0443\u0442\u0430\u0442\u044b \u043f\u043e\u0442\u0440\u0435\u0431\u043e\u0432\u0430\u043b\u0438 \u0440\u0430\u0441\u0441\u043b\u0435\u0434\u043e\u0432\u0430\u043d\u0438\u044f.",
    ]
    assert skipped_texts(article(lines)) == ["Casino online best bonus"]


def _caption_by_patterns(s: str) -> bool:
    """_is_caption without its shortcuts: the two patterns over a line's first and last characters."""
    from quoteverify.ingest import boilerplate as bp

    tail = s[-bp.WINDOW :]
    if bp._CAPTION_LABEL.match(s[: bp.WINDOW]):
        return True
    return (":" in tail or "(" in tail or "source," in tail.lower()) and bool(bp._CAPTION_CREDIT.search(tail))


_caption_pieces = st.sampled_from(
    ["Image", "photo", "PIC", "credit", "file picture", "source,", "image source, AFP", ":", ": Getty", " (Reuters)", "(AP)", " ",
     "\u201c", "\u201d", "!", "?", '"', ".", "\u2014", "x", "\u017f", "\ufb01", "\u0130", "\u00e9", "Boats moored",
     " via A.P.", "/Reuters."]
)


@given(st.lists(_caption_pieces, max_size=12).map("".join))
@example("Boats moored: Getty via A.P.")  # credits that end with a full stop
@example("Boats moored: PA/Reuters.")
@example("Boats moored (Reuters/A.P.")
def test_caption_shortcuts_change_nothing(s: str) -> None:
    from quoteverify.ingest.boilerplate import _is_caption

    assert _is_caption(s) == _caption_by_patterns(s)


# The rules of find_boilerplate, each tried on every line without the cheap tests before them.


def _dominant_by_counts(text: str) -> str | None:
    from quoteverify.ingest import boilerplate as bp

    counts = bp.script_counts(bp._sample(text))
    if len(counts) < 2:
        return next(iter(counts), None)
    order = [name for name, _ in bp._SCRIPTS] + ["Other"]
    return max(order, key=lambda name: (counts.get(name, 0), -order.index(name)))


def _repeated_by_patterns(a: str, b: str) -> bool:
    from quoteverify.ingest import boilerplate as bp

    if a == b:
        return bp._words(a) >= 1
    if not (b.startswith(a) or b.endswith(a)) or bp._words(a) < 2:
        return False
    return _caption_by_patterns(b) or (bp._words(a) >= 4 and len(b) - len(a) <= bp.REPEAT_TAIL)


def _link_lists_by_pattern(text: str, paragraphs, lines):  # type: ignore[no-untyped-def]
    """Where a link list runs to the end, and the link-list lines, each short line matched."""
    from quoteverify.ingest import boilerplate as bp

    reasons = {}
    for i, s in enumerate(lines):
        if len(s) <= bp.LINK_MARKER_CHARS and bp._LINK_MARKER.match(s) and s[:1] not in bp._OPENING_QUOTE_SET:
            if paragraphs[i].start >= len(text) / 2 and bp._is_list_tail(lines[i + 1 :]):
                return i, {**reasons, **{j: "link list" for j in range(i, len(lines))}}
            reasons[i] = "link list"
    return len(lines), reasons


def _boilerplate_by_rules(text: str, paragraphs) -> list[tuple[int, str]]:
    from quoteverify.ingest import boilerplate as bp

    lines = [text[p.start : p.end] for p in paragraphs]
    if not lines:
        return []
    tail_from, reasons = _link_lists_by_pattern(text, paragraphs, lines)
    assert bp._link_lists(text, paragraphs, lines) == (tail_from, reasons)
    dominant = _dominant_by_counts(text)
    foreign = bp._foreign_letters(dominant) if dominant else None
    phrase = [len(s) <= bp.PHRASE_CHARS and bp._DOUBLE_QUOTE.search(s) is None for s in lines]
    joined = "\n".join(s for s, p in zip(lines, phrase) if p).lower()
    keys = [k for k in bp._PROMO_KEYS if k in joined]
    opens = bp._OPENING_QUOTE_SET
    def squash(s: str) -> str:
        return " ".join(s.split())

    for i in range(tail_from):
        s = lines[i]
        if i in reasons or s[:1] in opens:
            continue
        reason = None
        nxt = lines[i + 1] if i + 1 < tail_from else None
        if _caption_by_patterns(s):
            reason = "caption"
            if bp._BARE_LABEL.match(s) and nxt is not None and nxt[:1] not in opens:
                if bp._words(nxt) <= bp.CAPTION_WORDS:
                    reasons.setdefault(i + 1, "caption")
        elif nxt is not None and nxt[:1] not in opens and bp._may_repeat(s, nxt):
            if _repeated_by_patterns(squash(s), squash(nxt)):
                reason = "caption"
                reasons.setdefault(i + 1, "caption")
        if reason is None and foreign is not None:
            letters = len(bp._LETTER.findall(s))
            if letters >= 2 and len(foreign.findall(s)) > bp.FOREIGN_SHARE * letters:
                reason = "script"
        if reason is None and phrase[i] and (any(k in s.lower() for k in keys) or s.rstrip().endswith(",")):
            reason = next((kind for kind, pattern in bp._PROMO if pattern.search(s)), None)
        if reason is None and len(s) <= 200:
            if bp._LABEL.match(s):
                reason = "label"
            elif bp._shouting(s):
                reason = "promo"
        if reason is not None:
            reasons.setdefault(i, reason)
    return sorted(reasons.items())


_line_pieces = st.sampled_from(
    ["Image: ", "Photo credit", "Picture: PA", "Media caption,", "Read more", "Related stories", "More from World",
     "Advertisement", "FOLLOW OUR LIVE UPDATES ON THE HARBOUR NOW", "Join our Telegram channel", "Sign up to our newsletter",
     "View original tweet", "comments are closed", "video player", ", , ,", "source, AFP", " (Reuters)", ": Getty",
     "The", "the harbour at dawn", "Boats moored", "She said", ".", ",", ":", "!", " ", "  ", "\t", "\u00a0",
     "\u201cWe will sell,\u201d", "\u2018no\u2019", "\u2014", "\u2026", "\u00e9t\u00e9", "\u00b5", "\u017f", "\u0130", "\u212a",
     "\ufb01", "\u0416\u0443\u0440\u043d\u0430\u043b", "\u4e2d\u6587\u65b0\u95fb", "\u03a9", "\u2126", "e,", "E,", "x"]
)
_line_starts = st.sampled_from(
    ["", "", "Photo: ", "PHOTO credit: ", "Image caption, ", "Pictured: ", "File picture| ", "Video caption: ", "Credit: ",
     "— Image: ", "Advertisement", "Published", "Read more", "Most read", "“", "Ph", "Ca", "Cr", "Me"]
)
_article_lines = st.lists(
    st.tuples(_line_starts, st.lists(_line_pieces, max_size=5).map("".join)).map("".join), min_size=1, max_size=12
)


@settings(max_examples=500, deadline=None)
@given(_article_lines, st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"]))
def test_boilerplate_cheap_tests_change_nothing(lines: list[str], sep: str) -> None:
    """The lines found, with the cheap tests and without, in articles made of bits of boilerplate and prose."""
    doc = document_from_text(sep.join(lines), id="b")
    found = [(s.index, s.reason) for s in find_boilerplate(doc.text, doc.paragraphs)]
    assert found == _boilerplate_by_rules(doc.text, doc.paragraphs)
    lines = [doc.text[p.start : p.end] for p in doc.paragraphs]
    assert [(s.index, s.reason) for s in find_boilerplate(doc.text, doc.paragraphs, lines=lines)] == found
    assert list(doc.skipped) == [(doc.paragraphs[i].start, doc.paragraphs[i].end) for i, _ in found]
    # paragraphs that take white space along (not trimmed): every line is tried
    loose = tuple(Paragraph(p.index, max(p.start - 1, 0), p.end) for p in doc.paragraphs)
    assert [(s.index, s.reason) for s in find_boilerplate(doc.text, loose)] == _boilerplate_by_rules(doc.text, loose)


@settings(max_examples=300, deadline=None)
@given(_article_lines, st.sampled_from(["\n", "\n\n", "\r\n"]))
# lines that only one of _lines_to_try's tests picks: a caption label without a colon, a credit
# after a colon that ends with a full stop, a list item's comma, a line repeated by the next (which shares its first character, or
# only its last), a label that ends with a full stop, a line in capitals
@example(["Image, boats moored in the harbour at dawn.", "Where is the harbour?"], "\n")
@example(["Boats moored in the harbour: Getty via A.P.", "Where is the harbour?"], "\n")
@example(["Read the latest stories on this harbour here on , , ,", "Where is the harbour?"], "\n")
@example(["Boats moored in the harbour at dawn.", "Boats moored in the harbour at dawn. Picture: PA"], "\n")
@example(["Boats moored in the harbour at dawn.", "Photo: Boats moored in the harbour at dawn."], "\n\n")
@example(["Where is the harbour?", "Advertisement.", "Where is the harbour?"], "\n")
@example(["Where is the harbour?", "FOLLOW OUR LIVE UPDATES ON THE HARBOUR NOW!", "Where is the harbour?"], "\n")
def test_boilerplate_lines_not_tried_change_nothing(lines: list[str], sep: str) -> None:
    """find_boilerplate finds the same lines when it tries every line as when it tries only those _lines_to_try picks."""
    from quoteverify.ingest import boilerplate as bp

    doc = document_from_text(sep.join(lines), id="b")
    lines = [doc.text[p.start : p.end] for p in doc.paragraphs]
    found = bp.find_boilerplate(doc.text, doc.paragraphs, lines=lines)
    tried_all = patch.object(bp, "_lines_to_try", lambda lines, end: range(end))
    with tried_all:
        assert bp.find_boilerplate(doc.text, doc.paragraphs, lines=lines) == found


@given(st.text(st.sampled_from("ae Z\u00b5\u0416\u4e2d\u03a9\u2126\u201c\u2014\u00e9\ud800\U0001f600"), max_size=40))
def test_dominant_script_shortcut_changes_nothing(text: str) -> None:
    from quoteverify.ingest import boilerplate as bp

    assert dominant_script(text) == _dominant_by_counts(text)
    foreign, _ = bp._foreign_pattern(text)
    if foreign is None and _dominant_by_counts(text) is not None:
        # no line of it is foreign: no letter outside the dominant group
        assert not bp._foreign_letters(_dominant_by_counts(text)).search(text)


@given(
    st.text(
        # general punctuation (U+2000-U+203F), letters of U+2040-U+2FFF (also "\xe2" in UTF-8), other letters
        st.sampled_from("ae Z.\u201c\u201d\u2014\u2026\u203e\u2071\u2102\u212a\u00e9\u00b5\u0416\u4e2d\u2126\ud800"),
        max_size=40,
    )
)
def test_foreign_letters_found_as_by_the_dominant_script(text: str) -> None:
    """The pattern of foreign letters, as the dominant group counted gives it: none without letters, or in a Latin
    text without a foreign letter."""
    from quoteverify.ingest import boilerplate as bp

    dominant = _dominant_by_counts(text)
    foreign, latin = bp._foreign_pattern(text)
    if dominant is None or (dominant == "Latin" and not bp._foreign_letters(dominant).search(text)):
        assert foreign is None
    else:
        assert foreign is bp._foreign_letters(dominant) and latin == (dominant == "Latin")


def test_plain_heads_are_those_no_caption_label_starts() -> None:
    """A line's first two characters looked up, as testing them one by one found them."""
    from quoteverify.ingest import boilerplate as bp

    chars = [chr(c) for c in range(128)] + ["\u00e9", "\u0130", "\u212a", "\u017f", "\u201c", "\u0416"]
    for head in ["", *chars, *(a + b for a in chars for b in chars)]:
        plain = head.isascii() and head[:1].isalpha() and head.lower() not in bp._LABEL_LEADS
        assert (head in bp._PLAIN_HEADS) == plain, head


_WHITE_SPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@given(st.text(st.sampled_from(["a", "b", ".", "\u201c", "\u200b", "\x00", *_WHITE_SPACE]), max_size=12))
def test_spaces_squashed_as_split_and_joined(s: str) -> None:
    from quoteverify.ingest.boilerplate import squash_spaces

    assert squash_spaces(s) == " ".join(s.split())
    assert squash_spaces(f"a {s} b") == " ".join(f"a {s} b".split())


def test_marker_heads_are_those_no_link_list_marker_starts() -> None:
    """Each phrase of the link-list marker starts with two letters of _MARKER_LEADS, and the heads
    taken as plain are those of the caption labels' rule, with those leads."""
    from quoteverify.ingest import boilerplate as bp

    body = bp._LINK_MARKER.pattern.removeprefix("^[\\W_]{0,3}(?:").removesuffix(")[\\W_]{0,3}$")
    phrases, depth, start = [], 0, 0
    for i, c in enumerate(body + "|"):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == "|" and depth == 0:
            phrases.append(body[start:i])
            start = i + 1
    assert len(phrases) == 27 and all(p[:2].isalpha() and p[:2] in bp._MARKER_LEADS for p in phrases)
    chars = [chr(c) for c in range(128)] + ["\u00e9", "\u0130", "\u212a", "\u017f", "\u201c", "\u0416"]
    for head in ["", *chars, *(a + b for a in chars for b in chars)]:
        plain = head.isascii() and head[:1].isalpha() and head.lower() not in bp._MARKER_LEADS
        assert (head in bp._MARKER_PLAIN_HEADS) == plain, head


@given(st.text(st.sampled_from("ab \t\n\r\x0b\x0c\x1c\x85\u2028\u2029\u00a0\u201c"), max_size=30))
def test_lines_found_by_newlines_as_by_every_line_break(text: str) -> None:
    from quoteverify.ingest import document

    assert document._split_lines(text) == document._TRIMMED_LINE.split(text)


def test_paragraphs_are_made_as_their_class_makes_them() -> None:
    import pickle

    paragraphs = find_paragraphs("One.\n\nTwo, and more.\nThree\n")
    made = tuple(Paragraph(p.index, p.start, p.end) for p in paragraphs)
    assert paragraphs == made and [p.__dict__ for p in paragraphs] == [p.__dict__ for p in made]
    assert pickle.dumps(paragraphs) == pickle.dumps(made)


def test_documents_are_made_as_their_class_makes_them() -> None:
    import dataclasses
    import pickle

    doc = document_from_text("A title\n\nImage: a caption\nThe text.\n", id="a", path="p.txt", outlet="O")
    made = Document(**{f.name: getattr(doc, f.name) for f in dataclasses.fields(Document)})
    assert doc == made and list(doc.__dict__.items()) == list(made.__dict__.items())
    assert pickle.dumps(doc) == pickle.dumps(made)


@given(st.binary(max_size=24).map(lambda b: b.replace(b"\x00", b"")), st.sampled_from([b"", b"\x00", b"\xef\xbb\xbf"]))
def test_decoded_text_never_holds_a_nul(data: bytes, prefix: bytes) -> None:
    """A NUL is found in the bytes before the cascade, and in the text only when not decoded as UTF-8."""
    try:
        decoded = decode_bytes(prefix + data + b"+AAA-", declared="utf-7")
    except InputError:
        return
    assert "\x00" not in decoded.text


@given(st.binary(max_size=12).map(lambda b: b"<p>x</p>" if b[:1] == b"<" else b))
def test_html_sniffed_in_bytes_as_in_their_text(data: bytes) -> None:
    from quoteverify.ingest import html

    head = data[:4096].decode("latin-1")
    assert (not data[:1].isalpha() and html.looks_like_html(head)) == html.looks_like_html(head)


@given(st.text(st.sampled_from("ae Zx\u00b5\u0416\u4e2d\u201c\u00e9"), min_size=40, max_size=400))
def test_dominant_script_of_longer_texts_changes_nothing(text: str) -> None:
    assert dominant_script(text) == _dominant_by_counts(text)


@given(st.text(st.sampled_from(" \t\n\u00a0<!-hxtml>a"), max_size=20))
def test_html_sniffing_shortcut_changes_nothing(text: str) -> None:
    from quoteverify.ingest import html

    by_patterns = bool(html._HTML_START.match(text[:4096])) or bool(
        (m := html._HTML_FRAGMENT.match(text[:4096])) and f"</{m.group(1).lower()}>" in text[:65536].lower()
    )
    assert html.looks_like_html(text) == by_patterns


def test_no_link_marker_or_page_label_is_longer_than_their_bounds() -> None:
    from quoteverify.ingest import boilerplate as bp

    for phrase in ("more from", "see more", "more in"):
        longest = "..." + phrase + " " + "x" * 39 + "..."
        assert bp._LINK_MARKER.match(longest) and len(longest) <= bp.LINK_MARKER_CHARS
        assert not bp._LINK_MARKER.match("..." + phrase + " " + "x" * 40 + "...")  # one more is too long
    longest = "...listen to this article..."
    assert bp._LABEL.match(longest) and len(longest) <= bp.LABEL_CHARS


# --------------------------------------------------------------------------- the seed articles


def letter_runs(n: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", (CASE_DIR / "sources" / "letter.txt").read_text("utf-8").casefold())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def holds_letter_run(text: str, runs: set[tuple[str, ...]], n: int = 6) -> bool:
    words = re.findall(r"\w+", text.casefold())
    return any(tuple(words[i : i + n]) in runs for i in range(len(words) - n + 1))


@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    return {name: read_document(SEEDS / f, id=name) for name, f in SEED_FILES.items()}


def indices(doc: Document, pred) -> list[int]:
    return [i for i, t in enumerate(paragraph_texts(doc)) if pred(t)]


def test_seed_spans(seeds):
    for doc in seeds.values():
        check_spans(doc)
        assert doc.encoding == "utf-8" and doc.warnings == ()


def test_seed_quotations_of_the_letter_are_kept(seeds):
    runs = letter_runs()
    for name, doc in seeds.items():
        held = indices(doc, lambda t: holds_letter_run(t, runs))
        assert held, name
        for i in held:
            assert not is_skipped(doc, i), (name, doc.paragraph_text(i))


def test_seed_independent(seeds):
    doc = seeds["independent"]
    getty = indices(doc, lambda t: t.endswith(": Getty"))
    assert len(getty) == 2 and all(is_skipped(doc, i) for i in getty)
    marker = indices(doc, lambda t: t == "Read more")[0]
    assert all(is_skipped(doc, i) for i in range(marker, len(doc.paragraphs)))
    assert not any(is_skipped(doc, i) for i in range(getty[1] + 1, marker))


def test_seed_lbc(seeds):
    doc = seeds["lbc"]
    texts = paragraph_texts(doc)
    pairs = [i for i in range(len(texts) - 1) if texts[i + 1] == texts[i] + ". Picture: PA"]
    assert len(pairs) == 2
    for i in pairs:
        assert is_skipped(doc, i) and is_skipped(doc, i + 1)
    marker = texts.index("More Latest News")
    assert all(is_skipped(doc, i) for i in range(marker, len(texts)))
    opening = indices(doc, lambda t: t.startswith("\u201c"))
    assert len(opening) >= 7
    assert not any(is_skipped(doc, i) for i in opening)


def test_seed_sky(seeds):
    doc = seeds["sky-news"]
    assert is_skipped(doc, 0)
    assert dominant_script(doc.paragraph_text(0)) == "CJK"
    images = indices(doc, lambda t: t.startswith("Image: "))
    assert len(images) == 3
    for i in images:
        assert is_skipped(doc, i) and is_skipped(doc, i - 1)
    milley = indices(doc, lambda t: t.startswith('"It was a mistake'))
    assert milley and not is_skipped(doc, milley[0])


def test_seed_straits_times(seeds):
    doc = seeds["straits-times-afp"]
    photo = indices(doc, lambda t: t.endswith("PHOTO: EPA-EFE"))
    assert len(photo) == 1 and is_skipped(doc, photo[0])


def test_seed_bbc(seeds):
    doc = seeds["bbc-news"]
    for pred in (lambda t: t.endswith("Image source, AFP"), lambda t: "View original tweet" in t):
        found = indices(doc, pred)
        assert len(found) == 1 and is_skipped(doc, found[0])


# --------------------------------------------------------------------------- cases


def test_load_the_seed_case():
    case = load_case(CASE_DIR)
    assert case.id == "seely-letter"
    assert case.root == str(CASE_DIR)
    assert case.title and case.date == "2020-01-06" and case.description
    assert [s.document.id for s in case.sources] == ["letter"]
    letter = case.sources[0]
    assert letter.document.path == "sources/letter.txt"
    assert len(letter.document.paragraphs) == 8
    assert letter.document.skipped == ()
    prov = letter.provenance
    assert prov.method and len(prov.paragraphs) == 8
    assert [p.index for p in prov.paragraphs] == list(range(8))
    assert all(c.paragraph is not None and c.chosen.text for c in prov.choices)
    assert any(c.rejected for c in prov.choices)
    assert prov.unplaced and all(u.paragraph is None for u in prov.unplaced)
    ids = [a.id for a in case.articles]
    assert len(ids) == 5 and len(set(ids)) == 5
    for ref in case.articles:
        assert not os.path.isabs(ref.path) and ref.outlet and ref.date
        doc = read_article(ref, root=case.root)
        assert doc.path == ref.path and doc.id == ref.id and doc.outlet == ref.outlet
        assert doc.sha256 == hashlib.sha256((CASE_DIR / ref.path).read_bytes()).hexdigest()


def make_case(tmp_path: Path, toml: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / "my-case"
    root.mkdir(exist_ok=True)
    (root / "case.toml").write_text(toml, encoding="utf-8")
    for name, text in (files or {"sources/s.txt": "Source text.\n", "articles/a.txt": "Article.\n"}).items():
        write(root, name, text)
    return root


GOOD_CASE = """
title = "A case"
[[sources]]
id = "s"
title = "The source"
path = "sources/s.txt"
[[articles]]
id = "a"
outlet = "Outlet"
date = 2020-01-06
path = "articles/a.txt"
"""


def test_case_id_defaults_to_directory_name(tmp_path):
    root = make_case(tmp_path, GOOD_CASE)
    case = load_case(root)
    assert case.id == "my-case"
    assert case.articles == (ArticleRef("a", "articles/a.txt", outlet="Outlet", date="2020-01-06"),)
    assert case.sources[0].document.title == "The source"
    assert load_case(root / "case.toml").id == "my-case"


@pytest.mark.parametrize(
    "toml, where, fault",
    [
        ("title = \n", "case.toml", r"TOML syntax error: .*line 1"),
        ('title = "x"\n', "case.toml", r"no \[\[sources\]\] table"),
        (GOOD_CASE.replace('path = "articles/a.txt"', ""), "case.toml", r'articles\[0\]: missing key "path"'),
        (GOOD_CASE.replace('id = "a"', 'id = "s"'), "case.toml", r'articles\[0\]: duplicate id "s"'),
        (
            GOOD_CASE.replace('id = "a"', "id = 3"),
            "case.toml",
            r'articles\[0\]: "id" must be a string, not an integer',
        ),
        (
            GOOD_CASE.replace(
                'path = "sources/s.txt"', 'path = "sources/s.txt"\nprovenance = "sources/p.toml"'
            ),
            "sources/p.toml",
            r"no such file",
        ),
    ],
)
def test_case_faults(tmp_path, toml, where, fault):
    root = make_case(tmp_path, toml)
    with pytest.raises(InputError) as e:
        load_case(root)
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith(str(root / where) + ": ")
    assert re.search(fault, e.value.fault), message


def _source_at(tmp_path: Path, path: str) -> Path:
    """A case whose one source is listed at ``path``, with a file outside the case folder to lead to."""
    (tmp_path / "elsewhere").mkdir(exist_ok=True)
    (tmp_path / "elsewhere" / "secret.txt").write_text("Not part of the case.\n")
    return make_case(tmp_path, GOOD_CASE.replace('path = "sources/s.txt"', f"path = {json.dumps(path)}"))


@pytest.mark.parametrize("how", ["dot-dot", "absolute", "file link", "folder link", "link in a linked folder"])
def test_a_source_path_leading_outside_the_case_folder_is_refused(tmp_path, how):
    if how in ("file link", "folder link", "link in a linked folder") and not hasattr(os, "symlink"):
        pytest.skip("no symlinks")
    secret = tmp_path / "elsewhere" / "secret.txt"
    path = {"dot-dot": "../elsewhere/secret.txt", "absolute": str(secret)}.get(how, "sources/out.txt")
    root = _source_at(tmp_path, path)
    if how == "file link":
        os.symlink(secret, root / "sources" / "out.txt")
    elif how == "folder link":
        os.symlink(tmp_path / "elsewhere", root / "linked")
        root = _source_at(tmp_path, "linked/secret.txt")
    elif how == "link in a linked folder":
        (root / "inner").mkdir()
        os.symlink(secret, root / "inner" / "out.txt")
        os.symlink(root / "inner", root / "alias")
        root = _source_at(tmp_path, "alias/out.txt")
    with pytest.raises(InputError, match="leads outside the case folder"):
        load_case(root)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_links_that_stay_inside_the_case_folder_are_followed(tmp_path):
    root = _source_at(tmp_path, "alias/s.txt")
    os.symlink(root / "sources", root / "alias")
    assert load_case(root).sources[0].document.text == "Source text.\n"
    root = _source_at(tmp_path, "sources/link.txt")
    os.symlink("s.txt", root / "sources" / "link.txt")
    assert load_case(root).sources[0].document.text == "Source text.\n"
    os.symlink("nowhere.txt", root / "sources" / "dangling.txt")
    root = _source_at(tmp_path, "sources/dangling.txt")
    with pytest.raises(InputError, match="no such file"):
        load_case(root)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_the_listing_refuses_what_resolves_outside_the_case_folder_and_nothing_else(tmp_path):
    """The folders' verdicts kept for their next files give the verdict of each path resolved whole."""
    from quoteverify.ingest.case import _CaseToml, _Listing, _PathOutside

    root = tmp_path / "case"
    for folder in ("sources", "sources/deep", "other"):
        (root / folder).mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    for name in ("sources/a.txt", "sources/b.txt", "sources/deep/c.txt", "other/d.txt", "../elsewhere/e.txt"):
        (root / name).write_text("text\n")
    os.symlink(tmp_path / "elsewhere" / "e.txt", root / "sources" / "out.txt")
    os.symlink(root / "sources" / "a.txt", root / "other" / "in.txt")
    os.symlink(tmp_path / "elsewhere", root / "linked")
    os.symlink(root / "sources", root / "alias")
    os.symlink(root / "loop", root / "loop")
    paths = [
        "sources/a.txt", "sources/b.txt", "sources/out.txt", "sources/missing.txt", "sources/deep/c.txt",
        "sources/deep/../a.txt", "sources/../../elsewhere/e.txt", "../case/sources/a.txt", "other/in.txt",
        "linked/e.txt", "linked/missing.txt", "alias/a.txt", "alias/out.txt", "loop", "sources/../other/d.txt",
        str(root / "sources" / "b.txt"), str(tmp_path / "elsewhere" / "e.txt"), ".", "sources/..", "..",
    ]
    listing = _Listing(_CaseToml(root / "case.toml", root, str(root)))
    inside = root.resolve()
    for rel in paths * 2:  # the second time, every folder's verdict is a kept one
        target = root / rel
        try:
            plain = target.resolve().is_relative_to(inside)
        except RuntimeError:  # a link that loops: left to the read, which names it
            plain = True
        try:
            listing.inside(target, rel, "source", "s")
            refused = False
        except _PathOutside:
            refused = True
        assert refused == (not plain), rel


def test_case_missing(tmp_path):
    with pytest.raises(InputError, match="no such case directory"):
        load_case(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as e:
        load_case(tmp_path / "empty")
    assert str(e.value) == f"{tmp_path / 'empty' / 'case.toml'}: no such file"


def test_case_with_empty_source(tmp_path):
    root = make_case(tmp_path, GOOD_CASE, {"sources/s.txt": "", "articles/a.txt": "A.\n"})
    with pytest.raises(InputError) as e:
        load_case(root)
    assert str(e.value) == f"{root / 'sources' / 's.txt'}: empty file"


PROVENANCE = """
method = "prose"
[[paragraph]]
index = 0
witnesses = ["a"]
note = "n"
[[reading]]
paragraph = 1
chosen = "two"
witnesses = ["a"]
rejected = [ { text = "too", witnesses = ["b"] } ]
reason = "r"
[[unplaced]]
text = "Dear Sir"
witnesses = ["a"]
reason = "u"
"""


def test_provenance(tmp_path):
    toml = GOOD_CASE.replace(
        'path = "sources/s.txt"', 'path = "sources/s.txt"\nprovenance = "sources/p.toml"'
    )
    files = {"sources/s.txt": "One.\n\nTwo.\n", "articles/a.txt": "A.\n", "sources/p.toml": PROVENANCE}
    prov = load_case(make_case(tmp_path, toml, files)).sources[0].provenance
    assert prov.method == "prose"
    assert prov.paragraphs[0].witnesses == ("a",)
    (choice,) = prov.choices
    assert (choice.paragraph, choice.chosen.text, choice.rejected[0].text, choice.rejected[0].witnesses) == (
        1,
        "two",
        "too",
        ("b",),
    )
    assert prov.unplaced[0].paragraph is None and prov.unplaced[0].chosen.text == "Dear Sir"

    files["sources/p.toml"] = PROVENANCE.replace("paragraph = 1", "paragraph = 5")
    with pytest.raises(
        InputError, match=r'p.toml: reading\[0\]: "paragraph" is 5, but the source has paragraphs 0 to 1'
    ):
        load_case(make_case(tmp_path, toml, files))
    files["sources/p.toml"] = PROVENANCE.replace('chosen = "two"\n', "")
    with pytest.raises(InputError, match=r'reading\[0\]: missing key "chosen"'):
        load_case(make_case(tmp_path, toml, files))


# --------------------------------------------------------------------------- ad hoc inputs


def test_iter_directory_recursive_sorted_unique_ids(tmp_path):
    for name in [
        "b/lbc.txt",
        "a/lbc.html",
        "a/z.md",
        "lbc.text",
        "c/notes.pdf",
        ".hidden/x.txt",
        "a/.x.txt",
        "lbc-2.txt",
    ]:
        write(tmp_path / "in", name, "<p>x</p>" if name.endswith("html") else "Text.\n")
    refs = list(iter_articles([str(tmp_path / "in")]))
    rel = [os.path.relpath(r.path, tmp_path / "in") for r in refs]
    assert rel == ["a/lbc.html", "a/z.md", "b/lbc.txt", "lbc-2.txt", "lbc.text"]
    assert [r.id for r in refs] == ["lbc", "z", "lbc-2", "lbc-2-2", "lbc-3"]


def test_iter_is_lazy(tmp_path):
    a = write(tmp_path, "a.txt", "First.\n")
    b = write(tmp_path, "b.txt", "Second.\n")
    refs = iter_articles([str(tmp_path)])
    first = next(refs)
    b.unlink()
    assert read_article(first).text == "First.\n"
    second = next(refs)  # the directory was listed, the file not read
    with pytest.raises(InputError, match=r"b.txt: no such file$"):
        read_article(second)
    assert a.exists()


def test_missing_input_is_reported_when_read(tmp_path):
    refs = list(iter_articles([str(tmp_path / "gone.txt"), str(write(tmp_path, "here.txt", "Here.\n"))]))
    assert [r.id for r in refs] == ["gone", "here"]
    with pytest.raises(InputError, match="no such file"):
        read_article(refs[0])
    assert read_article(refs[1]).text == "Here.\n"


def jsonl_batch() -> list[bytes]:
    good = [
        {
            "id": "one",
            "outlet": "Outlet A",
            "date": "2020-01-06",
            "text": "\u201cWe respect it,\u201d he said.\nImage: a caption",
        },
        {
            "id": "two",
            "outlet": "Outlet B",
            "date": "2020-01-07",
            "url": "https://example.org/2",
            "html": "<html><body><article><p>\u201cWe respect your decision,\u201d the letter said.</p></article></body></html>",
        },
        {"outlet": "Outlet C", "text": "No id here.\r\nSecond line."},
    ]
    lines = [json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n" for obj in good]
    lines.insert(2, b"\n")  # a blank line is no article
    lines.insert(3, b'{"id": "broken", "text": \n')  # line 4
    lines.append(b'["not", "an", "object"]\n')  # line 6
    lines.append(b'{"id": "one", "text": 5}\n')  # line 7
    return lines


@pytest.mark.parametrize("name", ["batch.jsonl", "batch.jsonl.gz"])
def test_jsonl(tmp_path, name):
    data = b"".join(jsonl_batch())
    p = write(tmp_path, name, gzip.compress(data) if name.endswith(".gz") else data)
    refs = list(iter_articles([str(p)]))
    assert [r.id for r in refs] == ["one", "two", "batch-4", "batch-5", "batch-6", "batch-7"]
    assert [r.line for r in refs] == [1, 2, 4, 5, 6, 7]
    docs = {}
    errors = {}
    for ref in reversed(refs):  # out of order on purpose
        try:
            docs[ref.id] = read_article(ref)
        except InputError as e:
            errors[ref.id] = str(e)
    assert docs["one"].text == "\u201cWe respect it,\u201d he said.\nImage: a caption"
    assert skipped_texts(docs["one"]) == ["Image: a caption"]
    assert docs["one"].outlet == "Outlet A" and docs["one"].path == f"{p}:1"
    assert "We respect your decision" in docs["two"].text
    assert docs["two"].url == "https://example.org/2"
    assert docs["batch-5"].outlet == "Outlet C"
    assert paragraph_texts(docs["batch-5"]) == ["No id here.", "Second line."]
    assert errors["batch-4"].startswith(f"{p} line 4: not JSON (")
    assert errors["batch-6"] == f"{p} line 6: not a JSON object but an array"
    assert errors["batch-7"] == f'{p} line 7: "text" must be a string, not a number'


def test_jsonl_gz_sequential_reads_many(tmp_path):
    lines = [json.dumps({"id": f"n{i}", "text": f"Article {i}."}).encode() + b"\n" for i in range(300)]
    p = write(tmp_path, "many.jsonl.gz", gzip.compress(b"".join(lines)))
    texts = [read_article(r).text for r in iter_articles([str(p)])]
    assert texts == [f"Article {i}." for i in range(300)]


def test_jsonl_corrupt_gzip_keeps_earlier_lines(tmp_path):
    data = gzip.compress(b"".join(jsonl_batch()[:2]) * 50)
    p = write(tmp_path, "cut.jsonl.gz", data[: len(data) // 2])
    refs = list(iter_articles([str(p)]))
    assert read_article(refs[0]).text.startswith("\u201cWe respect it")
    with pytest.raises(InputError, match=rf"cut.jsonl.gz line {refs[-1].line}: cannot read"):
        read_article(refs[-1])


def test_stdin_text_and_jsonl():
    text_in = io.BytesIO("\u201cHello,\u201d she said.\n".encode("cp1252"))
    refs = list(iter_articles(["-", "-"], stdin=text_in))
    assert len(refs) == 1 and refs[0].id == "stdin"
    doc = read_article(refs[0])
    assert doc.text == "\u201cHello,\u201d she said.\n" and doc.encoding == "cp1252"

    jsonl_in = io.BytesIO(b"".join(jsonl_batch()))
    refs = list(iter_articles(["-"], stdin=jsonl_in))
    assert [r.id for r in refs] == ["one", "two", "stdin-4", "stdin-5", "stdin-6", "stdin-7"]
    assert read_article(refs[0]).outlet == "Outlet A"
    with pytest.raises(InputError, match=r"^<stdin> line 4: not JSON"):
        read_article(refs[2])


def test_jsonl_line_over_the_limit(tmp_path, monkeypatch):
    from quoteverify.ingest import inputs as ingest

    monkeypatch.setattr(ingest, "DEFAULT_MAX_BYTES", 1000)
    lines = [
        json.dumps({"id": "a", "text": "Short."}),
        json.dumps({"id": "b", "text": "x" * 5000}),
        json.dumps({"id": "c", "title": "Given title", "text": "After."}),
        json.dumps({"id": "d", "text": " \n"}),
    ]
    p = write(tmp_path, "big.jsonl", "\n".join(lines) + "\n")
    refs = list(iter_articles([str(p)]))
    assert [r.id for r in refs] == ["a", "big-2", "c", "d"]
    assert read_article(refs[0]).text == "Short."
    with pytest.raises(InputError) as e:
        read_article(refs[1])
    assert str(e.value) == f"{p} line 2: line of 4.9 KB, over the 1000 bytes limit"
    doc = read_article(refs[2])
    assert doc.text == "After." and doc.title == "Given title"
    with pytest.raises(InputError, match=r'line 4: empty "text"$'):
        read_article(refs[3])

    stdin = io.BytesIO(("\n".join(lines[:3]) + "\n").encode())
    refs = list(iter_articles(["-"], stdin=stdin))
    assert [r.id for r in refs] == ["a", "stdin-2", "c"]
    with pytest.raises(InputError, match=r"^<stdin> line 2: line, over the 1000 bytes limit$"):
        read_article(refs[1])
    assert read_article(refs[2]).text == "After."


def test_stdin_with_leading_blank_lines():
    refs = list(iter_articles(["-"], stdin=io.BytesIO(b'\n\n  {"id": "x", "text": "Hi."}\n')))
    assert [(r.id, r.line) for r in refs] == [("x", 3)]
    assert read_article(refs[0]).text == "Hi."
    refs = list(iter_articles(["-"], stdin=io.BytesIO(b"\n  Plain text.\n")))
    assert read_article(refs[0]).text == "\n  Plain text.\n"
    with pytest.raises(InputError, match=r"^<stdin>: empty file$"):
        read_article(next(iter_articles(["-"], stdin=io.BytesIO(b""))))


def test_html_fragment_is_sniffed(tmp_path):
    p = write(
        tmp_path, "frag.txt", "<p>\u201cWe will stay,\u201d he said.</p>\n<p>Second paragraph here.</p>\n"
    )
    doc = read_document(p)
    assert "<p>" not in doc.text
    assert "\u201cWe will stay,\u201d he said." in paragraph_texts(doc)
    assert read_document(write(tmp_path, "lt.txt", "<p> is a tag, said nobody.\n")).text.startswith("<p>")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_directory_link_loop_is_walked_once(tmp_path):
    write(tmp_path, "in/sub/a.txt", "A.\n")
    os.symlink(tmp_path / "in", tmp_path / "in" / "sub" / "loop")
    refs = list(iter_articles([str(tmp_path / "in")]))
    assert [os.path.relpath(r.path, tmp_path / "in") for r in refs] == ["sub/a.txt"]


def test_read_article_against_root(tmp_path):
    write(tmp_path, "case/articles/x.txt", "An article.\n")
    ref = ArticleRef("x", "articles/x.txt", outlet="O")
    doc = read_article(ref, root=tmp_path / "case")
    assert doc.path == "articles/x.txt" and doc.outlet == "O"
    with pytest.raises(InputError) as e:
        read_article(ArticleRef("y", "articles/y.txt"), root=tmp_path / "case")
    assert str(e.value) == f"{tmp_path / 'case' / 'articles' / 'y.txt'}: no such file"


# --------------------------------------------------------------------------- properties

slow = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@slow
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".html", ".md"]))
@example(data=b"\xff\xfe\x00", suffix=".txt")
@example(data=b"<html><body><p>\x00</p></body></html>", suffix=".txt")
@example(data=b"\x00\x00\xfe\xff\x00\x00\x00", suffix=".txt")
@example(data=b"\xef\xbb\xbf", suffix=".txt")
@example(data=b"<html>\x93\x94</html>", suffix=".html")
def test_read_document_raises_only_input_error(tmp_path, data, suffix):
    p = tmp_path / f"any{suffix}"
    p.write_bytes(data)
    try:
        doc = read_document(p)
    except InputError as e:
        assert "\n" not in str(e) and str(e).startswith(str(p))
        return
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.text.strip() and not doc.text.startswith("\ufeff")
    check_spans(doc)


@slow
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                BODY
                + [
                    "Read more",
                    "Image: x",
                    "x",
                    "x. Picture: PA",
                    "Media caption,",
                    "",
                    " ",
                    "\u4f60\u597d\u4e16\u754c",
                    "\u201c",
                    "Related",
                ]
            ),
            st.text(max_size=40),
        ),
        max_size=25,
    ),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n"]),
    st.sampled_from(["article", "source"]),
)
def test_spans_inside_text_in_order(lines, newline, role):
    text = newline.join(lines)
    doc = document_from_text(text, id="p", role=role)
    check_spans(doc)
    if role == "source":
        assert doc.skipped == ()
    for i in range(len(doc.paragraphs)):
        if doc.paragraph_text(i).startswith("\u201c") and is_skipped(doc, i):
            tail = find_boilerplate(doc.text, doc.paragraphs)
            assert any(s.index == i and s.reason == "link list" for s in tail)


@given(st.text(max_size=200), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"]))
@example("\ufeffx", "utf-8")
def test_decode_round_trip(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    if not data or "\x00" in text:
        return  # NUL: binary (and after a UTF-16 mark, U+0000 reads as a UTF-32 mark)
    try:
        decoded = decode_bytes(data)
    except InputError:
        return  # binary-looking: control characters
    expected = text[1:] if text.startswith("\ufeff") else text
    if encoding == "utf-16-be" and not text.startswith("\ufeff"):
        return  # no byte-order mark: a guess, tested by example elsewhere
    assert decoded.text == expected
    assert decoded.warnings == ()
    if encoding == "utf-8" and text[:1] != "\ufeff":  # made with its fields set at once: as its class makes it
        from quoteverify.ingest.decode import Decoded

        assert decoded == Decoded(text, "utf-8") and vars(decoded) == vars(Decoded(text, "utf-8"))


@given(st.text(alphabet=st.characters(codec="cp1252"), min_size=1, max_size=200))
@example("00\x00\xa0")
@example("\u00fe\u00ff")
def test_cp1252_round_trip(text):
    if "\x00" in text:
        return  # NUL: binary, or a guess at UTF-16
    data = text.encode("cp1252")
    if data[:2] in (b"\xfe\xff", b"\xff\xfe"):
        assert decode_bytes(data).encoding.startswith("utf-16")  # a byte-order mark decides
        return
    try:
        data.decode("utf-8")
        return  # valid UTF-8 as well: read as UTF-8, by design
    except UnicodeDecodeError:
        pass
    try:
        decoded = decode_bytes(data)
    except InputError:
        return
    if decoded.encoding == "utf-8":
        # mostly valid UTF-8 with a few bad bytes: read as UTF-8, the bad bytes reported
        assert decoded.warnings and re.search(rb"[\xc2-\xf4][\x80-\xbf]", data)
        return
    assert decoded.encoding in ("cp1252", "latin-1")
    assert decoded.text == text


# --------------------------------------------------------------------------- hard-wrapped text

WRAPPED = (
    "Dear colleagues,\n\n"
    "The committee met on Monday and agreed that the new rules would take\n"
    "effect in the spring. \u201cWe have heard every side of this question, and\n"
    "the members are agreed,\u201d the chair wrote in her note to the staff.\n\n"
    "The minutes of the meeting are attached, with the votes of each member\n"
    "and the objections raised by two of them, which will be answered in\n"
    "writing before the end of the month.\n\n"
    "Yours,\nThe secretary\n"
)

ONE_PER_LINE = (
    "A headline about the harbour\n\n"
    "The minister denied on Tuesday that the harbour would be sold to a private buyer, and said so twice.\n"
    "\u201cWe have no plan to sell the harbour,\u201d she told reporters in the capital on Tuesday afternoon.\n\n"
    "Opposition members called the denial unconvincing and asked for an inquiry into the letter.\n"
    "A council spokesman declined to comment.\n"
)


def test_hard_wrapped_text_is_read_by_blocks():
    from quoteverify.ingest.document import is_hard_wrapped

    assert is_hard_wrapped(WRAPPED)
    paras = [WRAPPED[p.start : p.end] for p in find_paragraphs(WRAPPED, role="article")]
    assert len(paras) == 4
    assert paras[1].startswith("The committee") and paras[1].endswith("to the staff.")
    assert paras[3] == "Yours,\nThe secretary"  # offsets into the text as it is


def test_one_paragraph_per_line_text_stays_one_paragraph_per_line():
    from quoteverify.ingest.document import is_hard_wrapped

    assert not is_hard_wrapped(ONE_PER_LINE)
    paras = find_paragraphs(ONE_PER_LINE, role="article")
    assert len(paras) == 5


def test_short_lines_are_no_hard_wrapping():
    from quoteverify.ingest.document import is_hard_wrapped

    assert not is_hard_wrapped("a\nb\nc\nd\n\ne\nf\n")
    assert not is_hard_wrapped("Name: Ann\nStreet: High Street 4\nTown: Leeds\nPhone: 0113\n\nThanks\n")
_path_parts = st.lists(st.sampled_from(["a", "b.txt", "/", ".", "..", "\\", " ", "é"]), max_size=8).map("".join)


@settings(max_examples=500, deadline=None)
@given(_path_parts, st.one_of(st.none(), st.sampled_from([".", "./", "/", "//", "case", "case/", "/tmp/case", "/tmp//case/."])))
def test_paths_joined_as_strings_are_those_pathlib_joins(path: str, root: str | None) -> None:
    from quoteverify.ingest import inputs

    expected = str(Path(path) if root is None else Path(root) / path)
    assert inputs._shown_path(root, path) == expected
    assert inputs._shown_path(None if root is None else Path(root), path) == expected


def test_a_missing_article_is_named_not_raised(tmp_path):
    """The run reports it, after checking every other article (see tests/test_cli.py)."""
    case = load_case(make_case(tmp_path, GOOD_CASE.replace("articles/a.txt", "articles/gone.txt")))
    assert [a.path for a in case.articles] == ["articles/gone.txt"]
@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", " ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x1c"]), max_size=30).map("".join))
def test_lines_cut_by_splitlines_are_those_the_line_break_pattern_cuts(text: str) -> None:
    from quoteverify.ingest import document

    expected, start, blank = [], 0, False
    for m in [*document._LINE_BREAK.finditer(text), None]:
        a, b = (m.start(), m.end()) if m else (len(text), len(text))
        line = text[start:a]
        if line.strip():
            s = start + len(line) - len(line.lstrip())
            expected.append((s, s + len(line.strip()), blank and bool(expected)))
            blank = False
        elif expected:
            blank = True
        start = b
    assert [tuple(x) for x in document._lines(text)] == expected


# --------------------------------------------------------------------------- the articles a case lists

_article_values = st.one_of(st.sampled_from(["a", "b", " ", "", "x/y.txt"]), st.integers(0, 2), st.none())
_article_tables = st.lists(
    st.dictionaries(st.sampled_from(["id", "path", "outlet", "date", "url", "other"]), _article_values, max_size=6),
    max_size=6,
)


def _listed(articles, fast):  # type: ignore[no-untyped-def]
    """The articles of a case.toml holding ``articles``, listed quickly or the general way, or the fault named."""
    from quoteverify.ingest import case as case_module

    top = case_module._Table({"articles": articles}, "case.toml", "")
    listing = case_module._Listing(case_module._CaseToml(Path("case.toml"), Path("."), "."))
    listing.seen.add("a")  # a source's id
    try:
        if fast:
            return listing.articles(top)
        return tuple(listing.article(t) for t in top.tables("articles"))
    except InputError as e:
        return str(e)


@given(_article_tables)
def test_the_articles_listed_quickly_are_those_listed_the_general_way(articles):
    quick, general = _listed(articles, fast=True), _listed(articles, fast=False)
    assert quick == general
    if isinstance(quick, tuple):  # made as ArticleRef makes them: the same fields, set in the same order
        assert [list(vars(ref).items()) for ref in quick] == [list(vars(ref).items()) for ref in general]
