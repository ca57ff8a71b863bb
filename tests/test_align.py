"""align: the diff-match-patch adapter and word alignments."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from quoteverify.align import _counts_dmp, align, diff_counts, diff_sequences
from quoteverify.normalize import tokenize

WORDS = st.lists(st.sampled_from(["a", "b", "c", "the", "of", ",", ".", "x", "yz"]), max_size=30)


def apply(ops, a, b):
    """Rebuild ``b`` from ``a`` and the ops: equal items from a, the rest from b."""
    out = []
    for op in ops:
        if op.op == "equal":
            out.extend(a[op.src[0] : op.src[1]])
        else:
            out.extend(b[op.quo[0] : op.quo[1]])
    return out


@given(WORDS, WORDS)
@example(["a", "b", "a"], ["a", "a"])
def test_ops_rebuild_both_sides(a, b):
    ops = diff_sequences(a, b)
    assert apply(ops, a, b) == b
    # the source ranges and the quotation ranges each tile their sequence
    assert [i for op in ops for i in range(*op.src)] == list(range(len(a)))
    assert [i for op in ops for i in range(*op.quo)] == list(range(len(b)))
    for op in ops:
        if op.op == "equal":
            assert a[op.src[0] : op.src[1]] == b[op.quo[0] : op.quo[1]]
        if op.op == "replace":
            # shared items at the ends of a change belong to the equalities
            assert a[op.src[0]] != b[op.quo[0]] and a[op.src[1] - 1] != b[op.quo[1] - 1]


@given(st.text(max_size=80), st.text(max_size=80))
def test_alignment_rebuilds_the_quotation_exactly(source, quote):
    al = align(tokenize(source), tokenize(quote))
    rebuilt = apply(al.ops, [t.norm for t in al.source_tokens], [t.norm for t in al.quote_tokens])
    assert rebuilt == [t.norm for t in al.quote_tokens]
    # and from the printed text: the quote tokens in op order slice back the quotation
    toks = [t for op in al.ops for t in al.quote_tokens[op.quo[0] : op.quo[1]]]
    assert "".join(t.text for t in toks) == "".join(quote[t.start : t.end] for t in tokenize(quote))


def test_typography_aligns_as_equal():
    al = align(tokenize("Here's the \"line\" - ok..."), tokenize("Here\u2019s the \u201cline\u201d \u2014 ok\u2026"))
    assert [op.op for op in al.ops] == ["equal"]


def test_no_timeout_on_long_inputs():
    a = ("alpha beta gamma delta " * 3000).split()
    b = list(a)
    del b[5000]
    b.insert(9000, "omega")
    ops = diff_sequences(a, b)
    assert sum(1 for op in ops if op.op != "equal") == 2


# Strings of a few letters and of letters past the Basic Multilingual Plane,
# with the edits a quotation makes: the two implementations must agree.
CODES = st.text(alphabet=st.sampled_from("abcdefg\u4e00\U0001f600"), max_size=60)


@given(CODES, CODES)
@example("abcdef", "abxdeyf")
def test_both_implementations_compute_the_same_diff(a, b):
    if diff_counts is _counts_dmp:
        pytest.skip("fast-diff-match-patch is not installed here")
    assert _counts_dmp(a, b) == diff_counts(a, b)


def test_the_compiled_port_is_used_where_it_is_installed():
    try:
        import fast_diff_match_patch  # noqa: F401
    except ImportError:
        assert diff_counts is _counts_dmp
    else:
        assert diff_counts is not _counts_dmp


@given(st.lists(st.tuples(WORDS, WORDS), min_size=1, max_size=8))
def test_diffs_do_not_depend_on_the_diffs_before_them(pairs):
    # word codes are kept from one diff to the next: a diff made after
    # others is the one made with a fresh table
    import quoteverify.align as align_mod

    kept = [diff_sequences(a, b) for a, b in pairs]
    fresh = []
    for a, b in pairs:
        align_mod._LOCAL.codes = None
        fresh.append(diff_sequences(a, b))
    assert kept == fresh


def test_each_thread_keeps_its_own_word_codes():
    # a table is filled as it is read: threads sharing one could give one
    # word two codes within a diff
    import threading

    import quoteverify.align as align_mod

    assert diff_sequences(["a", "b"], ["a", "c"]) == diff_sequences(["x", "b"], ["x", "c"])
    mine = align_mod._LOCAL.codes
    theirs = []

    def work():
        assert diff_sequences(["a", "b"], ["a", "c"])[0].op == "equal"
        theirs.append(align_mod._LOCAL.codes)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert theirs and theirs[0] is not None and theirs[0] is not mine
