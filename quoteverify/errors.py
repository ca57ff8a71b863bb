"""The exceptions quoteverify raises for bad input, each naming the file and the fault."""

from __future__ import annotations


class QuoteverifyError(Exception):
    """Base class of the errors a user can cause and read about in one line."""


class InputError(QuoteverifyError):
    """An input file that cannot be used: ``str()`` gives ``"<path>: <fault>"`` on one line."""

    def __init__(self, path: str | None, fault: str) -> None:
        self.path = path
        self.fault = fault
        super().__init__(f"{path}: {fault}" if path else fault)
