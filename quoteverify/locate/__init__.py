"""Locate: find the source passage a quotation renders, or decide it renders none.

The package's modules, each importing only those after it:

- :mod:`~quoteverify.locate.place`: :func:`locate`, the placement of a
  quotation's fragments together in one source;
- :mod:`~quoteverify.locate.search`: the search for one fragment's passage
  (exact runs, short fragments, unique-trigram seeds, the trigram vote,
  co-occurring words);
- :mod:`~quoteverify.locate.score`: the alignment of a candidate passage,
  its significance and the chance of a quotation's placement;
- :mod:`~quoteverify.locate.index`: the index of the sources (built, saved,
  loaded), its word ids and trigram keys, and the mapping of word
  positions to characters.
"""

from quoteverify.locate.index import CACHE_DIR, INDEX_FORMAT, IndexedSource, SourceIndex, case_index, fingerprint
from quoteverify.locate.place import locate
from quoteverify.locate.score import MIN_SHARE, MIN_SIGNIFICANCE, Hit
from quoteverify.locate.search import SHORT, find, find_ids

__all__ = [
    "CACHE_DIR",
    "INDEX_FORMAT",
    "MIN_SHARE",
    "MIN_SIGNIFICANCE",
    "SHORT",
    "Hit",
    "IndexedSource",
    "SourceIndex",
    "case_index",
    "find",
    "find_ids",
    "fingerprint",
    "locate",
]
