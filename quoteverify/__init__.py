"""quoteverify: find every direct quotation of a document, locate it, and name each variant."""

from quoteverify.errors import InputError, QuoteverifyError
from quoteverify.pipeline import check, check_files

__version__ = "0.1.0"

__all__ = ["InputError", "QuoteverifyError", "__version__", "check", "check_files"]
