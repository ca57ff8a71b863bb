"""The result objects: one made by ``with_fields`` is the object its class makes of the same fields."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from quoteverify.models import ArticleRef, Document, Paragraph, Quotation, Segment, with_fields

EXAMPLES = [
    Paragraph(0, 0, 5, "A. Speaker"),
    Segment("text", 3, 9),
    Quotation("We will", ((3, 10),), (Segment("text", 3, 10),), "she said", (12, 20)),
    ArticleRef("a1", "articles/a1.txt", outlet="Gazette", date="2024-01-01", url="https://news.example/a1"),
    Document("d1", "Hello.\n\nWorld.", "d1.txt", "0" * 64, "utf-8", (Paragraph(0, 0, 6), Paragraph(1, 8, 14)), title="T"),
]


@pytest.mark.parametrize("made", EXAMPLES, ids=lambda o: type(o).__name__)
def test_an_object_with_its_fields_set_at_once_is_the_one_its_class_makes(made: object) -> None:
    fields = {f.name: getattr(made, f.name) for f in dataclasses.fields(made)}  # type: ignore[arg-type]
    twin = with_fields(type(made), fields)
    assert twin == made and hash(twin) == hash(made) and repr(twin) == repr(made)
    assert vars(twin) == vars(made) and list(vars(twin)) == list(vars(made))  # the same fields, in the same order
    assert pickle.loads(pickle.dumps(twin)) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        twin.x = 1  # type: ignore[attr-defined]
