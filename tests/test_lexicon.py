"""The word lists: each language's file parsed as ``tomllib`` parses it, whether read back from the user's cache folder or not."""

from __future__ import annotations

import hashlib
import marshal
import tomllib
from pathlib import Path

import pytest

from quoteverify import lexicon as lexicon_module
from quoteverify.lexicon import languages

HERE = Path(lexicon_module.__file__).parent


def _kept_file(cache: Path, text: str) -> Path:
    return cache / "quoteverify" / lexicon_module._KEPT / hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize("language", languages())
def test_a_word_list_read_back_from_the_cache_folder_is_the_one_parsed(language, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = (HERE / f"{language}.toml").read_text(encoding="utf-8")
    parsed = tomllib.loads(text)
    assert lexicon_module._parsed(text) == parsed  # parsed, and kept
    assert _kept_file(tmp_path, text).is_file()
    monkeypatch.setattr(lexicon_module, "_toml", lambda text: pytest.fail("parsed again"))
    back = lexicon_module._parsed(text)
    assert back == parsed and list(back) == list(parsed)


@pytest.mark.parametrize("kept", [b"", b"\x00 not marshal", marshal.dumps(["not", "a", "table"]), marshal.dumps({"language": "xx"})[:-3]])
def test_a_broken_kept_word_list_is_parsed_again(kept, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = (HERE / "en.toml").read_text(encoding="utf-8")
    path = _kept_file(tmp_path, text)
    path.parent.mkdir(parents=True)
    path.write_bytes(kept)
    path.chmod(0o600)
    assert lexicon_module._parsed(text) == tomllib.loads(text)


def test_a_word_list_marshal_cannot_keep_is_parsed_each_time(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    text = 'language = "xx"\nsince = 2024-05-03\n'
    assert lexicon_module._parsed(text) == lexicon_module._parsed(text) == tomllib.loads(text)


def test_a_word_list_that_is_no_toml_fails_as_tomllib_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(tomllib.TOMLDecodeError):
        lexicon_module._parsed("language = \n")
