"""The "≥ 90 % the same text" revision rule (SPEC §2) and joint submissions: the
calibration on its own, then end to end through the OA drop folder and the real CLI."""

from __future__ import annotations

from pathlib import Path

from rapidfuzz import fuzz

from tests.helpers import at, body_of, cli_json, put
from zwxx.classify.dedupe import Comparable, comparable, same_text

# A real revision (修改稿): reworded in four places, one phrase added to the title, every
# figure kept. 93 % the same.
TITLE = "区发改委“三个强化”推动重点项目建设"
TITLE2 = "区发改委“三个强化”推动重点项目建设提速"
DRAFT = """今年以来，区发改委聚焦项目谋划、要素保障、服务推进三个关键环节，全力推动重点项目建设。\
截至9月底，全区列入省、市、区三级重点项目112个，累计完成投资186.4亿元，占年度计划的82.3%。
一是强化项目谋划。围绕新旧动能转换，谋划储备项目86个，总投资420亿元。
二是强化要素保障。统筹用地、资金、能耗等要素，为重点项目解决用地1200亩。
三是强化服务推进。实行“一项目一专班”，协调解决问题45个。"""
REVISED = """今年以来，区发改委紧紧围绕项目谋划、要素保障、服务推进三个关键环节，全力推动重点项目\
建设提速增效。截至9月底，全区列入省、市、区三级重点项目112个，累计完成投资186.4亿元，占年度计划的82.3%。
一是强化项目谋划。围绕新旧动能转换和产业升级，谋划储备项目86个，总投资420亿元。
二是强化要素保障。统筹用地、资金、能耗等要素，为重点项目解决用地1200亩。
三是强化服务推进。实行“一个项目、一个专班、一抓到底”推进机制，协调解决各类问题45个。"""

# A templated weekly report: the same words every week, other figures and dates.
WEEKLY = (
    "本周（{m}月{d1}日至{m}月{d2}日），全区12345政务服务便民热线共受理群众诉求{a}件，"
    "办结{b}件，办结率{r}%，群众满意率{s}%。从诉求类型看，咨询类{c}件，求助类{e}件，投诉类{f}件。"
    "从诉求领域看，城乡建设、社会保障、市场监管类诉求居前三位。区便民服务热线办公室坚持"
    "“接诉即办、未诉先办”，对重点诉求实行台账管理、跟踪督办，对超期未办结的诉求逐件督促。"
    "下一步，将持续提升诉求办理质效，切实解决群众急难愁盼问题。"
)
WEEK45 = dict(m=11, d1=3, d2=9, a=1234, b=1180, r=95.6, s=98.2, c=600, e=400, f=234)
WEEK46 = dict(m=11, d1=10, d2=16, a=1302, b=1251, r=96.1, s=98.5, c=640, e=410, f=252)

# Short 动态 on one boilerplate: only the subject differs.
BOILER = (
    "近日，区民政局组织开展{x}活动。活动中，工作人员深入各村居，面对面宣传政策、解答疑问，"
    "发放宣传资料500余份。下一步，区民政局将持续加大工作力度，推动各项工作落地见效，"
    "不断增强群众获得感。"
)


def test_a_real_revision_is_the_same_text() -> None:
    a, b = comparable(TITLE, DRAFT), comparable(TITLE2, REVISED)
    assert 92 <= fuzz.ratio(a.text, b.text) < 95
    assert same_text(a, b) is not None


def test_a_revision_with_updated_figures_is_the_same_text() -> None:
    # "前天报的秋收信息数字有更新，以这一稿为准": the title reworded, three of four figures
    # updated, no date changed.
    text = (
        "眼下正值秋收秋种关键时期，羊里镇组织农机合作社、种粮大户抢收抢种。全镇投入各类农机具"
        "1200余台，已完成玉米收获{a}万亩，小麦播种{b}万亩，播种进度达到{c}%。\n"
        "镇农业综合服务中心组织技术人员深入田间地头，指导群众科学施肥、适墒播种，确保小麦一播全苗。"
    )
    a = comparable("羊里镇多措并举推进秋收秋种", text.format(a=6.8, b=4.1, c=72))
    b = comparable("羊里镇扎实推进秋收秋种工作", text.format(a=7.2, b=4.6, c=80))
    assert same_text(a, b) is not None


def test_templated_weekly_reports_are_two_items() -> None:
    a = comparable("12345热线第45周工作周报", WEEKLY.format(**WEEK45))
    b = comparable("12345热线第46周工作周报", WEEKLY.format(**WEEK46))
    assert fuzz.ratio(a.text, b.text) >= 90  # alike enough: the figures tell them apart
    assert same_text(a, b) is None
    # Even when only the dates moved (the same figures, by chance or by copy-paste).
    c = comparable("12345热线第46周工作周报", WEEKLY.format(**{**WEEK45, "d1": 10, "d2": 16}))
    assert same_text(a, c) is None
    # Or a template without dates whose figures all changed.
    undated = WEEKLY.replace("本周（{m}月{d1}日至{m}月{d2}日），", "")
    d = comparable("热线工作情况", undated.format(**WEEK45))
    e = comparable("热线工作情况", undated.format(**WEEK46))
    assert fuzz.ratio(d.text, e.text) >= 90 and same_text(d, e) is None


