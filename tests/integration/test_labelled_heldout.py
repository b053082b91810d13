"""The held-out set (``tests/labelled/eval_d.py``): written after the classifier was tuned
on ``cases`` and ``eval_a/b/c``, and never used for tuning. It measures how the rules do
on text they were not shaped by; the figures are printed (``pytest -s``).

The floors below are where the rules stand on it (category 87.3 %, one mail with two
texts pasted into its body read as one), not the goal: issue 12 asks for 95 %. They
catch a change that makes unseen text worse; raise them as the rules improve.
"""

from __future__ import annotations

import pytest

from tests.labelled.eval_d import MAILS
from tests.labelled.harness import Run, run_set, score

CATEGORY_FLOOR = 0.85


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_set(MAILS, tmp_path_factory.mktemp("labelled-heldout"))


def test_heldout_set(run: Run) -> None:
    s = score(run, MAILS)
    report = s.table()
    print("\n" + report)
    assert s.cat_n and s.cat_ok / s.cat_n >= CATEGORY_FLOOR, report
    assert s.placed_ok == s.placed, report  # precision 100 %
    assert s.attributable and s.found / s.attributable >= 0.95, report
    assert s.count_bad <= 1, report
    assert s.chars_n and s.chars_ok >= s.chars_n - 1, report
    assert not s.nonitem_bad and not s.groups_bad, report
