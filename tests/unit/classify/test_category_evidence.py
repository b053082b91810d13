"""Category from evidence (issue 12): cue words weighed against the verbs around them,
title patterns, body structure and length. Texts are invented for these tests; each
case checks the category and that the reason names the evidence that decided it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.unit.classify.helpers import RULES
from zwxx.classify.category import decide, score
from zwxx.config.rules import load_rules
from zwxx.errors import ConfigError


def _decide(title: str, body: str) -> tuple[str, str]:
    paragraphs = [p.strip() for p in body.strip().split("\n") if p.strip()]
    got = decide(RULES, title=title, paragraphs=paragraphs, chars=len("".join(paragraphs)))
    assert not got.explicit
    return got.category, got.reason


PRACTICE = (
    "今年以来，{u}聚焦群众急难愁盼，探索形成了一套行之有效的工作方法。\n"
    "一是建立议事平台。在各村设立议事会，每月召开一次，群众事群众议。"
    "二是推行清单管理。梳理服务事项36项，明确责任人和办结时限。"
    "三是强化考核激励。将办理情况纳入年度考核，结果与评先评优挂钩。\n"
    "目前，群众满意率提高到97.5%，信访量同比下降41%。"
)
PROBLEM_BODY = (
    "{t}近年来持续推进，但调查了解到，当前仍存在一些突出问题。\n"
    "主要表现在：线路长、客源少，车辆运营成本高，部分线路每车每日亏损200元以上，"
    "经营者积极性不高。原因在于农村人口外流，学生集中到城区就读。\n"
    "为此建议：对偏远线路实行财政定额补贴；推行“客货邮”融合运营，降低运营成本。"
)
RESEARCH_BODY = (
    "为摸清全区{t}的底数，9月份区统计局组成调研组，采取问卷调查、入户走访和座谈交流等方式，"
    "对12个镇街的420户家庭开展抽样调查，现将有关情况报告如下。\n"
    "一、基本情况\n"
    + "全区相关指标总体平稳，结构持续优化，部分指标增速高于全市平均水平。"
    * 8
    + "\n"
    "二、存在的问题\n" + "区域之间发展不平衡，部分镇街基础薄弱，要素保障能力不足。" * 8 + "\n"
    "三、几点思考\n" + "要坚持分类指导，强化政策支持，完善长效机制，推动高质量发展。" * 8
)


@pytest.mark.parametrize(
    ("title", "body", "category", "evidence"),
    [
        # --- problem words inside news: the verbs around the cue say it is work done
        (
            "区民政局多措并举做好冬季困难群众救助工作",
            "入冬以来，区民政局提前摸排低保、特困等困难群众2360户，发放取暖补贴186万元，"
            "开展走访慰问1200余人次，确保困难群众温暖过冬。",
            "dynamic",
            "多措并举",
        ),
        (
            "区应急局开展危化品企业安全隐患大排查",
            "区应急局组织专家对全区42家危化品企业开展安全隐患大排查，排查隐患86处，"
            "已整改79处，其余限期整改。",
            "dynamic",
            "隐患",
        ),
        (
            "区城管局集中整改群众反映的背街小巷问题",
            "区城管局对群众反映的背街小巷路面破损、照明不足等问题集中整改，"
            "维修路面3200平方米，新装路灯260盏。",
            "dynamic",
            "整改",
        ),
        (
            "区交通运输局会商解决城乡公交换乘堵点问题",
            "10月12日，区交通运输局会同公交公司召开专题会商会，研究解决城乡公交换乘不便等问题，"
            "确定调整线路3条。",
            "dynamic",
            "会商",
        ),
        (
            "区住建局破解老旧小区加装电梯难题",
            "区住建局推行加装电梯“一站式”代办服务，今年以来新增加装电梯14部。",
            "dynamic",
            "破解",
        ),
        (
            "区卫健局对3家医疗机构问题整改情况开展回头看",
            "区卫健局对上半年检查发现问题的3家医疗机构开展整改回头看，整改问题27个。",
            "dynamic",
            "整改",
        ),
        (
            "区人社局帮扶就业困难人员实现就业1200人",
            "今年以来，区人社局通过公益性岗位安置、技能培训等方式帮扶就业困难人员，"
            "累计实现就业1200人。",
            "dynamic",
            "未见分类标注或提示词",
        ),
        # --- 调查 / 调研 as a noun of work, or a visit
        (
            "区统计局完成第五次全国经济普查入户调查",
            "截至10月底，区统计局组织普查员286名，完成全区1.2万家单位入户调查登记。",
            "dynamic",
            "完成…调查",
        ),
        (
            "区自然资源局开展古树名木外业调查",
            "区自然资源局组织技术人员对全区古树名木开展外业调查，已调查古树1260株。",
            "dynamic",
            "调查",
        ),
        (
            "区长到口镇调研重点项目建设",
            "10月9日，区长一行到口镇调研重点项目建设，实地察看了3个在建项目。",
            "dynamic",
            "活动报道",
        ),
        (
            "区税务局启动年度税收调查工作",
            "区税务局近日启动年度税收调查工作，对全区320户重点税源企业开展调查。",
            "dynamic",
            "调查",
        ),
        # --- experience written without 经验/做法 in the title
        (
            "杨庄镇：“三级网格”激活基层治理末梢",
            PRACTICE.format(u="杨庄镇"),
            "experience",
            "单位：做法",
        ),
        (
            "以党建为引领推动村集体经济壮大",
            PRACTICE.format(u="茶业口镇"),
            "experience",
            "为引领",
        ),
        (
            "苗山镇“研学+”打开乡村旅游新空间",
            PRACTICE.format(u="苗山镇"),
            "experience",
            "一是、二是",
        ),
        (
            "念好“山”字经 激活林下经济",
            PRACTICE.format(u="和庄镇"),
            "experience",
            "字经",
        ),
        (
            "“五老调解团”化解邻里纠纷",
            PRACTICE.format(u="高庄街道"),
            "experience",
            "化解",
        ),
        (
            "区医保局：“三张清单”规范定点机构管理",
            "区医保局对全区定点医药机构实行“负面清单、责任清单、整改清单”管理，"
            "今年以来定点机构违规率由12%下降到3.5%。",
            "experience",
            "单位：做法",
        ),
        (
            "牛泉镇：“红色议事厅”让群众事有人管",
            "牛泉镇在56个村建立“红色议事厅”，今年以来议定事项420件，群众满意率达到96%。",
            "experience",
            "让",
        ),
        (
            "区市场监管局推动个体工商户转型升级",
            "坚持分类培育。对全区个体工商户分类建档，培育“名特优新”个体户126家。\n"
            "强化政策扶持。落实减税降费政策，为个体户减免税费860万元。\n"
            "创新服务方式。开通个转企“绿色通道”，个转企186户，同比增长23%。",
            "experience",
            "坚持",
        ),
        (
            "区司法局行政执法协调监督的主要做法",
            "一、主要做法\n建立执法案卷评查制度，每季度评查一次。\n二、取得成效\n"
            "今年以来评查案卷320卷，纠正问题42个。",
            "experience",
            "做法",
        ),
        # --- problem without 问题 in the title
        (
            "农村客运班线运营艰难",
            PROBLEM_BODY.format(t="农村客运班线"),
            "problem",
            "艰难",
        ),
        (
            "山区农村饮水保障亟待加强",
            "全区山区村饮水工程多建于十年前，管网老化严重，冬季易冻裂，"
            "部分村旱季难以保障正常供水。建议加快实施供水管网改造，建立应急送水机制。",
            "problem",
            "亟待",
        ),
        (
            "小微企业续贷“过桥”成本值得关注",
            "调查发现，部分小微企业贷款到期后需借助民间“过桥”资金周转，日息高达千分之一。"
            "建议扩大应急转贷资金规模，推广无还本续贷。",
            "problem",
            "值得关注",
        ),
        (
            "乡镇综合文化站作用发挥需引起重视",
            "全区15个乡镇综合文化站普遍存在人员不足、活动偏少的问题，部分文化站长期闲置。\n"
            "建议：核定专职人员编制；将文化站运行情况纳入镇街考核。",
            "problem",
            "引起重视",
        ),
        (
            "全区养老护理员队伍建设情况",
            PROBLEM_BODY.format(t="养老护理员队伍建设"),
            "problem",
            "存在的问题",
        ),
        (
            "关于加强农村留守儿童关爱服务的建议",
            "全区农村留守儿童2600余人，关爱服务力量薄弱，专业社工缺乏。"
            "建议整合妇联、团委、教体等部门资源，建立村级儿童之家。",
            "problem",
            "建议",
        ),
        (
            "城区电动自行车充电难问题亟需解决",
            "城区电动自行车保有量超过15万辆，而集中充电桩仅3200个，飞线充电现象突出。",
            "problem",
            "亟需",
        ),
        (
            "当前蔬菜种植面临的困难及对策",
            "受价格波动影响，蔬菜种植收益下降，农户积极性受挫。",
            "problem",
            "困难",
        ),
        (
            "全区秋季作物病虫害情况",
            "今年秋季作物病虫害发生面积较大，部分地块存在防治不及时的问题，"
            "主要表现在农户防治意识不强。为此建议加大统防统治补贴。",
            "problem",
            "建议",
        ),
        # --- research needs a report title or method evidence
        (
            "关于我区城乡居民收入情况的调查与思考",
            RESEARCH_BODY.format(t="城乡居民收入"),
            "research",
            "调查",
        ),
        (
            "全区灵活就业人员参保情况分析",
            RESEARCH_BODY.format(t="灵活就业人员参保"),
            "research",
            "调研方法",
        ),
        (
            "雪野镇民宿产业发展情况报告",
            "为理清发展思路，镇党委组织力量对全镇民宿进行深入摸底，形成如下报告。\n"
            "一、基本情况\n" + "全镇民宿186家，床位3200张，旺季入住率高。" * 6 + "\n"
            "二、存在的不足\n" + "同质化较重，冬季客源少，专业人才缺乏。" * 6 + "\n"
            "三、下一步打算\n" + "引导差异化发展，开发冬季产品，加强人才培训。" * 6,
            "research",
            "调研方法",
        ),
        (
            "我区农村养老服务设施运营调研",
            "区民政局对全区86处农村幸福院运营情况进行了调研，多数设施运转正常。",
            "research",
            "标题含“调研”",
        ),
        (
            "关于全区快递进村情况的调查",
            "区邮政管理部门对全区637个行政村快递服务情况开展调查，快递进村覆盖率达到92%。",
            "research",
            "调查",
        ),
        # --- short news stays news
        (
            "区文旅局举办第三届乡村旅游文化节",
            "10月18日，区文旅局在雪野镇举办第三届乡村旅游文化节，吸引游客2.6万人次。",
            "dynamic",
            "举办",
        ),
        (
            "鹏泉街道“五个一”推动文明创建进社区",
            "今年以来，鹏泉街道以“一社区一品牌”为抓手推进文明创建，参与率由45%提升到81%。",
            "dynamic",
            "依据不足",
        ),
        (
            "区发改委：扎实推进重点项目建设",
            "1至9月，全区重点项目完成投资126亿元，占年度计划的80.2%。",
            "dynamic",
            "扎实推进",
        ),
        (
            "区教体局召开秋季学校安全工作会议",
            "会议通报了秋季开学以来学校安全检查中发现的问题，对下一步工作进行了部署。",
            "dynamic",
            "召开",
        ),
        (
            "前三季度全区社会消费品零售总额增长6.1%",
            "1至9月，全区实现社会消费品零售总额186亿元，同比增长6.1%。",
            "dynamic",
            "未见分类标注或提示词",
        ),
        (
            "区市场监管局开展校园食品安全检查",
            "检查发现部分食堂存在索证索票不全等问题，已当场责令整改。",
            "dynamic",
            "开展",
        ),
    ],
)
def test_category_from_evidence(title: str, body: str, category: str, evidence: str) -> None:
    got, reason = _decide(title, body)
    assert got == category, reason
    assert evidence in reason, reason
    assert reason.endswith(f"按{RULES.category_label(category)}计"), reason


def test_work_cue_reason_says_why_it_is_news() -> None:
    got, reason = _decide("区民政局开展养老机构安全隐患大排查", "区民政局对全区养老机构开展排查。")
    assert got == "dynamic"
    assert reason.startswith("标题含“隐患”，但所写为“开展…隐患”的工作")


def test_stated_cue_counts_more_than_a_bare_one() -> None:
    bare = score(RULES, title="关于秸秆问题")
    stated = score(RULES, title="关于秸秆存在问题")
    assert stated.scores["problem"] > bare.scores["problem"]


def test_structure_words_alone_do_not_make_a_short_text_research() -> None:
    # A short note saying it surveyed is not research without a report title.
    got, reason = _decide(
        "区统计局开展居民消费抽样调查",
        "区统计局组成调查组，对600户居民家庭开展抽样调查，并召开座谈会3场。",
    )
    assert got == "dynamic", reason


def test_enumerated_problems_are_not_practices() -> None:
    body = (
        "全区家庭农场发展面临一些困难。\n"
        "一是融资不足，缺乏有效抵押物。二是人才缺乏，经营者年龄偏大。三是品牌薄弱，产品附加值低。"
    )
    got = score(RULES, title="全区家庭农场发展情况", paragraphs=body.split("\n"), chars=80)
    assert got.scores["experience"] == 0
    assert got.decision.category == "problem", got.decision.reason
    assert "分条列举问题" in got.decision.reason


def test_a_bad_pattern_in_the_rules_file_is_named_in_chinese(tmp_path: Path) -> None:
    text = (ROOT / "config" / "rules.toml").read_text(encoding="utf-8")
    bad = text.replace("patterns = ['^[^：:，,“”]{2,16}[：:]\\s*\\S']", "patterns = ['(单位']", 1)
    assert bad != text
    path = tmp_path / "rules.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    message = str(err.value)
    assert "rules.toml" in message and "title_unit_colon.patterns" in message
    assert "正则表达式“(单位”无效" in message
