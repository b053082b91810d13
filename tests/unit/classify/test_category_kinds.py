"""Category from evidence, by the kinds of mistakes a held-out set showed (issue 12
follow-up): coined practice names in titles with a narrative body, adverse trends
without 问题/建议, problem cues dealt with by work, 调查 as a noun, long sectioned
practice texts, and 专报 said only in the mail's cover note. Texts are invented here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.helpers import docx_bytes, eml_bytes
from tests.unit.classify.helpers import ROSTER, RULES
from zwxx.classify.category import decide
from zwxx.classify.item import Context, build
from zwxx.ingest.extract import extract
from zwxx.types import Document, Incoming


def _decide(title: str, body: str) -> tuple[str, str]:
    paragraphs = [p.strip() for p in body.strip().split("\n") if p.strip()]
    got = decide(RULES, title=title, paragraphs=paragraphs, chars=len("".join(paragraphs)))
    assert not got.explicit
    return got.category, got.reason


# --- kind 1: unit + coined name in quotes + effect; the body tells how it works

NARRATIVE_1 = (
    "近年来，{u}针对村级事务多、群众参与少的情况，在全镇推行“{n}”工作模式，"
    "把党员、村民代表和乡贤组织起来，共同参与村庄治理。\n"
    "镇里建立了“周议事、月评议”工作机制，每周由村党支部牵头收集群众诉求，"
    "每月召开评议会，对办理情况逐项打分，评议结果与村干部绩效挂钩。\n"
    "同时组建由120名老党员、老教师组成的志愿服务队伍，整合司法所、派出所和网格员力量，"
    "打造“一站式”矛盾调处平台，做到小事不出村、大事不出镇。\n"
    "该模式推行以来，全镇已化解各类矛盾纠纷316件，累计收集群众诉求1200余条，"
    "办结率达到98%，群众满意度达到96.5%，信访量同比下降37%。"
)
NARRATIVE_2 = (
    "为破解农村老人看病难、报销难，{u}在全区推行医保服务下沉，"
    "在每个镇街设立医保服务站、每个村设立服务点，把医保经办服务送到群众身边。\n"
    "坚持人员下沉。从区医保中心选派业务骨干28名，组建镇村两级医保专员队伍，"
    "经培训考核后持证上岗，每周固定两天到村坐班，其余时间开展上门服务。\n"
    "聚焦高频事项。梳理参保登记、异地备案、门诊慢特病申报等19项高频事项下放到村，"
    "实行“一次告知、一表申请、一窗办结”，对行动不便的老人提供代办帮办服务。\n"
    "强化线上线下联动。依托医保服务平台开通村级经办端口，群众在村里就能查询缴费、"
    "办理备案，做到数据多跑路、群众少跑腿。\n"
    "运行半年来，全区已设立村级服务点386个，实现行政村全覆盖，累计为群众办理业务2.3万件，"
    "群众满意率达到99%。"
)
NARRATIVE_3 = (
    "{u}深化市场主体准入改革，对餐饮、便利店等12个行业推行“一证准营”，"
    "将多张许可证信息集成到一张行业综合许可证上。\n"
    "一是建立行业综合许可制度，制定12个行业的准入条件清单和审查细则，"
    "申请人一次告知、一表填报。二是整合审批流程，实行“一窗受理、并联审批、统一出证”，"
    "审批时限由原来的30个工作日压缩到5个工作日。三是创新事中事后监管，建立部门信息共享机制。\n"
    "改革以来，全区已发放行业综合许可证1860张，累计为企业减少跑腿4600余次，"
    "新设市场主体同比增长18.6%。"
)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("杨庄镇“党建+网格”夯实基层治理基础", NARRATIVE_1.format(u="杨庄镇", n="党建+网格")),
        ("茶业口镇“乡贤理事会”刹住大操大办风", NARRATIVE_1.format(u="茶业口镇", n="乡贤理事会")),
        ("“兵支书”成为乡村振兴生力军", NARRATIVE_1.format(u="大王庄镇", n="兵支书")),
        ("口镇探索“积分+超市”乡村治理新路径", NARRATIVE_1.format(u="口镇", n="积分+超市")),
        ("医保服务站进村 打通医保服务“最后一公里”", NARRATIVE_2.format(u="区医保局")),
        ("区医保局“医保专员直通车”精准服务农村老人", NARRATIVE_2.format(u="区医保局")),
        (
            "区行政审批服务局推行行业综合许可改革 市场准入“一证准营”",
            NARRATIVE_3.format(u="区行政审批服务局"),
        ),
        (
            "区行政审批服务局以集成审批推动准入服务重塑",
            NARRATIVE_3.format(u="区行政审批服务局"),
        ),
    ],
)
def test_coined_practice_with_a_narrative_body_is_experience(title: str, body: str) -> None:
    got, reason = _decide(title, body)
    assert got == "experience", reason
    assert reason.endswith("按经验做法计"), reason


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "区人社局开展“送政策上门”活动",
            "10月15日，区人社局组织工作人员走进12家企业开展“送政策上门”活动，"
            "现场解答企业用工、社保等政策咨询86人次，发放宣传资料500余份。",
        ),
        (
            "区教体局“金秋助学”行动资助困难学生320名",
            "近日，区教体局启动“金秋助学”行动，为320名家庭经济困难学生发放助学金96万元。",
        ),
        (
            "区总工会“夏送清凉”走进重点项目工地",
            "7月20日，区总工会到全区6个重点项目工地开展“夏送清凉”慰问，"
            "为一线职工送去防暑降温物品价值3万元。",
        ),
        (
            "寨里镇“文化进万家”文艺演出走进12个村",
            "春节期间，寨里镇举办“文化进万家”文艺演出12场，观看群众5000余人次。",
        ),
    ],
)
def test_a_short_event_with_a_quoted_activity_name_stays_news(title: str, body: str) -> None:
    got, reason = _decide(title, body)
    assert got == "dynamic", reason


# --- kind 2: an adverse situation stated without 问题/建议, with a proposal or problem items

ADVERSE_BODY = (
    "今年以来，全区{t}的情况值得关注。据对32家企业了解，"
    "一是回款周期拉长，应收账款平均账期由90天延长到150天；二是融资难度加大，"
    "银行抽贷压贷现象增多；三是用工成本偏高，熟练工人流失。\n"
    "建议：设立应急转贷资金，推动政府部门和国有企业及时支付中小企业账款，"
    "对稳岗企业给予社保补贴。"
)
ADVERSE_ITEMS = (
    "据调度，全区{t}形势不容乐观。"
    "一是订单不稳定，部分企业订单只排到下月；二是原材料成本偏高，利润空间收窄；"
    "三是招工难，一线岗位缺口约600人。"
)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("建筑企业工程款回款周期拉长 资金链承压", ADVERSE_BODY.format(t="建筑企业")),
        ("中小外贸企业融资难度加大", ADVERSE_BODY.format(t="中小外贸企业")),
        ("全区规上工业企业订单不稳定", ADVERSE_ITEMS.format(t="规上工业企业")),
        ("部分养殖场户持续亏损 加速退出", ADVERSE_BODY.format(t="生猪养殖")),
        ("冬春季森林防火形势严峻 需提早应对", ADVERSE_BODY.format(t="森林防火")),
    ],
)
def test_an_adverse_title_with_a_proposal_or_problem_items_is_problem(
    title: str, body: str
) -> None:
    got, reason = _decide(title, body)
    assert got == "problem", reason
    assert "不利态势" in reason or "分条列举问题" in reason or "建议" in reason, reason


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "区工信局多措并举缓解中小企业融资压力",
            "今年以来，区工信局组织银企对接会6场，帮助中小企业获得贷款3.2亿元。",
        ),
        (
            "前三季度全区生产安全事故同比下降32%",
            "1至9月，全区发生生产安全事故13起，同比下降32%，未发生较大以上事故。",
        ),
        (
            "区金融办开展“银企对接”破解企业融资难度大难题",
            "区金融办组织12家银行与86家企业对接，现场签约授信4.6亿元。",
        ),
    ],
)
def test_adverse_words_as_work_done_or_good_news_stay_news(title: str, body: str) -> None:
    got, reason = _decide(title, body)
    assert got == "dynamic", reason


def test_difficulties_in_items_are_not_practices() -> None:
    got, reason = _decide("全区规上工业企业订单不稳定", ADVERSE_ITEMS.format(t="规上工业企业"))
    assert got == "problem", reason
    assert "做法" not in reason, reason


# --- kind 3: problem cues dealt with by work verbs are news


@pytest.mark.parametrize(
    ("title", "body", "verb"),
    [
        (
            "区住建局集中攻坚住宅小区不动产办证遗留问题",
            "区住建局会同区自然资源局集中攻坚，已为18个小区3200户居民办理不动产权证。",
            "攻坚",
        ),
        (
            "区交通运输局打通城乡物流配送堵点",
            "区交通运输局整合邮政、快递资源，新开通城乡物流线路6条，覆盖全部行政村。",
            "打通",
        ),
        (
            "区信访局清理化解信访积案问题",
            "区信访局对2020年以来的信访积案逐案清理，已化解积案46件。",
            "清理",
        ),
        (
            "区城管局疏通城区交通拥堵难题",
            "区城管局在城区12个路口增设潮汐车道，早晚高峰通行时间缩短20%。",
            "疏通",
        ),
    ],
)
def test_a_problem_cue_after_a_work_verb_is_news(title: str, body: str, verb: str) -> None:
    got, reason = _decide(title, body)
    assert got == "dynamic", reason
    assert verb in reason, reason


@pytest.mark.parametrize(
    "title",
    ["农村物流配送堵点亟待打通", "城区停车难问题亟需解决", "山区小学师资短缺问题凸显"],
)
def test_a_stated_problem_stays_a_problem(title: str) -> None:
    got, reason = _decide(title, "据了解，相关情况较为突出，群众反映较多。建议加快研究解决。")
    assert got == "problem", reason


# --- kind 4: 调查 naming records is no research cue; report titles still are


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (
            "地籍调查资料陈旧影响不动产登记",
            "全区部分镇街地籍调查资料形成于2008年前，界址点精度不足，与现状不符，"
            "办理不动产登记时需重新测绘，群众多跑腿。建议分批开展地籍更新调查。",
        ),
        (
            "入户调查数据滞后制约低保精准认定",
            "低保家庭入户调查数据一年更新一次，部分家庭收入变化未能及时反映。"
            "建议建立部门数据共享比对机制。",
        ),
        (
            "区统计局第四季度住户调查工作启动",
            "区统计局近日启动第四季度住户调查工作，选聘调查员36名。",
        ),
    ],
)
def test_a_survey_noun_in_the_title_is_no_research(title: str, body: str) -> None:
    got, reason = _decide(title, body)
    assert got != "research", reason


@pytest.mark.parametrize(
    "title",
    ["关于全区农村电商发展情况的调查", "全区农村电商发展调研报告", "全区农村电商发展的调查与思考"],
)
def test_a_report_shaped_title_is_still_research(title: str) -> None:
    got, reason = _decide(title, "区商务局对全区农村电商发展情况进行了调研，总体发展较快。")
    assert got == "research", reason


# --- kind 5: length and sections alone do not make research

SECTION_TEXT = "通过建立台账、定期调度、考核督导，推动各项工作落实落细，群众获得感不断增强。" * 11


def _sectioned(headings: list[str]) -> str:
    return "\n".join(f"{h}\n{SECTION_TEXT}" for h in headings)


@pytest.mark.parametrize(
    ("title", "headings"),
    [
        (
            "区民政局“三个坚持”推动养老服务提质增效",
            ["一、坚持规划引领", "二、创新服务模式", "三、强化队伍建设", "四、工作成效"],
        ),
        (
            "口镇以党建引领激活村集体经济",
            ["一、聚焦组织建设", "二、整合资源要素", "三、突出产业带动", "四、取得的成效"],
        ),
        (
            "区税务局优化税费服务的做法",
            ["一、建立联络机制", "二、推行预约服务", "三、打造智慧平台", "四、健全考评制度"],
        ),
    ],
)
def test_a_long_sectioned_practice_text_is_not_research(title: str, headings: list[str]) -> None:
    body = _sectioned(headings)
    assert len(body) > 1500
    got, reason = _decide(title, body)
    assert got == "experience", reason


@pytest.mark.parametrize(
    "title",
    ["全区民营经济运行分析", "全区养老服务体系建设情况报告", "关于全区养老服务情况的调查"],
)
def test_a_long_sectioned_report_is_still_research(title: str) -> None:
    body = _sectioned(["一、基本情况", "二、存在的问题", "三、原因分析", "四、对策建议"])
    got, reason = _decide(title, body)
    assert got == "research", reason


def test_long_sections_with_survey_methods_are_research() -> None:
    body = "区发改委组成调研组，采取问卷调查和座谈交流等方式开展调研。\n" + _sectioned(
        ["一、总体情况", "二、主要特点", "三、下一步打算"]
    )
    got, reason = _decide("全区民营企业发展情况", body)
    assert got == "research", reason


def test_long_sections_alone_are_no_research() -> None:
    body = _sectioned(["一、总体情况", "二、主要特点", "三、下一步打算"])
    got, reason = _decide("全区民营企业发展情况", body)
    assert got != "research", reason


# --- kind 6: 专报 said only in the mail's cover note or subject

REPORT = Document(
    name="寨里镇关于秋粮收储情况的报告.docx",
    title="寨里镇关于秋粮收储情况的报告",
    paragraphs=[
        "今年全镇秋粮播种面积3.2万亩，预计总产1.6万吨。目前已收购入库0.9万吨，"
        "收购价格总体平稳，仓容基本满足需要。"
    ],
)
OTHER = Document(
    name="寨里镇开展秋季森林防火演练.docx",
    title="寨里镇开展秋季森林防火演练",
    paragraphs=["10月20日，寨里镇组织应急分队开展森林防火实战演练，参演人员80人。"],
)


@pytest.mark.parametrize(
    "note",
    [
        "这是我镇本月第二篇专报，请审阅。",
        "王老师好：附件为我镇专报信息，请查收。\n寨里镇党政办",
        "本月专报一篇，见附件。",
    ],
)
def test_a_cover_note_naming_the_only_document_a_report_labels_it(note: str) -> None:
    ctx = Context(subject="寨里镇报送信息", note=note, documents=1)
    draft = build(REPORT, ctx, ROSTER, RULES)
    assert draft.category == "special", draft.category_reason
    assert draft.category_reason.startswith("邮件附言称“"), draft.category_reason


def test_a_cover_note_names_one_of_two_documents() -> None:
    note = "附件2《寨里镇关于秋粮收储情况的报告》为专报，附件1为动态信息。"
    ctx = Context(subject="寨里镇信息两篇", note=note, documents=2)
    assert build(REPORT, ctx, ROSTER, RULES).category == "special"
    other = build(OTHER, ctx, ROSTER, RULES)
    assert other.category == "dynamic", other.category_reason


def test_a_cover_note_over_two_documents_without_naming_one_labels_none() -> None:
    ctx = Context(subject="寨里镇信息两篇", note="其中一篇为专报，请查收。", documents=2)
    assert build(REPORT, ctx, ROSTER, RULES).category != "special"
    assert build(OTHER, ctx, ROSTER, RULES).category == "dynamic"


def test_a_subject_saying_专报_labels_the_report() -> None:
    ctx = Context(subject="寨里镇专报：秋粮收储情况", documents=1)
    assert build(REPORT, ctx, ROSTER, RULES).category == "special"


def test_an_explicit_label_beats_the_cover_note() -> None:
    doc = Document(name="【调研】秋粮收储.docx", title=REPORT.title, paragraphs=REPORT.paragraphs)
    ctx = Context(subject="寨里镇报送信息", note="这是我镇本月专报。", documents=1)
    assert build(doc, ctx, ROSTER, RULES).category == "research"


def test_the_cover_note_reaches_the_extracted_mail() -> None:
    raw = eml_bytes(
        "寨里镇报送信息",
        "这是我镇本月第二篇专报，请审阅。",
        [("秋粮收储.docx", docx_bytes(REPORT.title, REPORT.paragraphs))],
    )
    got = extract(Incoming("imap", raw, "m.eml", datetime(2026, 10, 9, tzinfo=UTC)))
    assert len(got.documents) == 1
    assert "专报" in got.note


# ---------------------------------------------------- a named practice the body explains
def _named_body(name: str) -> list[str]:
    return [
        f"今年以来，区农业农村局在全区推行{name}，由镇村干部和农技人员包片负责，"
        "把种植、管护、销售各环节的服务送到地头。",
        f"{name}实行“一月一走访、一季一评比”，农户有需求随时响应，"
        "全区已有126个村建立服务台账，累计解决农户生产难题860余件。",
        f"通过{name}，全区粮食亩均增产38公斤，带动农户增收1200余万元，"
        "群众满意度达到96.8%，相关做法已在全区推广。",
    ]


def test_a_practice_named_in_the_title_and_explained_in_the_body_is_experience() -> None:
    body = _named_body("“田长制”")
    decision = decide(
        RULES, title="区农业农村局“田长制”夯实粮食生产根基", paragraphs=body, chars=300
    )
    assert decision.category == "experience", decision.reason
    assert "“田长制”" in decision.reason


def test_a_campaign_named_in_quotes_stays_news() -> None:
    body = _named_body("“春耕服务行动”")
    decision = decide(RULES, title="区农业农村局开展“春耕服务行动”", paragraphs=body, chars=300)
    assert decision.category == "dynamic", decision.reason


def test_a_short_item_repeating_a_name_stays_news() -> None:
    body = ["区农业农村局推行“田长制”，“田长制”覆盖全区126个村。"]
    decision = decide(
        RULES, title="区农业农村局“田长制”夯实粮食生产根基", paragraphs=body, chars=40
    )
    assert decision.category == "dynamic", decision.reason
