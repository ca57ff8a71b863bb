"""The source index: word scanning, spans, saving and loading, and locating at scale."""

import os
import pickle
import random
import time

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quoteverify.locate import SourceIndex, fingerprint, score, search
from quoteverify.locate import index as loc_mod
from quoteverify.normalize import tokenize, words
from profiles import examples
from test_locate import VOCAB, find, random_text, source

# characters that decide where words start and end: letters of several
# scripts, digits, combining marks, joiners, invisible characters, punctuation
ALPHABET = st.sampled_from(
    list("abcXYZ019 \n\t.,;:!?'\"-()[]…")
    + ["\u2019", "\u02bc", "\u2010", "\u2011", "\u2014", "\u00e9", "e\u0301", "\u0301", "\u200b", "\u00ad",
       "\u043e", "\u0399", "\u4e2d", "\u0663", "\u00a0", "\u2026", "\ufb01", "_", "'s"]
)


def indexed_words(index, number=0):
    s = index.sources[number]
    return list(zip(index._wstart[s.offset : s.offset + s.words].tolist(), index._wend[s.offset : s.offset + s.words].tolist()))


# --------------------------------------------------------------------------- scanning


@given(st.lists(ALPHABET, max_size=80).map("".join))
@example("U.S. forces' don't co-operate ... CJTF-OIR")
@example("e\u0301te\u0301 \u0301x a\u200bb -a a- 'a a'")
def test_indexed_words_are_the_tokenizer_words(text):
    idx = SourceIndex([source(text)])
    assert indexed_words(idx) == [(t.start, t.end) for t in words(text)]
    keys = [t.key for t in words(text)]
    assert idx._ids[: len(keys)].tolist() == idx.word_ids(keys)


def test_words_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(loc_mod, "_CHUNK", 7)
    text = random_text(5, 200) + " don't U.S. co-op"
    idx = SourceIndex([source(text)])
    assert indexed_words(idx) == [(t.start, t.end) for t in words(text)]


@given(st.lists(ALPHABET, max_size=60).map("".join), st.data())
def test_tokens_in_any_span_are_the_tokens_of_the_whole_text(text, data):
    idx = SourceIndex([source(text)])
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    expected = tuple(t for t in tokenize(text) if t.start >= a and t.end <= b)
    assert idx.tokens_in(0, (a, b)) == expected


def test_the_sources_of_a_case_share_one_word_sequence():
    a, b = random_text(1, 50), random_text(2, 60)
    idx = SourceIndex([source(a, "a"), source(b, "b")])
    assert [(s.doc.id, s.offset, s.words) for s in idx.sources] == [("a", 0, 50), ("b", 51, 60)]
    assert idx.source_of(50) == 0 and idx.source_of(51) == 1
    assert idx.number("b") == 1 and idx.document("a").text == a
    with pytest.raises(KeyError):
        idx.number("c")


# --------------------------------------------------------------------------- locating


