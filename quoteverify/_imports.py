"""Import one module of a package without running the package's ``__init__``, where that imports far more than the module needs.

num2words' ``__init__`` imports its converters of every language (62
modules) to spell numbers in one. :func:`module_alone` imports the module
asked for, and what it imports itself, under a stand-in for each package
above it that is not imported yet. The stand-ins, and the package's modules
imported under them, are taken out of ``sys.modules`` after: the caller
keeps its module, and a later ``import`` of the package imports it whole, as
if nothing had been imported here (its modules a second time). For
packages of Python modules only: an extension module may refuse to load
twice.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType

#: one import under stand-ins at a time, and the modules imported so, by name
_ALONE = threading.Lock()
_IMPORTED: dict[str, ModuleType] = {}


def module_alone(name: str) -> ModuleType:
    """The module ``name``, imported without the ``__init__`` of a package above it that is not imported yet."""
    found = _IMPORTED.get(name) or sys.modules.get(name)
    if found is not None:
        return found
    with _ALONE:
        if name in _IMPORTED:
            return _IMPORTED[name]
        stand_ins: dict[str, ModuleType] = {}
        before = set(sys.modules)
        try:
            parts = name.split(".")
            for end in range(1, len(parts)):
                package = ".".join(parts[:end])
                if package not in sys.modules:
                    sys.modules[package] = stand_ins[package] = _stand_in(package)
            module = _IMPORTED[name] = importlib.import_module(name)
            return module
        finally:
            if stand_ins:
                prefixes = tuple(f"{package}." for package in stand_ins)
                for imported in set(sys.modules) - before:
                    if imported.startswith(prefixes) or imported in stand_ins:
                        del sys.modules[imported]


def _stand_in(package: str) -> ModuleType:
    """An empty module in the place of ``package``: where its modules are found, and nothing run."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.submodule_search_locations is None:
        raise ModuleNotFoundError(f"no package named {package!r}", name=package)
    return importlib.util.module_from_spec(spec)
