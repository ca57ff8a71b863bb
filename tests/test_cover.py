"""cover: the share of each source paragraph an article's quotations reproduce."""

from quoteverify import cover
from quoteverify.ingest import document_from_text
from quoteverify.locate import SourceIndex
from quoteverify.verify import check_article

SOURCE = "one two three four five six seven eight nine ten.\n\nalpha beta gamma delta epsilon zeta eta theta.\n"


def run(article_text, sources):
    idx = SourceIndex(sources)
    return check_article(document_from_text(article_text, id="a"), idx)


def test_fractions_per_paragraph():
    src = document_from_text(SOURCE, id="s", role="source")
    res = run('She said "three four five six seven" and "Alpha beta gamma delta epsilon zeta eta theta."', [src])
    (c,) = res.coverage
    assert c.source == "s"
    assert [p.quoted for p in c.paragraphs] == [0.5, 1.0]  # a capital at the edge still counts


def test_omitted_and_substituted_words_are_not_reproduced():
    src = document_from_text(SOURCE, id="s", role="source")
    res = run('She said "one two three six seven eight zebra ten"', [src])
    assert res.coverage[0].paragraphs[0].quoted == 0.7  # 'four', 'five' dropped, 'nine' replaced
    # two quotations of one paragraph: each word counts once
    res = run('She said "one two three six seven eight zebra ten" and "three four five six seven"', [src])
    assert res.coverage[0].paragraphs[0].quoted == 0.9


def test_large_archives_list_only_the_sources_quoted():
    srcs = [document_from_text(f"source {i} says word{i}a word{i}b word{i}c word{i}d.\n", id=f"s{i}", role="source") for i in range(cover.ALL_SOURCES + 1)]
    res = run('He said "word7a word7b word7c word7d"', srcs)
    assert [c.source for c in res.coverage] == ["s7"]
    res = run('He said "word7a word7b word7c word7d"', srcs[: cover.ALL_SOURCES])
    assert len(res.coverage) == cover.ALL_SOURCES
