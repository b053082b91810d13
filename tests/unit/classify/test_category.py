"""Category: cue words, labels in file names and subjects, labels the content contradicts."""

from __future__ import annotations

import pytest

from tests.unit.classify.helpers import RULES, SECTIONED
from zwxx.classify.category import decide


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