@given(st.integers(0, 10_000), st.integers(0, 330), st.integers(12, 40), st.integers(0, 2**32))
@settings(max_examples=examples(80), deadline=None)
@example(seed=3304, start=82, length=15, edits=107341)  # ends "yellow to yellow yellow": the last word kept
# "orange morning orange zebra morning silver" quoted "orange morning zeppelin silver": the passage may as well
# start at the second "orange" (one word dropped, one added) as at the first (one changed, two dropped)
@example(seed=3095, start=0, length=25, edits=124)
@example(seed=1, start=20, length=12, edits=0)  # "stone stone stone in" quoted "stone stone in": which stone is dropped?
def test_edited_passages_are_found_where_they_are(seed, start, length, edits):
    """Interior edits (a fifth of the words at most) keep the passage where it is.

    Where the edits reach the quotation's first or last words, the words
    before the first edit (after the last) may be placed elsewhere when an
    alignment as good puts them there: the passage found lies within the
    quoted one and spans at least every word from the first edit to the last.
    """
    text = random_text(seed, 400)
    source_words = text.rstrip(".").split()
    passage = source_words[start : start + length]
    edited = list(passage)
    rng = random.Random(edits)
    for _ in range(len(passage) // 5):
        k = rng.randrange(2, len(edited) - 2)
        op = rng.choice("sdi")
        if op == "s":
            edited[k] = "zeppelin"
        elif op == "d":
            del edited[k]
        else:
            edited.insert(k, "zeppelin")
    idx = SourceIndex([source(text)])
    found = find(" ".join(edited), idx)
    assert found is not None
    head = next((k for k, (a, b) in enumerate(zip(passage, edited)) if a != b), min(len(passage), len(edited)))
    tail = next((k for k, (a, b) in enumerate(zip(passage[::-1], edited[::-1])) if a != b), 0)
    begin = len(" ".join(source_words[:start])) + (1 if start else 0)
    starts = [begin + len(" ".join(passage[:k])) + (1 if k else 0) for k in range(len(passage) + 1)]
    end = starts[-1] - 1 if len(passage) else begin
    assert begin <= found.span[0] <= starts[head]
    assert starts[len(passage) - tail] - 1 <= found.span[1] <= end


def _edited(words, rng, n):
    out = list(words)
    for _ in range(n):
        k = rng.randrange(0, len(out))
        op = rng.choice("sdit")
        if op == "s":
            out[k] = rng.choice(VOCAB)
        elif op == "d" and len(out) > 3:
            del out[k]
        elif op == "i":
            out.insert(k, rng.choice(VOCAB))
        elif op == "t" and k + 1 < len(out):
            out[k], out[k + 1] = out[k + 1], out[k]
    return out


@given(st.integers(0, 10**6), st.integers(0, 2**32), st.integers(6, 40), st.booleans())
@settings(max_examples=examples(150), deadline=None)
@example(seed=0, edits=32073412, length=29, twin=True)  # a few unique seeds on the near copy
@example(seed=187, edits=187, length=6, twin=True)  # a near copy as good as the passage, and later
@example(seed=0, edits=368, length=18, twin=True)  # most unique seeds on a near copy as good as the passage
@example(seed=6, edits=278, length=6, twin=True)  # a near copy reproducing every word, as the passage does
def test_unique_seeds_place_a_fragment_wherever_the_vote_does(seed, edits, length, twin):
    """Taking the passage a fragment's unique trigrams point to never loses the passage the vote finds.

    With a near copy of the passage in a second source (``twin``), and
    edits of every kind (a third of the words at most) in the quotation.
    """
    rng = random.Random(edits)
    text = random_text(seed, 400)
    words_ = text.rstrip(".").split()
    start = rng.randrange(0, 400 - length)
    passage = words_[start : start + length]
    docs = [source(text)]
    if twin:
        other = random_text(seed + 1, 100).rstrip(".").split()
        copy = other[:50] + _edited(passage, rng, rng.randint(0, length // 4)) + other[50:]
        docs.append(source(" ".join(copy) + ".", "twin"))
    quote = " ".join(_edited(passage, rng, rng.randint(0, length // 3)))
    true_span = (len(" ".join(words_[:start])) + (1 if start else 0), len(" ".join(words_[: start + length])))

    def on_the_passage(loc):
        return loc is not None and loc.source == "src" and loc.span[0] < true_span[1] and true_span[0] < loc.span[1]

    idx = SourceIndex(docs)
    with_seeds = find(quote, idx)
    by_vote = find(quote, idx, shortcut=False)
    assert on_the_passage(with_seeds) or not on_the_passage(by_vote)


@given(st.integers(0, 10**6), st.integers(0, 2**32), st.integers(6, 40))
@settings(max_examples=examples(100), deadline=None)
@example(seed=100288, edits=100288, length=6)  # six words: the scattered copy holds four, the passage all
def test_seeds_found_in_a_few_places_place_a_fragment_wherever_the_vote_does(seed, edits, length):
    """As above, when each of the passage's trigrams also stands once elsewhere (no trigram of it is unique)."""
    rng = random.Random(edits)
    text = random_text(seed, 400)
    words_ = text.rstrip(".").split()
    start = rng.randrange(0, 400 - length)
    passage = words_[start : start + length]
    filler = random_text(seed + 1, 1000).rstrip(".").split()
    scattered: list[str] = []
    for k in range(len(passage) - 2):
        scattered += passage[k : k + 3] + filler[25 * k : 25 * k + 25]  # apart: each on a stretch of its own
    quote = " ".join(_edited(passage, rng, rng.randint(0, length // 3)))
    true_span = (len(" ".join(words_[:start])) + (1 if start else 0), len(" ".join(words_[: start + length])))

    def on_the_passage(loc):
        return loc is not None and loc.source == "src" and loc.span[0] < true_span[1] and true_span[0] < loc.span[1]

    idx = SourceIndex([source(text), source(" ".join(scattered) + ".", "scattered")])
    with_seeds = find(quote, idx)
    by_vote = find(quote, idx, shortcut=False)
    assert on_the_passage(with_seeds) or not on_the_passage(by_vote)


def _tight_by_search(q, window, lcs):
    """The shortest stretch of ``window`` that starts last and holds a longest common subsequence, by plain binary search."""
    from rapidfuzz.distance import LCSseq

    a, b = 0, len(window) - lcs
    while a < b:
        mid = (a + b + 1) // 2
        if LCSseq.similarity(window[mid:], q) >= lcs:
            a = mid
        else:
            b = mid - 1
    lo, hi = lcs, len(window) - a
    while lo < hi:
        mid = (lo + hi) // 2
        if LCSseq.similarity(window[a : a + mid], q) >= lcs:
            hi = mid
        else:
            lo = mid + 1
    return a, a + lo


@given(st.text("abcd", min_size=1, max_size=12), st.text("abcde", min_size=1, max_size=40))
@settings(max_examples=examples(400))
def test_verify_aligns_the_last_shortest_stretch_holding_the_subsequence(q, window):
    from rapidfuzz.distance import Indel, LCSseq, Levenshtein

    lcs = LCSseq.similarity(window, q)
    match = score._verify(q, window, lcs, transposed=False)
    if lcs == 0:
        assert match is None
        return
    a, b = _tight_by_search(q, window, lcs)
    # the end moves on (a few words at most) to the first stretch of fewest edits
    reach = min(score.END_REACH, len(q) - lcs, len(window) - b)
    if reach > 0:
        lengths = range(b, b + reach + 1)
        b = min(lengths, key=lambda e: (Levenshtein.distance(window[a:e], q), e))
    runs = [(a + s0, a + s1) for tag, s0, s1, _, _ in Indel.opcodes(window[a:b], q).as_list() if tag == "equal"]
    # edge runs small beside the gap to the rest are chance matches, dropped
    while len(runs) > 1 and (runs[0][1] - runs[0][0]) * 6 < runs[1][0] - runs[0][1]:
        runs.pop(0)
    while len(runs) > 1 and (runs[-1][1] - runs[-1][0]) * 6 < runs[-1][0] - runs[-2][1]:
        runs.pop()
    words = sorted(x for r in runs for x in range(*r))
    assert match is not None and match.matched == len(words)
    assert [x for r in match.source for x in range(*r)] == words


@given(st.integers(0, 2**31), st.integers(1, 2), st.integers(0, 400), st.booleans())
@settings(max_examples=examples(60), deadline=None)
def test_short_fragments_are_found_at_the_nearest_exact_place(seed, length, near, with_near):
    rng = random.Random(seed)
    text = " ".join(rng.choice(VOCAB[:12]) for _ in range(400))
    idx = SourceIndex([source(text)])
    ids = idx._ids[:400].tolist()
    start = rng.randrange(0, 400 - length)
    q = ids[start : start + length]
    places = [g for g in range(0, 401 - length) if ids[g : g + length] == q]
    hit = search._exact_short(idx, q, near if with_near else None)
    want = places[0] if not with_near else min(places, key=lambda g: (abs(g - near), g))
    assert hit is not None and hit[:3] == (want, want + length, length)


def test_a_fragment_sharing_no_trigram_is_not_located():
    idx = SourceIndex([source(random_text(7, 300))])
    assert search.find(idx, ["silver", "zeppelin", "castle", "zeppelin", "doctor"]) is None
    assert find("stones of the castle river", SourceIndex([source("a castle by the river of stones")])) is None


def test_fragments_in_any_order():
    text = random_text(8, 300)
    w = text.rstrip(".").split()
    q = " ".join(w[200:212]) + " ... " + " ".join(w[20:30])
    found = find(q, SourceIndex([source(text)]))
    assert found is not None and [f.index for f in found.fragments] == [0, 1]
    assert found.fragments[0].source_span[0] > found.fragments[1].source_span[0]


def test_the_exact_occurrence_nearest_the_other_fragments_wins():
    text = "alpha beta gamma delta one two three four. " * 3 + "zeta eta theta iota kappa"
    idx = SourceIndex([source(text)])
    found = find("zeta eta theta iota kappa ... one two three four", idx)
    assert found is not None
    last = text.rindex("one two three four")
    assert found.fragments[1].source_span == (last, last + len("one two three four"))


def test_hashed_trigram_keys_find_the_same(monkeypatch):
    text = random_text(9, 400)
    exact = SourceIndex([source(text)])
    monkeypatch.setattr(loc_mod, "_EXACT_VOCAB", 2)
    hashed = SourceIndex([source(text)])
    w = text.rstrip(".").split()
    for start in range(0, 380, 37):
        q = " ".join(w[start : start + 15])
        assert find(q, hashed) == find(q, exact) is not None
        # edited: a word left out and one changed, so that every trigram is looked up
        edited = " ".join(w[start : start + 4] + w[start + 5 : start + 9] + ["nonesuch"] + w[start + 10 : start + 18])
        assert find(edited, hashed) == find(edited, exact) is not None


def test_pickled_index_finds_the_same():
    text = random_text(10, 300)
    idx = SourceIndex([source(text)])
    copy = pickle.loads(pickle.dumps(idx))
    w = text.rstrip(".").split()
    q = " ".join(w[40:60])
    assert find(q, copy) == find(q, idx) is not None


# --------------------------------------------------------------------------- saving

#: words enough for a source to pass SAVE_FROM_CHARS on its own (about 6 characters a word)
SAVED_WORDS = loc_mod.SAVE_FROM_CHARS // 4


def test_the_index_is_saved_once_and_loaded_after(tmp_path):
    docs = [source(random_text(11, SAVED_WORDS // 2), "a"), source(random_text(12, SAVED_WORDS // 2), "b")]
    assert sum(len(d.text) for d in docs) >= loc_mod.SAVE_FROM_CHARS
    folder = tmp_path / ".quoteverify"
    first = SourceIndex.cached(docs, folder)
    assert first.origin == "built"
    (saved,) = folder.glob("index-*.bin")
    assert saved.name == f"index-{fingerprint(docs)}.bin"
    second = SourceIndex.cached(docs, folder)
    assert second.origin == "loaded"
    for name in loc_mod._ARRAYS:
        assert np.array_equal(first._arrays[name], second._arrays[name])
    w = docs[1].text.rstrip(".").split()
    for q in (" ".join(w[100:125]), " ".join(w[10:14]) + " ... " + " ".join(w[300:320])):
        assert find(q, first) == find(q, second) is not None


def test_changed_sources_rebuild_and_replace_the_saved_index(tmp_path):
    folder = tmp_path / ".quoteverify"
    SourceIndex.cached([source(random_text(13, SAVED_WORDS))], folder)
    changed = [source(random_text(13, SAVED_WORDS) + " And one more sentence.")]
    again = SourceIndex.cached(changed, folder)
    assert again.origin == "built"
    assert [p.name for p in folder.glob("index-*.bin")] == [f"index-{fingerprint(changed)}.bin"]


def test_an_unwritable_case_directory_is_no_error(tmp_path):
    blocker = tmp_path / "case"
    blocker.write_text("a file where the case directory's index folder would go")
    idx = SourceIndex.cached([source(random_text(14, SAVED_WORDS))], blocker / ".quoteverify")
    assert idx.origin == "built" and find(" ".join(random_text(14, SAVED_WORDS).split()[5:15]), idx) is not None


def test_a_damaged_index_file_is_rebuilt(tmp_path):
    docs = [source(random_text(15, SAVED_WORDS))]
    folder = tmp_path / ".quoteverify"
    SourceIndex.cached(docs, folder)
    (saved,) = folder.glob("index-*.bin")
    saved.write_bytes(b"not an index")
    assert SourceIndex.cached(docs, folder).origin == "built"
    assert SourceIndex.cached(docs, folder).origin == "loaded"


def test_short_sources_are_indexed_at_each_run_and_never_saved(tmp_path):
    text = random_text(18, 100)
    assert len(text) < loc_mod.SAVE_FROM_CHARS
    folder = tmp_path / ".quoteverify"
    for _ in range(2):
        idx = SourceIndex.cached([source(text)], folder)
        assert idx.origin == "built"
        assert find(" ".join(text.split()[20:30]), idx) is not None
    assert not folder.exists()


def test_an_index_of_other_sources_is_refused(tmp_path):
    path = tmp_path / "index.bin"
    SourceIndex([source(random_text(16, 100))]).save(path)
    with pytest.raises(ValueError):
        SourceIndex.load(path, [source(random_text(17, 100))])


def test_a_truncated_index_file_is_rebuilt_and_an_older_layout_removed(tmp_path):
    docs = [source(random_text(19, SAVED_WORDS))]
    folder = tmp_path / ".quoteverify"
    folder.mkdir()
    (folder / "index-0123.npz").write_bytes(b"an index of the layout before")
    SourceIndex.cached(docs, folder)
    (saved,) = folder.glob("index-*")
    assert saved.suffix == loc_mod.INDEX_SUFFIX
    whole = saved.read_bytes()
    for cut in (len(whole) - 1, len(whole) // 2, len(loc_mod._MAGIC) + 4, 0):
        saved.write_bytes(whole[:cut])
        with pytest.raises(ValueError):
            SourceIndex.load(saved, docs)
    assert SourceIndex.cached(docs, folder).origin == "built"
    loaded = SourceIndex.cached(docs, folder)
    assert loaded.origin == "loaded"
    assert all(not a.flags.writeable for a in loaded._arrays.values())  # views of the mapped file


def test_sources_named_one_by_one_have_their_index_kept_in_the_users_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert loc_mod.KEPT_INDEXES == 3  # the order of use below is written for three
    sets = [[source(random_text(30 + k, SAVED_WORDS), f"s{k}")] for k in range(4)]
    saved = [f"index-{fingerprint(docs)}.bin" for docs in sets]
    past = time.time() - 1000

    def build(k: int) -> None:
        assert loc_mod.case_index(sets[k], None).origin == "built"
        (folder,) = (tmp_path / "cache" / "quoteverify").glob("indexes-*")
        os.utime(folder / saved[k], (past + k, past + k))  # made in this order, far apart

    build(0)
    build(1)
    loaded = loc_mod.case_index(sets[0], None)  # used again: now the last to go
    assert loaded.origin == "loaded"
    q = " ".join(sets[0][0].text.split()[40:55])
    assert find(q, loaded) == find(q, SourceIndex(sets[0])) is not None
    build(2)
    build(3)
    (folder,) = (tmp_path / "cache" / "quoteverify").glob("indexes-*")
    assert sorted(p.name for p in folder.glob("index-*.bin")) == sorted([saved[0], saved[2], saved[3]])


def test_an_index_in_the_cache_folder_that_others_may_write_is_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    docs = [source(random_text(40, SAVED_WORDS))]
    loc_mod.case_index(docs, None)
    (saved,) = (tmp_path / "cache" / "quoteverify").glob("indexes-*/index-*.bin")
    saved.chmod(0o666)
    assert loc_mod.case_index(docs, None).origin == "built"
    assert loc_mod.case_index(docs, None).origin == "loaded"  # saved again, as this user's own


@given(st.lists(st.integers(min_value=-1, max_value=loc_mod._MAX_CODE_ID), max_size=60))
def test_the_string_of_word_ids_has_each_ids_character(ids):
    if ids:
        ids.append(loc_mod._LOW_IDS + ids[0] % 5000)  # an id past the surrogates' gap, most times
    array = np.array(ids, dtype=np.int32)
    assert loc_mod._encode_ids(array) == "".join(map(loc_mod._code, ids))


@given(st.integers(min_value=0, max_value=loc_mod._LOW_IDS + 3000))
def test_the_table_of_id_characters_is_each_ids_character(size):
    table = loc_mod._code_table(size)
    assert len(table) == size
    assert all(table[i] == loc_mod._code(i) for i in (0, size // 2, size - 1, loc_mod._LOW_IDS - 1, loc_mod._LOW_IDS) if 0 <= i < size)


@settings(max_examples=40)
@given(ids=st.lists(st.integers(min_value=-1, max_value=loc_mod._MAX_CODE_ID), max_size=60))
def test_the_kept_string_of_a_saved_indexs_word_ids_is_the_one_made_from_them(ids, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(cache))
        if ids:
            ids.append(loc_mod._LOW_IDS + ids[0] % 5000)  # an id past the surrogates' gap, most times
        array = np.array(ids, dtype=np.int32)
        made = loc_mod._kept_encoded_ids(array, "key")
        assert made == loc_mod._encode_ids(array)
        assert loc_mod._kept_encoded_ids(array, "key") == made  # read back from the cache folder
        other = np.array([*ids, 7], dtype=np.int32)  # a kept string of another length is not taken
        assert loc_mod._kept_encoded_ids(other, "key") == loc_mod._encode_ids(other)


def test_a_loaded_index_reads_its_word_ids_string_from_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    docs = [source(random_text(23, SAVED_WORDS))]
    built = SourceIndex.cached(docs, tmp_path / "case")
    first = SourceIndex.cached(docs, tmp_path / "case")
    (kept,) = (tmp_path / "cache" / "quoteverify" / loc_mod._KEPT_CODES).iterdir()
    assert kept.name == fingerprint(docs)
    again = SourceIndex.cached(docs, tmp_path / "case")
    assert (built.origin, first.origin, again.origin) == ("built", "loaded", "loaded")
    assert built._seq == first._seq == again._seq == loc_mod._encode_ids(built._ids)
