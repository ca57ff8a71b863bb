"""The collector's full passes are held off while a case loads, and only then."""

from __future__ import annotations

import gc

import pytest

from quoteverify._collector import no_full_collections


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

