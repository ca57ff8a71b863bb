"""Writing output files whole: a file given in parts is the file of its parts joined."""

from __future__ import annotations

import hashlib
import mmap
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from quoteverify._files import Joined, data_sha256, write_atomic


@given(st.lists(st.binary(max_size=3000), max_size=5))
def test_a_file_in_parts_is_written_and_hashed_as_its_parts_joined(parts: list[bytes]) -> None:
    import tempfile

    whole = b"".join(parts)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f"
        write_atomic(path, Joined(tuple(parts)))
        assert path.read_bytes() == whole
    assert bytes(Joined(tuple(parts))) == whole
    assert data_sha256(Joined(tuple(parts))) == data_sha256(whole) == hashlib.sha256(whole).hexdigest()


def test_a_part_may_be_a_mapped_file(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.write_bytes(b"middle" * 1000)
    with open(source, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        data = Joined((b"head ", mapped, b" tail"))
        write_atomic(tmp_path / "out", data)
        digest = data_sha256(data)
    whole = b"head " + b"middle" * 1000 + b" tail"
    assert (tmp_path / "out").read_bytes() == whole
    assert digest == hashlib.sha256(whole).hexdigest()
