"""The labelled test set (issue 5) through the real pipeline: every case of
``tests/labelled/cases.py`` is written as a real .eml (.docx/.doc attachments) into an OA
drop folder, ``zwxx poll`` reads them, and ``zwxx items --json`` / ``envelopes --json`` are
compared with the labels a clerk gave each document.

Printed (``pytest -s``) and in every assertion message: category accuracy, attribution
precision and recall, items counted vs expected, and one line per mistake. Thresholds:
category accuracy ≥ 95 %, precision = 100 % (no item on a wrong unit), recall ≥ 95 %
(the rest in review), each re-sent or revised submission counted exactly once, every
non-submission (auto-reply, bounce, newsletter, spam) never counted.

Runs on SQLite only (one poll of the whole set, ~150 envelopes, with LibreOffice
converting the .doc files): the pipeline's database behaviour on PostgreSQL is covered by
the other tests. Cases marked ``depends`` exercise pipeline rules added separately
(≥ 90 % similar revisions, joint submissions, unknown senders ignored) and are checked in
``test_labelled_pipeline_rules``.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.conftest import ROOT
from tests.labelled.cases import MAILS
from tests.labelled.harness import ITEM_FIELDS, Run, expected_docs, run_set, score


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_set(MAILS, tmp_path_factory.mktemp("labelled"))


def test_labelled_set_covers_units_categories_and_habits() -> None:
    roster_text = (ROOT / "config" / "units.toml").read_text(encoding="utf-8")
    units = set(re.findall(r'^name\s*=\s*"([^"]+)"', roster_text, re.M))
    docs = [d for m in MAILS for d in expected_docs(m)]
    assert len(docs) >= 120
    assert units - {d.unit for d in docs} == set(), "every roster unit at least once"
    cats = Counter(d.cat for d in docs)
    assert set(cats) == {"dynamic", "experience", "problem", "research", "special"}
    assert min(cats.values()) >= 12, cats
    assert sum(1 for d in docs if d.name.endswith(".doc")) >= 3
    assert sum(1 for m in MAILS if len(expected_docs(m)) > 1) >= 3
    assert sum(1 for m in MAILS if m.expect) >= 9


def test_labelled_accuracy(run: Run) -> None:
    s = score(run, MAILS)
    report = s.table()
    print("\n" + report)
    assert all(set(i) >= ITEM_FIELDS for i in run.items), report
    assert all(i["attribution"] and i["reason"] is not None for i in run.items), report
    assert s.cat_n and s.cat_ok / s.cat_n >= 0.95, report
    assert s.placed_ok == s.placed, report
    assert s.attributable and s.found / s.attributable >= 0.95, report
    assert s.count_bad == 0, report  # every document one item, cover notes none
    assert s.status_ok == s.status_n, report  # counted / duplicate / review as labelled
    assert s.chars_n and s.chars_ok == s.chars_n, report  # 字数 exact on every counted item
    assert not s.groups_bad, report
    assert not s.nonitem_bad, report
    over = run.by_mail["zjj-01"]
    assert over and over[0]["counted"] and over[0]["over_limit"], report
    assert over[0]["chars"] > 500, report


def test_labelled_pipeline_rules(run: Run) -> None:
    """Cases for rules the pipeline adds separately: a revision that is ≥ 90 % the same
    text counts once; the same text from two units goes to review as a joint
    submission; senders who are no unit and name none are ignored."""
    s = score(run, MAILS)
    assert not s.depends_bad, s.table()
