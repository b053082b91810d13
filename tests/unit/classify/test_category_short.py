"""Short 经验做法 (issue 12 follow-up): practice items with short verb-object headings
(“一是定规矩。”), narrative mechanisms outside the first vocabulary (变“A”为“B”, 实行“…”,
开通…专线, 以…为平台), a coined name in the title of a short text telling mechanism and
results, and “推行X 破解Y难题” titles. Each kind has counter-examples that stay 动态
(one-off events, meetings, campaigns with quoted names, short news with one figure).
Texts are invented here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.unit.classify.helpers import RULES
from zwxx.classify.category import decide, score
from zwxx.config.rules import load_rules
from zwxx.errors import ConfigError


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.strip().split("\n") if p.strip()]


def _decide(title: str, body: str) -> tuple[str, str]:
    paragraphs = _paragraphs(body)
    got = decide(RULES, title=title, paragraphs=paragraphs, chars=len("".join(paragraphs)))
    assert not got.explicit
    return got.category, got.reason


def _evidence(title: str, body: str) -> set[str]:
    paragraphs = _paragraphs(body)
    found = score(RULES, title=title, paragraphs=paragraphs, chars=len("".join(paragraphs)))
    return {e.name for e in found.evidence}


# --- kind 1: items whose heading is a short verb-object phrase

HEADINGS_1 = (
    "今年以来，{u}把移风易俗作为乡风文明建设的重要内容，各村普遍成立村民议事会。\n"
    "一是定规矩。各村把婚丧事宜操办标准写入村规民约，张贴到户。"
    "二是搭平台。在村综合服务中心开辟议事室，每月议一次村里大小事。"
    "三是严考核。每季度对各村执行情况打分排名，结果与村干部报酬挂钩。\n"
    "全镇今年共简办婚丧事宜210起。"
)
HEADINGS_2 = (
    "{u}针对独居老人照料难的实际，在各社区推行邻里互助。\n"
    "一是结对子，由低龄老人、热心居民与独居老人一对一结对。"
    "二是定时访，结对人每天上门或电话问候一次。"
    "三是建档案，社区为每名独居老人建立健康和需求档案。\n"
    "目前已结对860对。"
)
HEADINGS_3 = (
    "针对基层农技推广人员少、服务跟不上的实际，{u}探索推行农技服务社会化，"
    "通过购买服务方式引入专业服务组织。\n"
    "一是严把准入。公开遴选4家服务组织，签订服务合同。"
    "二是按效付费。服务费用与农户评价、技术到位率挂钩，按季度考核拨付。"
    "三是全程监管。农技站定期抽查服务记录，对不达标的限期整改。\n"
    "实施以来，全区技术到位率达到95%，农户满意率提高到97.2%。"
)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("高庄街道以村民议事会为抓手刹住大操大办风", HEADINGS_1.format(u="高庄街道")),
        ("凤城街道“邻里互助”让独居老人有人管", HEADINGS_2.format(u="凤城街道")),
        (
            "区农业农村局推行农技服务社会化 破解基层农技推广难题",
            HEADINGS_3.format(u="区农业农村局"),
        ),
    ],
)
def test_short_verb_object_item_headings_are_practice(title: str, body: str) -> None:
    got, reason = _decide(title, body)
    assert got == "experience", reason
    assert "正文分条列举做法" in reason, reason


@pytest.mark.parametrize(
    "body",
    [
        # difficulties in short clauses: no practice headings
        "当前全镇农村养老服务面临一定压力。一是人员少。护理员平均年龄58岁。"
        "二是任务重。每名护理员服务老人20名以上。三是经费紧。运营主要靠财政补助。",
        "一是站点散，服务半径大。二是设备旧，部分设施已超期使用。三是收入低，人员留不住。",
        # dates, figures and places after 一是… are no headings
        "一是5月12日，组织企业召开座谈会。二是6月3日，开展政策宣讲。三是今年，共走访企业36家。",
    ],
)
def test_short_items_that_are_no_practice_headings(body: str) -> None:
    assert "practice_items" not in _evidence("全区养老服务情况", body)


def test_a_meeting_listing_short_demands_stays_news() -> None:
    body = (
        "9月26日，区政府召开全区安全生产工作会议，分析当前安全生产形势，部署四季度重点工作。\n"
        "会议要求，一是压责任。各镇街、各部门要严格落实安全生产责任制。"
        "二是抓排查。对重点行业领域开展拉网式隐患排查。三是严执法。对违法违规行为依法从严查处。"
    )
    got, reason = _decide("区政府召开全区安全生产工作会议", body)
    assert got == "dynamic", reason


# --- kind 2: narrative mechanisms in wider words (texts of 300 字 and more)

NARRATIVE_A = (
    "今年以来，{u}开通企业服务专线，变“企业跑部门”为“部门跑企业”，推动惠企政策直达快享。\n"
    "区里依托企业服务平台，对全区规上企业逐户建立服务档案，按行业和规模分类推送政策，"
    "做到企业需要什么就推送什么。对企业通过专线反映的诉求，实行“首接负责、限时办结”，"
    "一般诉求当日答复，复杂诉求由牵头部门会同相关部门5个工作日内办结，办理结果及时反馈企业。\n"
    "区里还定期梳理企业反映集中的共性问题，提交区政府专题会议研究解决，"
    "并把诉求办理情况纳入部门年度考核，对推诿扯皮、超时办理的进行通报，"
    "每月向企业公布诉求办理进度和结果，接受企业和社会各界的监督。\n"
    "今年以来，专线已受理企业诉求1260件，办结率达到98.2%，企业满意率提高到97.6%。"
)
NARRATIVE_B = (
    "近年来，{u}以数字乡村建设为平台，统筹推进农村电商、智慧农业和乡村数字治理，"
    "探索出“电商+合作社+农户”的产销对接路径。\n"
    "在产业端，引导合作社统一品种、统一标准、统一品牌，建设产地仓和冷链分拣中心；"
    "在销售端，培育本土带货主播，与大型电商平台签订长期供货协议，"
    "组织合作社参加线上线下各类展销活动；"
    "在治理端，推动村务、党务、财务全部上网公开，群众用手机就能查看和监督。\n"
    "在服务端，镇村两级配备电商服务专员，帮助群众开店铺、拍视频、做售后，"
    "对有意愿的返乡青年给予场地和物流补贴，并组织到先进地区参观学习，"
    "帮助他们尽快掌握网店运营、直播带货等实用技能。\n"
    "今年1至9月，全镇农产品网络销售额较去年增长36.5%，带动农户户均增收4800元。"
)
NARRATIVE_C = (
    "针对中小企业缺少法律顾问、遇到纠纷不知找谁的问题，{u}选聘36名执业律师，"
    "组成“法律服务团”，每人联系5至8家企业，为企业提供合同审查、用工风险排查、"
    "纠纷调解等服务。\n"
    "服务团成员每月至少到联系企业走访一次，建立问题清单，对企业提出的法律问题限时答复；"
    "对涉及多个部门的复杂问题，由区司法局牵头组织会商，提出处理意见。"
    "对企业经营中的普遍性法律风险，定期编印风险提示，通过企业微信群推送到企业负责人。\n"
    "区司法局每季度对服务团成员的服务情况进行评议，评议结果与律师事务所年度考评挂钩，"
    "对服务成效突出的律师给予通报表扬，并在评先树优中优先推荐。\n"
    "今年以来，服务团已走访企业860家次，审查合同1320份，帮助企业化解纠纷96起，"
    "企业满意率达到98.5%。"
)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("区工信局“企业服务专线”精准服务企业发展", NARRATIVE_A.format(u="区工信局")),
        ("口镇以数字乡村建设推动乡村产业转型", NARRATIVE_B.format(u="口镇")),
        ("区司法局“法律服务团”护航中小企业发展", NARRATIVE_C.format(u="区司法局")),
    ],
)
def test_narrative_mechanisms_in_wider_words_are_practice(title: str, body: str) -> None:
    assert len("".join(_paragraphs(body))) >= 300
    got, reason = _decide(title, body)
    assert got == "experience", reason
    assert "正文叙述做法" in reason, reason


def test_one_phrase_is_counted_once() -> None:
    # “实行“红黄绿”分级管理” is one mechanism, not two
    body = (
        "10月以来，区城管局开展建筑工地扬尘专项整治，对全区在建工地实行“红黄绿”分级管理，"
        "共开展夜间巡查12次，下达整改通知书27份，对3家施工单位依法立案处罚。" * 3
    )
    assert "practice_narrative" not in _evidence("区城管局开展扬尘专项整治", body)


def test_a_campaign_report_with_mechanism_words_stays_news() -> None:
    body = (
        "9月以来，区市场监管局开展“守护消费”专项行动，对全区商场超市、农贸市场实行“双随机”"
        "抽查，共检查经营主体860家，立案查处违法案件23起。行动期间，区市场监管局设立投诉专窗，"
        "受理消费投诉326件，为消费者挽回经济损失18.6万元。\n"
        "下一步，区市场监管局将继续加大执法力度，切实维护消费者合法权益，"
        "营造安全放心的消费环境。区市场监管局还将加强与公安、商务等部门的协作，"
        "对重点领域、重点商品开展联合检查，及时曝光典型案例。"
    )
    got, reason = _decide("区市场监管局开展“守护消费”专项行动", body)
    assert got == "dynamic", reason


# --- kind 3: a coined name in the title of a short text with mechanism and results

SHORT_1 = (
    "羊里街道从退休教师、退休医生中招募志愿者86名，组建“银龄服务队”，"
    "在每个社区设立服务点，实行“居民点单、社区派单、队员接单”。"
    "队员每周到社区坐班两天，为居民提供健康咨询、作业辅导、矛盾调解等服务，"
    "对行动不便的老人提供上门服务，街道每年为每名队员购买意外保险并评选优秀队员。"
    "今年以来，“银龄服务队”共开展服务2300余人次，居民满意率达到97.8%，"
    "社区矛盾纠纷数量同比下降26.5%。"
)
SHORT_2 = (
    "今年以来，辛庄镇针对村级小微工程多、监管难的情况，推行“阳光议事”工作法，"
    "村里5万元以下的小微工程，从立项、招标到验收全过程由村民代表议定，"
    "议定结果在村务公开栏和村微信群同步公示，接受全体村民监督。"
    "镇纪委每季度对各村小微工程进行抽查，对发现的问题督促整改，"
    "对违反程序的村干部进行约谈，情节严重的依规依纪处理。截至目前，"
    "全镇已有46个村完成小微工程132项，群众对村务公开的满意度达到98%。"
)
SHORT_3 = (
    "为解决企业缺技能人才的难题，区人社局在全区推行“技能导师”制度，"
    "从企业技术骨干、技师学院教师中选聘42名技能导师，与企业新入职员工签订师带徒协议，"
    "每名导师带徒3至5人，带徒期满考核合格的给予导师带徒补贴，"
    "对带徒成效突出的导师在职称评审、评先树优中予以倾斜。"
    "今年以来，“技能导师”已带出徒弟168人，其中126人取得职业技能等级证书，"
    "参与企业员工流失率同比下降12.4%。"
)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("羊里街道“银龄服务队”撑起社区服务一片天", SHORT_1),
        ("辛庄镇“阳光议事”规范村级小微工程", SHORT_2),
        ("区人社局“技能导师”带动企业技能人才成长", SHORT_3),
    ],
)
def test_a_short_text_on_a_coined_practice_is_experience(title: str, body: str) -> None:
    assert 180 <= len(body) < 300
    got, reason = _decide(title, body)
    assert got == "experience", reason
    assert "的做法（" in reason and "与成效（" in reason, reason


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # one-off event: a date and 举办 in the lead
        (
            "区老年大学“银龄课堂”助力老年人跨越数字鸿沟",
            "10月18日，区老年大学在凤城街道举办“银龄课堂”智能手机培训，组建由20名青年志愿者"
            "组成的服务队，一对一指导老年人使用健康码、网上挂号、移动支付等功能。"
            "当天共有120余名老年人参加培训，参训老人满意率达到98%。"
            "区老年大学负责人表示，下一步将把培训送到更多社区，让老年人共享数字生活便利。"
            "培训结束后，志愿者还为老年人发放了图文并茂的操作指南，方便老人在家反复学习。",
        ),
        # a campaign with a quoted name
        (
            "区应急局“安全生产月”筑牢安全防线",
            "6月以来，区应急局组织开展“安全生产月”系列宣传，推行“以案说法”警示教育，"
            "在全区设立安全咨询点36个，发放宣传资料2.6万份，累计参与群众1.8万人次。"
            "活动期间，全区组织应急演练120场，各镇街、各部门主要负责同志带头讲安全公开课，"
            "营造了“人人讲安全、个个会应急”的浓厚氛围。下一步将把宣传教育贯穿全年，"
            "推动安全生产宣传进企业、进农村、进社区、进学校、进家庭，提高全民安全意识。",
        ),
        # a meeting with a quoted name
        (
            "区委组织部“书记领航”推进会推动基层党建提质",
            "区委组织部组织召开“书记领航”推进会，总结交流前一阶段工作，推行“书记项目”制度，"
            "建立党建工作责任清单，对下一阶段工作作出安排部署。会议通报了今年以来各镇街党建"
            "重点任务完成情况，全区已有86个村完成软弱涣散村党组织整顿，整顿完成率达到100%。"
            "6名镇街党（工）委书记作了交流发言，与会同志观摩了2个党建示范点。"
            "会议要求，各级党组织书记要切实履行第一责任人职责，推动基层党建各项任务落地见效。",
        ),
        # short news with one figure and no mechanism
        (
            "“金秋消费季”带动全区消费增长",
            "国庆假期，全区各大商场、超市推出“金秋消费季”促销，客流明显增加。据统计，"
            "假期期间全区重点商贸企业实现销售额1.2亿元，较去年增长8.6%。"
            "各商场、超市延长营业时间，丰富商品供应，部分商场还推出满减、抽奖等优惠，"
            "吸引了大量市民前来选购。餐饮、电影等服务消费同样火爆，不少餐馆需要排队等位。"
            "商务部门表示，将继续组织商贸企业开展促销，进一步激发消费活力，"
            "更好满足群众节日消费需求。",
        ),
    ],
)
def test_short_news_with_a_quoted_name_stays_news(title: str, body: str) -> None:
    assert len(body) >= 180
    got, reason = _decide(title, body)
    assert got == "dynamic", reason


def test_a_coined_practice_under_180_chars_stays_news() -> None:
    body = (
        "羊里街道组建“银龄服务队”，实行“居民点单、社区派单、队员接单”。"
        "今年以来，“银龄服务队”共开展服务2300余人次，居民满意率达到97.8%。"
    )
    got, reason = _decide("羊里街道“银龄服务队”撑起社区服务一片天", body)
    assert got == "dynamic", reason


# --- kind 4: “推行X 破解Y难题” names the practice and the difficulty it solves


@pytest.mark.parametrize(
    "title",
    [
        "区住建局推行物业服务红黑榜 破解小区物业管理难题",
        "茶业口镇探索山区代办服务 破解群众办事远难题",
        "区卫健委推广家庭医生签约服务 缓解群众看病难",
    ],
)
def test_practice_then_difficulty_title_is_practice_evidence(title: str) -> None:
    assert "title_named_effect" in _evidence(title, "")


@pytest.mark.parametrize(
    "title",
    [
        "区人社局开展专项行动 破解企业招工难题",
        "区人社局召开座谈会破解企业招工难题",
    ],
)
def test_work_then_difficulty_title_is_no_practice_evidence(title: str) -> None:
    assert "title_named_effect" not in _evidence(title, "")


# --- results and config


@pytest.mark.parametrize(
    "body",
    [
        "全区农村公路优良路率达到91.2%。",
        "群众办事等候时间较去年缩短，办结率较去年提高4.5个百分点。",
    ],
)
def test_rates_and_year_on_year_points_are_results(body: str) -> None:
    assert "results" in _evidence("某项工作", body)


def test_named_practice_must_name_features_that_exist(tmp_path: Path) -> None:
    text = (ROOT / "config" / "rules.toml").read_text(encoding="utf-8")
    bad = text.replace('mechanism = ["practice_narrative"]', 'mechanism = ["no_such"]', 1)
    assert bad != text
    path = tmp_path / "rules.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    assert "no_such" in str(err.value)
