"""The tests' own helpers, where they need no server: the numbered documents of the
crash tests, and the Dovecot fixture's behaviour when Dovecot is missing."""

from __future__ import annotations

import io

import docx
import pytest

from tests import conftest
from tests.helpers import PLACE, numbered_docx


def test_helpers_make_distinct_documents() -> None:
    docs = {numbered_docx(n) for n in range(150)}
    assert len(docs) == 150
    text = "".join(p.text for p in docx.Document(io.BytesIO(numbered_docx(7))).paragraphs)
    assert "第007号" in text and PLACE not in text


def test_missing_dovecot_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.servers import dovecot

    monkeypatch.setattr(dovecot.shutil, "which", lambda *args, **kwargs: None)
    expected = pytest.fail.Exception if conftest.REQUIRE else pytest.skip.Exception
    with pytest.raises(expected, match="dovecot-imapd is not installed"):
        dovecot.DovecotServer()
