"""The collector's full passes are held off while a case loads, and only then."""

from __future__ import annotations

import gc
import weakref

import pytest

from quoteverify._collector import no_full_collections


class _Node:
    other: object = None


def test_full_passes_are_held_off_inside_and_the_thresholds_put_back_after() -> None:
    before = gc.get_threshold()
    with no_full_collections():
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2] and full >= 1_000_000
    assert gc.get_threshold() == before


def test_the_thresholds_are_put_back_when_the_load_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), no_full_collections():
        raise RuntimeError("a source that cannot be read")
    assert gc.get_threshold() == before



def test_freezing_keeps_what_was_alive_out_of_the_passes_and_collects_once_on_the_way_out() -> None:
    before = gc.get_threshold()
    gc.collect()
    with no_full_collections(freeze=True):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[2] >= 1_000_000
        cycle = _Node()
        cycle.other = cycle
        ref = weakref.ref(cycle)
        del cycle
    assert ref() is None  # the page's garbage, collected on the way out
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_the_heap_is_given_back_when_the_report_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), no_full_collections(freeze=True):
        raise RuntimeError("a page that cannot be written")
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
    assert gc.isenabled()


def test_a_report_holds_off_the_young_passes_too_and_gives_back_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    with no_full_collections(freeze=True):
        assert not gc.isenabled()
    assert gc.isenabled()
    with no_full_collections():  # a case's load: the young passes go on
        assert gc.isenabled()
    gc.disable()
    try:
        with no_full_collections(freeze=True):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
