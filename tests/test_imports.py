"""A module imported alone: its package's ``__init__`` is not run, and runs as always when the package is imported after."""

from __future__ import annotations

import sys
import uuid

import pytest

from quoteverify._imports import module_alone


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package not imported yet whose ``__init__`` imports its two modules and counts its runs in ``RUNS``."""
    name = f"probe_{uuid.uuid4().hex}"
    folder = tmp_path / name
    (folder / "inner").mkdir(parents=True)
    (folder / "__init__.py").write_text("import builtins\nbuiltins.RUNS.append(__name__)\nfrom . import one, two\n")
    (folder / "one.py").write_text("from . import common\nVALUE = common.BASE + 1\n")
    (folder / "two.py").write_text("from . import common\nVALUE = common.BASE + 2\n")
    (folder / "common.py").write_text("BASE = 40\n")
    (folder / "inner" / "__init__.py").write_text("import builtins\nbuiltins.RUNS.append(__name__)\n")
    (folder / "inner" / "deep.py").write_text("from .. import common\nVALUE = common.BASE + 3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("builtins.RUNS", [], raising=False)
    yield name
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        del sys.modules[module]


def test_a_module_imported_alone_runs_no_init_of_its_packages(package):
    import builtins

    assert module_alone(f"{package}.one").VALUE == 41
    assert module_alone(f"{package}.inner.deep").VALUE == 43
    assert builtins.RUNS == []
    assert package not in sys.modules and f"{package}.inner" not in sys.modules  # the stand-ins are gone


def test_the_package_imported_after_is_imported_whole_as_if_nothing_had_been(package):
    import builtins
    import importlib

    one = module_alone(f"{package}.one")
    assert not [m for m in sys.modules if m.startswith(f"{package}.")]  # its modules imported alone are the caller's only
    whole = importlib.import_module(package)
    assert builtins.RUNS == [package]
    assert whole.one.VALUE == 41 and whole.two.VALUE == 42 and whole.one.common is whole.two.common is whole.common
    assert module_alone(f"{package}.one") is one  # asked again, the module imported alone
    assert module_alone(f"{package}.two") is whole.two  # a module of a package imported whole is its own


def test_a_module_of_no_package_is_not_found(package):
    with pytest.raises(ModuleNotFoundError):
        module_alone(f"{package}.missing")
    with pytest.raises(ModuleNotFoundError):
        module_alone(f"no_such_package_{uuid.uuid4().hex}.one")
    assert package not in sys.modules
