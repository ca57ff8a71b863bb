"""A run's report folder: the files its manifest lists."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from quoteverify.run.output import _file_sha256, _files_within, _HashedAside


def _files_by_walk(folder: Path) -> list[str]:
    """The files under ``folder`` as :func:`os.walk` and :func:`os.path.isfile` find them, sorted by their parts."""
    found: list[tuple[str, ...]] = []
    for top, _dirs, names in os.walk(folder):
        rel = Path(top).relative_to(folder).parts
        found.extend((*rel, name) for name in names if os.path.isfile(os.path.join(top, name)))
    return ["/".join(parts) for parts in sorted(found)]


def test_the_files_within_a_folder_are_those_a_walk_finds(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    for rel in ("index.html", "report.json", "articles/a.html", "articles/b-1.html", "sources/doc.html",
                "sources/deep/er/x.txt", "a-b/c", "a/b"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(rel.encode())
    (folder / "empty").mkdir()
    outside = tmp_path / "outside"
    (outside / "inner").mkdir(parents=True)
    (outside / "inner" / "page.html").write_text("x", encoding="utf-8")
    (outside / "file.txt").write_text("x", encoding="utf-8")
    (folder / "link-to-file").symlink_to(outside / "file.txt")
    (folder / "link-to-folder").symlink_to(outside / "inner")
    (folder / "broken-link").symlink_to(tmp_path / "nowhere")
    files = _files_within(folder)
    assert files == _files_by_walk(folder)
    assert "link-to-file" in files and "sources/deep/er/x.txt" in files
    assert not any(f.startswith(("link-to-folder", "broken-link", "empty")) for f in files)
    assert files.index("a/b") < files.index("a-b/c")  # by parts, not by the joined text


@pytest.mark.parametrize("size", [0, 1, 2**20, 2**20 + 7, 3 * 2**20 - 1])
def test_a_file_hashed_aside_is_hashed_as_its_bytes(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    (tmp_path / "f").write_bytes(data)
    assert _file_sha256(tmp_path / "f") == _HashedAside(tmp_path / "f").result() == hashlib.sha256(data).hexdigest()
    assert _HashedAside(tmp_path / "missing").result() is None
