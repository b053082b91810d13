"""Category cues, revisions (修改稿) and conflicting unit sources."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from tests.test_dropfolder import at, cli_json, put
from zwxx.classify.category import decide
from zwxx.classify.item import Context, build
from zwxx.classify.units import attribute
from zwxx.config.roster import load_roster
from zwxx.config.rules import load_rules
from zwxx.config.settings import load_settings
from zwxx.types import Document

RULES = load_rules(ROOT / "config" / "rules.toml")
ROSTER = load_roster(ROOT / "config" / "units.toml", list(RULES.groups))


@pytest.mark.parametrize(
    ("title", "lead", "category", "reason"),
    [
        ("关于全区农村电商发展情况的调研报告", "", "research", "标题含“调研”"),
        ("区民政局“三个精准”工作法的经验做法", "", "experience", "标题含“经验”"),
        ("关于秸秆综合利用面临的困难及对策", "", "problem", "标题含“困难”"),
        ("关于农村电商问题的调研", "", "research", "标题含“调研”"),  # priority: research first
        ("区民政局开展敬老月活动", "", "dynamic", "未见分类标注或提示词"),
        ("全区冬季供暖情况", "当前供暖中存在管网老化等隐患。", "problem", "导语含“隐患”"),
    ],
)
def test_cue_words(title: str, lead: str, category: str, reason: str) -> None:
    got = decide(RULES, title=title, paragraphs=[lead] if lead else [])
    assert (got.category, got.explicit) == (category, False)
    assert reason in got.reason


def test_label_wins_over_cues_and_long_sectioned_text_is_research() -> None:
    assert decide(RULES, title="【动态】关于秸秆问题的调研").category == "dynamic"
    sections = ["一、基本情况", "正文", "二、存在问题", "三、对策建议"]
    long = decide(RULES, title="全区民间投资运行分析", paragraphs=sections, chars=1800)
    assert long.category == "research" and "分 3 个部分" in long.reason
    short = decide(RULES, title="全区民间投资运行分析", paragraphs=sections, chars=600)
    assert short.category != "research"  # too short for research by structure


@pytest.mark.parametrize(
    ("filename", "subject", "category", "explicit"),
    [
        ("区发改委-协调解决企业用地问题.docx", "", "dynamic", False),  # 问题 is a word here
        ("区民政局-群众反映的困难和建议.docx", "", "problem", False),  # a cue, not a label
        ("口镇经验做法-三链融合.docx", "", "experience", True),
        ("区民政局问题建议_养老服务.docx", "", "problem", True),
        ("", "区财政局工作动态-预算执行", "dynamic", True),
        ("高庄街道调研报告-村集体经济.docx", "", "research", True),
        ("", "口镇市专报-秸秆综合利用", "special", True),
    ],
)
def test_file_name_and_subject_parts_end_in_category_names_only(
    filename: str, subject: str, category: str, explicit: bool
) -> None:
    title = filename.split("-")[-1].removesuffix(".docx") or subject.split("-")[-1]
    got = decide(RULES, subject=subject, filename=filename, title=title)
    assert (got.category, got.explicit) == (category, explicit), got.reason


SECTIONED = [
    "一、基本情况",
    "正文",
    "二、存在问题",
    "三、对策建议",
    "四、下一步打算",
    "五、几点思考",
]


def test_label_the_content_contradicts_is_kept_and_flagged() -> None:
    got = decide(RULES, title="【动态】全区民间投资运行分析", paragraphs=SECTIONED, chars=1800)
    assert got.category == "dynamic" and got.explicit
    assert got.conflict == "标注为动态信息，但内容（1800字、分5部分）更像调研信息，请核对"
    assert got.conflict in got.reason
    long = decide(RULES, title="【动态】区住建局开展金秋攻坚行动", paragraphs=["正文"], chars=1100)
    assert long.category == "dynamic" and "远超原则上 400 字" in long.conflict
    cue = decide(RULES, subject="【经验】秸秆利用", title="关于秸秆综合利用面临的困难及对策")
    assert cue.category == "experience" and "更像问题建议" in cue.conflict
    # Agreeing content, a text just over the limit, and 专报 (any content) are no conflict.
    assert not decide(
        RULES, title="【调研】全区投资分析", paragraphs=SECTIONED, chars=1800
    ).conflict
    assert not decide(RULES, title="【动态】区民政局开展走访", chars=600).conflict
    assert not decide(RULES, title="【动态】高庄街道入户走访困难群众", chars=102).conflict
    assert not decide(RULES, title="【专报】关于农村饮水安全问题的建议", chars=900).conflict


def test_conflict_note_reaches_the_item_reason_and_it_still_counts(workdir: Path, zwxx) -> None:
    doc = Document(
        name="【动态】全区民间投资运行分析.docx",
        title="全区民间投资运行分析",
        paragraphs=[p + "。" + "全区民间投资保持平稳增长，结构持续优化。" * 18 for p in SECTIONED],
    )
    draft = build(doc, Context(sender="lwqfgw@163.com"), ROSTER, RULES)
    assert draft.category == "dynamic" and draft.over_limit
    assert "更像调研信息，请核对" in draft.limit_note and "照常计数" in draft.limit_note
    body = "\n".join(doc.paragraphs) + "\n供稿：区发改委\n"
    put(workdir / "drop" / "区发改委" / "【动态】全区民间投资运行分析.txt", body)
    zwxx("poll")
    (item,) = cli_json(zwxx, "items")
    assert item["counted"] and item["category"] == "dynamic"
    assert "标注为动态信息，但内容" in item["reason"] and "更像调研信息，请核对" in item["reason"]


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


def body_of(workdir: Path, item_id: int) -> str:
    engine = sa.create_engine(load_settings(workdir / "zwxx.toml").database.url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT body FROM item WHERE id = :i"), {"i": item_id}
            ).scalar()
    finally:
        engine.dispose()


def test_revision_replaces_the_earlier_version(workdir: Path, zwxx) -> None:
    drop = workdir / "drop" / "区发改委"
    text = "全区重点项目推进会召开\n会议部署项目{n}个，总投资38.6亿元。\n"
    put(drop / "推进会.txt", text.format(n=12), when=at("2026-10-09T09:00:00"))
    put(drop / "推进会（修改稿）.txt", text.format(n=13), when=at("2026-10-10T09:00:00"))
    # The same title eleven days later is a new item, not a revision.
    put(drop / "下周.txt", text.format(n=20), when=at("2026-10-20T09:00:00"))
    zwxx("poll")
    first, revision, later = cli_json(zwxx, "items")
    assert first["counted"] and "13个" in body_of(workdir, first["id"])
    assert first["received_at"].startswith("2026-10-09")  # counts in the first version's month
    assert revision["status"] == "duplicate" and "修改稿" in revision["reason"]
    assert later["counted"]
