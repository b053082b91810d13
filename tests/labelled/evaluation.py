"""The evaluation set (issue 12): mails written by three writers from the text alone,
before the category cue words were tuned, and never used for tuning (that is what
``cases`` is for). See each module's docstring for its mix."""

from __future__ import annotations

from tests.labelled import eval_a, eval_b, eval_c
from tests.labelled.cases import Mail

MAILS: list[Mail] = [*eval_a.MAILS, *eval_b.MAILS, *eval_c.MAILS]
