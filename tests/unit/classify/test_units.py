"""Which unit an item belongs to when its sources disagree."""

from __future__ import annotations

from tests.unit.classify.helpers import ROSTER
from zwxx.classify.units import attribute


def places(signoff: str = "", name: str = "", subject: str = "", title: str = "") -> list:
    return [("落款", signoff), ("文件名", name), ("邮件主题", subject), ("标题", title)]


def test_disagreeing_sources_go_to_review() -> None:
    subject_vs_signoff = attribute(ROSTER, places=places("供稿：区民政局", subject="区发改委动态"))
    assert subject_vs_signoff.unit is None and subject_vs_signoff.method == "conflict"
    assert set(subject_vs_signoff.candidates) == {"区民政局", "区发展和改革委员会"}
    folder_vs_signoff = attribute(
        ROSTER, folder_unit="区民政局", places=places("供稿单位：区发改委")
    )
    assert folder_vs_signoff.unit is None and "落款" in folder_vs_signoff.reason
    agreeing = attribute(ROSTER, folder_unit="区民政局", places=places("供稿：区民政局"))
    assert agreeing.unit == "区民政局" and agreeing.method == "folder"
    mention = attribute(ROSTER, folder_unit="区民政局", places=places(title="联合区财政局开展"))
    assert mention.unit == "区民政局"  # a title mentioning a partner is no contradiction
    two_in_title = attribute(ROSTER, places=places(title="区民政局联合区财政局开展救助"))
    assert two_in_title.unit is None and two_in_title.method == "conflict"
