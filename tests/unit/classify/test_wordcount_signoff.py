"""字数 without sign-off and contact lines (SPEC §3; issue 12, item 5), and accented
Latin words counting one each.

Every count below was made by hand from the text, the working shown in the comment
("wide" = characters outside ASCII, "w" = words); none was copied from the function.
"""

from __future__ import annotations

import pytest

from tests.unit.classify.helpers import ROSTER, RULES
from zwxx.classify.dedupe import comparable
from zwxx.classify.item import Context, build
from zwxx.classify.wordcount import count_chars, countable_lines, is_signoff
from zwxx.types import Document

TITLE = "区发改委“三个聚焦”推动重点项目建设提速"
BODY = [
    # 今年以来4 ，1 区发改委4 聚焦2 项目谋划4 、1 要素保障4 、1 服务优化4 ，1 推动2 全区2
    # 重点项目4 建设2 提速增效4 。1 = 41 wide; no words. -> 41
    "今年以来，区发改委聚焦项目谋划、要素保障、服务优化，推动全区重点项目建设提速增效。",
    # 至1 月1 ，1 全区2 个1 省市重点项目6 完成投资4 亿元2 ，1 占1 年度计划的5 。1 = 26 wide;
    # 1 / 9 / 58 / 126.5 / 86.3% = 5 w. -> 31
    "1至9月，全区58个省市重点项目完成投资126.5亿元，占年度计划的86.3%。",
    # 电话 inside news text counts. 开通2 小时2 项目2 服务电话4 ，1 受理2 企业诉求4 件1 ，1
    # 办结率3 。1 = 23 wide; 24 / 213 / 100% = 3 w. -> 26
    "开通24小时项目服务电话，受理企业诉求213件，办结率100%。",
    # A bracketed aside inside a paragraph counts. 全区2 推行2 “1 拿地即开工5 ”1 审批模式4
    # （1 详见附件4 ）1 ，1 平均2 审批时间4 压缩至3 个1 工作日3 。1 = 36 wide; 12 = 1 w. -> 37
    "全区推行“拿地即开工”审批模式（详见附件），平均审批时间压缩至12个工作日。",
    # 项目应用4 和1 智慧工地系统6 ，1 相关经验被5 考察团关注5 。1 = 23 wide;
    # BIM / 5G / Düsseldorf = 3 w. -> 26
    "项目应用BIM和5G智慧工地系统，相关经验被Düsseldorf考察团关注。",
]
BODY_CHARS = 41 + 31 + 26 + 37 + 26  # = 161

# The same text signed off in the ways units sign: none of these lines counts.
CONTACT_BLOCKS = {
    "issue-12": [  # the lines of the issue: they added 9, 6 and 14
        "（区发改委调研组）",
        "值班电话：6555736",
        "调研组成员：刘建国 张珺 孙晓燕",
    ],
    "供稿-撰稿-签发": [
        "区发改委 供稿",
        "撰稿人：王明  联系电话：0634-6212345",
        "审核：李华  签发：张强",
    ],
    "half-width-colons": [
        "【区发改委综合科】",
        "联系人:王明，手机:139 0634 1234",
        "办公电话: (0634) 621-2345",
        "课题组成员:刘建国、张珺、孙晓燕等",
    ],
    "full-width-digits-and-dashes": [
        "(区发改委)",
        "联系电话：０６３４—６２１２３４５　传真：0634－6212346",
        "供稿单位：区发改委、区统计局",
    ],
    "unit-name-phone": [
        "（区发改委  王明  6212345）",
        "区发改委  王明  电话：6212345",
        "区发改委综合科 王明 13906341234",
    ],
    "落款": [  # a unit's name and a date closing the text, not in brackets
        "区发改委综合科  王明",
        "区发展和改革委员会",
        "2026年10月9日",
    ],
    "mail-signature": [
        "执笔：王 明",
        "发自我的iPhone",
        "王明 区发改委综合科",  # after the signature: not the submission
        "莱芜区长勺北路1号，欢迎来访。",
    ],
    "rule-then-unit": [  # a signature under a drawn rule: ——————, then the office
        "——————",
        "莱芜区税务局办公室",
    ],
    "dash-dash-block": [
        "（区发改委 供稿）(撰稿人:王明)",
        "-- ",
        "王明",
        "区发展和改革委员会综合科",
    ],
}


def counted(paragraphs: list[str]) -> int:
    """字数 as an item gets it: the countable lines of the body, counted."""
    return count_chars("\n".join(countable_lines(paragraphs)))


def test_a_rule_inside_the_text_still_counts() -> None:
    """Only a rule with nothing but a 落款 under it is a signature; a rule between two
    paragraphs of text is text (Word counts its characters)."""
    assert counted([BODY[0], "——————", *BODY[1:]]) == 161 + 6


def test_the_body_alone_is_the_hand_count() -> None:
    assert counted(BODY) == BODY_CHARS == 161


@pytest.mark.parametrize("style", list(CONTACT_BLOCKS))
def test_contact_block_adds_nothing(style: str) -> None:
    assert counted(BODY + CONTACT_BLOCKS[style]) == 161


@pytest.mark.parametrize("style", list(CONTACT_BLOCKS))
def test_item_chars_leave_out_the_title_and_the_contact_block(style: str) -> None:
    doc = Document(name=TITLE + ".docx", title=TITLE, paragraphs=BODY + CONTACT_BLOCKS[style])
    draft = build(doc, Context(folder_unit="区发改委"), ROSTER, RULES)
    assert draft.chars == 161
    assert draft.attribution.unit == "区发展和改革委员会"