def test_short_boilerplate_dynamics_are_two_items() -> None:
    a = comparable("区民政局开展养老政策宣传活动", BOILER.format(x="养老政策宣传"))
    b = comparable("区民政局开展救助政策宣传活动", BOILER.format(x="救助政策宣传"))
    assert fuzz.ratio(a.text, b.text) >= 90  # the titles name different subjects
    assert same_text(a, b) is None


def test_short_texts_never_merge_by_similarity() -> None:
    a = Comparable("全区新建养老服务站", "全区新建养老服务站全区新建养老服务站5处，服务老人。")
    b = Comparable("全区新建养老服务站", "全区新建养老服务站全区新建养老服务站5处，服务老人！")
    assert same_text(a, b) is None


def test_revision_at_93_percent_replaces_the_earlier_item(workdir: Path, zwxx) -> None:
    drop = workdir / "drop" / "区发改委"
    put(drop / "项目建设.txt", f"{TITLE}\n{DRAFT}\n", when=at("2026-10-09T09:00"))
    put(drop / "项目建设2.txt", f"{TITLE2}\n{REVISED}\n", when=at("2026-10-12T09:00"))
    # 93 % alike again, but eleven days after the first: outside the 7-day window.
    third = DRAFT.replace("全力推动", "大力推动")
    put(drop / "项目建设3.txt", f"{TITLE}\n\n{third}\n", when=at("2026-10-20T09:00"))
    zwxx("poll")
    first, later, third = cli_json(zwxx, "items")
    assert first["counted"] and first["received_at"].startswith("2026-10-09")
    assert first["title"] == TITLE2 and "一抓到底" in body_of(workdir, first["id"])
    assert "修改稿" in first["reason"]
    assert later["status"] == "duplicate" and "93% 相同" in later["reason"]
    assert str(first["id"]) in later["reason"]
    assert third["counted"]
    report = cli_json(zwxx, "report", "month", "2026-10")
    assert {r["unit"]: r["items"] for r in report}["区发展和改革委员会"] == 2

    # Re-parsing reaches the same result.
    zwxx("reparse")
    assert [i["status"] for i in cli_json(zwxx, "items")] == ["counted", "duplicate", "counted"]
    assert "一抓到底" in body_of(workdir, first["id"])


def test_templated_reports_and_boilerplate_dynamics_all_count(workdir: Path, zwxx) -> None:
    drop = workdir / "drop" / "区民政局"
    put(
        drop / "w45.txt",
        "12345热线第45周工作周报\n" + WEEKLY.format(**WEEK45),
        when=at("2026-11-09T17:00"),
    )
    put(
        drop / "w46.txt",
        "12345热线第46周工作周报\n" + WEEKLY.format(**WEEK46),
        when=at("2026-11-16T09:00"),
    )
    for n, subject in enumerate(("养老政策宣传", "救助政策宣传")):
        text = f"区民政局开展{subject}活动\n{BOILER.format(x=subject)}\n"
        put(drop / f"d{n}.txt", text, when=at(f"2026-11-1{n}T10:00"))
    zwxx("poll")
    items = cli_json(zwxx, "items")
    assert len(items) == 4 and all(i["status"] == "counted" for i in items)


def test_same_text_from_another_unit_is_not_merged_but_reviewed(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "区发改委" / "a.txt", f"{TITLE}\n{DRAFT}\n", when=at("2026-10-09T09:00"))
    # Another unit, the same title, 93 % the same body: no revision across units; a
    # possible joint submission for the clerk.
    put(drop / "区财政局" / "b.txt", f"{TITLE}\n{REVISED}\n", when=at("2026-10-10T09:00"))
    zwxx("poll")
    first, other = cli_json(zwxx, "items")
    assert first["counted"] and first["title"] == TITLE
    assert "一抓到底" not in body_of(workdir, first["id"])  # the first kept its own text
    assert other["unit"] == "区财政局" and other["status"] == "review"
    assert f"与第 {first['id']} 条（区发展和改革委员会）内容" in other["reason"]
    assert "% 相同" in other["reason"] and "联合报送" in other["reason"]
    (queued,) = cli_json(zwxx, "review")
    assert queued["id"] == other["id"]
    assert queued["candidates"] == ["区财政局", "区发展和改革委员会"]


