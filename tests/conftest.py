"""Shared test settings: the hypothesis profiles (see profiles.py): "ci" when CI=true, derandomized, with more examples."""

from profiles import load

load()