def test_revision_comparison_ignores_the_contact_block() -> None:
    plain = comparable(TITLE, "\n".join(BODY))
    for block in CONTACT_BLOCKS.values():
        assert comparable(TITLE, "\n".join(BODY + block)) == plain


@pytest.mark.parametrize(
    "line",
    [
        "值班电话：6555736",
        "值班电话:6555736",
        "办公电话：0634-6212345",
        "联系电话：（0634）6212345、13906341234",
        "联系电话：6212345（工作日9:00-17:00）",
        "手机：139 0634 1234",
        "电话：0634－6212345",
        "区应急局联系电话：6228110",
        "调研组成员：刘建国 张珺 孙晓燕",
        "领导小组成员：张三、李四",
        "成员：张三、李四、王五",
        "审核：王强",
        "签发：李明。",
        "撰稿人：刘洋  联系电话：0634-6881236",
        "口镇人民政府  撰稿人：陈刚  联系电话：13906341234",
        "供稿：凤城街道办事处  张丽",
        "供稿单位：区财政局、区税务局",
        "羊里镇人民政府 供稿",
        "区自然资源局供稿",
        "（区发改委调研组）",
        "(区民政局)",
        "【羊里镇党政办】",
        "〔区委办公室〕",
        "（鹏泉街道办事处 孙静）",
        "（工业区管委会 供稿）",
        "（方下镇 供稿 撰稿人：周涛）",
        "（区审计局  韩冰  6218842）",
        "区工信局 罗军 6212875",
        "邮箱：lwfgw@163.com",
        "（区发改委 于洋）",  # 于 is a surname too
        "于洋  电话：6212345",
        "Tel: 0634-6212345",
    ],
)
def test_attribution_and_contact_lines_are_sign_off(line: str) -> None:
    assert is_signoff(line)


@pytest.mark.parametrize(
    "line",
    [
        "开通24小时服务电话，受理群众诉求2000余件。",
        "开通24小时服务电话：12345",
        "市民可拨打服务电话：12345反映问题。",
        "全区共设立12个服务点（详见附件），方便群众办事。",
        "（注：以上数据截至9月底）",
        "（以上数据均来源于区统计局）",
        "（图为工作组在检查现场）",
        "（此件公开发布）",
        "调研组成员深入12个村走访座谈，收集意见建议36条。",
        "成员单位要按照分工，各司其职，形成合力。",
        "联系人：张三，负责全区项目调度，每周汇总一次进展情况。",
        "正文内容，区民政局供稿。",  # a clause before the 供稿: a sentence
        "一、基本情况",
        "（一）",
        "【动态】",
        "区发改委",  # a unit's name alone, not in brackets: SPEC lists only the bracketed
        "2026年10月9日",
    ],
)
def test_text_lines_are_not_sign_off(line: str) -> None:
    assert not is_signoff(line)


def test_forwarded_header_block_does_not_count() -> None:
    # Outlook's HTML forward: the header block with no rule above it.
    header = [
        "发件人: 王明 <wm@163.com>",
        "发送时间: 2026年10月9日 9:00",
        "收件人: lcqzwxx@163.com",
    ]
    assert counted([*header, "主题: 养老服务", *BODY, "值班电话：6555736"]) == 161
    assert counted(["From: wm@163.com", "Subject: 动态", *BODY]) == 161
    # A meeting's time and place (no sender or recipient line) are text:
    # 时间2 ：1 月1 日1 = 5 wide, 10 / 9 = 2 w -> 7; 地点2 ：1 区政府会议室6 = 9 wide -> 9.
    assert counted(["时间：10月9日", "地点：区政府会议室", *BODY]) == 7 + 9 + 161


def test_a_unit_name_line_inside_the_text_still_counts() -> None:
    # 区财政局4 + 区税务局4 = 8; 三、区统计局: 三1 、1 区统计局4 = 6.
    middle = [BODY[0], "区财政局", BODY[1], "区税务局", BODY[2]]
    assert counted(middle) == 41 + 4 + 31 + 4 + 26
    assert counted([*BODY, "三、区统计局"]) == 161 + 6  # a list heading, not a 落款
    # A date alone closing the text is no 落款: 年1 月1 日1 = 3 wide; 2026 / 10 / 9 = 3 w.
    assert counted([*BODY, "2026年10月9日"]) == 161 + 6


@pytest.mark.parametrize(
    ("text", "chars"),
    [
        ("Düsseldorf", 1),
        ("café", 1),
        ("Zürich", 1),
        ("naïve", 1),
        ("nai\u0308ve", 1),  # i + combining diaeresis (NFD): still one word
        ("Ångström", 1),
        ("Nguyễn", 1),  # Latin Extended Additional
        ("5G", 1),
        ("COVID-19", 1),
        ("São Paulo", 2),
        # 在1 举办2 = 3 wide; Zürich = 1 w.
        ("在Zürich举办", 4),
        # 新冠1 ... : 抗击2 疫情2 = 4 wide; COVID-19 = 1 w.
        ("抗击COVID-19疫情", 5),
        # × is a sign, not a letter: 3 / 5 = 2 w; × = 1 wide.
        ("3×5", 3),
    ],
)
def test_latin_words_count_one_each(text: str, chars: int) -> None:
    assert count_chars(text) == chars