def test_a_sign_off_naming_two_units_is_a_joint_submission(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    text = (
        "区财政局区税务局联合开展税费政策宣传进企业活动\n"
        "10月16日至18日，区财政局、区税务局联合组成4个宣讲小组，走进重点园区，"
        "为126家企业宣讲结构性减税降费政策。\n供稿单位：区财政局、区税务局\n"
    )
    put(drop / "区财政局" / "a.txt", text, when=at("2026-10-19T09:00"))
    put(drop / "区税务局" / "b.txt", text + "\n", when=at("2026-10-19T11:00"))
    zwxx("poll")
    first, second = cli_json(zwxx, "items")
    assert first["status"] == second["status"] == "review"
    assert "落款为多个单位（区财政局、区税务局）" in first["reason"]
    assert f"与第 {first['id']} 条（区财政局）内容相同" in second["reason"]
    for item in (first, second):
        zwxx("review", "assign", str(item["id"]), "--unit", item["unit"])
    assert [i["counted"] for i in cli_json(zwxx, "items")] == [True, True]
    zwxx("reparse")
    assert [i["counted"] for i in cli_json(zwxx, "items")] == [True, True]


def _october(zwxx, unit: str) -> int:
    return {r["unit"]: r["items"] for r in cli_json(zwxx, "report", "month", "2026-10")}[unit]


def test_the_same_long_body_from_another_unit_under_another_title_is_reviewed(
    workdir: Path, zwxx
) -> None:
    drop = workdir / "drop"
    put(drop / "区发改委" / "a.txt", f"{TITLE}\n{DRAFT}\n", when=at("2026-10-09T09:00"))
    put(
        drop / "区财政局" / "b.txt", f"财政资金保障重点项目\n{DRAFT}\n", when=at("2026-10-10T09:00")
    )
    # Short texts (< 60 字) that two units word alike under their own titles both count.
    short = "全区新建口袋公园12处。"
    put(drop / "区民政局" / "c.txt", f"民政局口袋公园\n{short}\n", when=at("2026-10-11T09:00"))
    put(
        drop / "区财政局" / "d.txt", f"财政支持口袋公园建设\n{short}\n", when=at("2026-10-12T09:00")
    )
    zwxx("poll")
    first, other, c, d = cli_json(zwxx, "items")
    assert first["counted"] and other["unit"] == "区财政局" and other["status"] == "review"
    assert f"与第 {first['id']} 条（区发展和改革委员会）内容相同" in other["reason"]
    assert "联合报送" in other["reason"]
    assert c["counted"] and d["counted"]


def test_an_older_version_never_replaces_a_newer_one(workdir: Path, zwxx) -> None:
    drop = workdir / "drop" / "区发改委"
    put(drop / "v1.txt", f"{TITLE}\n{DRAFT}\n", when=at("2026-10-09T09:00"))
    put(drop / "v2.txt", f"{TITLE2}\n{REVISED}\n", when=at("2026-10-12T09:00"))
    # The first version sent again after the revision: a copy, not a revision of v2.
    put(drop / "v1again.txt", f"{TITLE}\n\n{DRAFT}\n", when=at("2026-10-13T09:00"))
    zwxx("poll")

    def check() -> None:
        first, v2, again = cli_json(zwxx, "items")
        assert [first["status"], v2["status"], again["status"]] == [
            "counted",
            "duplicate",
            "duplicate",
        ]
        assert first["title"] == TITLE2 and "一抓到底" in body_of(workdir, first["id"])
        assert _october(zwxx, "区发展和改革委员会") == 1

    check()
    first = cli_json(zwxx, "items")[0]
    # Re-parsing the first version alone keeps the revision's text.
    zwxx("reparse", "--envelope", str(first["envelope_id"]))
    check()
    zwxx("reparse")
    check()


def test_a_revision_in_a_later_month_under_another_category_is_reviewed(
    workdir: Path, zwxx
) -> None:
    drop = workdir / "drop" / "区发改委"
    put(drop / "a.txt", f"{TITLE}\n{DRAFT}\n", when=at("2026-10-30T09:00"))
    put(drop / "b.txt", f"【调研】{TITLE}\n{REVISED}\n", when=at("2026-11-03T09:00"))
    zwxx("poll")
    first, later = cli_json(zwxx, "items")
    assert later["category"] == "research" and first["category"] != "research"
    assert first["counted"] and "一抓到底" not in body_of(workdir, first["id"])
    assert later["status"] == "review"
    assert (
        f"与第 {first['id']} 条（10月）标题相同的修改稿，但分类不同且跨月，请确认"
        in (later["reason"])
    )
    zwxx("reparse")
    first, later = cli_json(zwxx, "items")
    assert first["counted"] and first["category"] != "research" and later["status"] == "review"
    # The clerk counts it: November's own item; October stays as reported.
    zwxx("review", "assign", str(later["id"]), "--unit", "区发改委")
    zwxx("reparse")
    first, later = cli_json(zwxx, "items")
    assert first["counted"] and first["category"] != "research"
    assert later["counted"] and later["category"] == "research"
    assert "一抓到底" not in body_of(workdir, first["id"])
