"""Hypothesis profiles: "dev" by default, "ci" when the environment says CI=true.

The "ci" profile is derandomized (the same examples on every run, so a red
build is reproducible) and runs :data:`CI_SCALE` times the examples of the
properties that ask for it through :func:`examples` (those of locating and
classifying, where rare inputs hide the bugs).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

#: how many times more examples the properties of locate and classify run in CI
CI_SCALE = 3

settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)

IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def examples(n: int) -> int:
    """``n`` examples, or :data:`CI_SCALE` times as many in CI."""
    return n * CI_SCALE if IN_CI else n


def load() -> None:
    settings.load_profile("ci" if IN_CI else "dev")
