"""字数 against counts made by hand (SPEC §3), on 20 varied texts.

The rule, as Word/WPS 字数统计 counts: every visible character outside ASCII counts 1
(汉字, full-width punctuation and digits, “ ” ‘ ’, each — of ——, each … of ……, ·, ℃, ×,
Ⅲ); every non-Chinese word counts 1 — a run of ASCII letters and digits with the
``. % - / :`` joined inside or right after it; half-width punctuation standing alone,
spaces (the full-width space too), tabs and line breaks count 0.

Each count below was made by hand from the text, the working shown in the comment
("wide" = characters outside ASCII, "w" = words); none was copied from the function.
"""

from __future__ import annotations

import pytest

from zwxx.classify.wordcount import count_chars

HAND_COUNTED = [
    # SPEC's example. 今年完成投资6 亿元2 ，1 增长2 。1 项目2 个1 。1 = 16 wide;
    # 38.6 / 52% / PPP / 3 = 4 w.
    ("今年完成投资38.6亿元，增长52%。PPP项目3个。", 20),
    # ，1 区发改委召开6 工业互联网推进会8 。1 = 16 wide; 2019-04-05 / 5G = 2 w; "+" 0.
    ("2019-04-05，区发改委召开5G+工业互联网推进会。", 18),
    # “1 十四五3 ”1 期间2 ，1 全区2 平均浓度下降6 ——2 创历史最好水平7 ……2 = 27 wide;
    # PM2.5 / 12.3% = 2 w.
    ("“十四五”期间，全区PM2.5平均浓度下降12.3%——创历史最好水平……", 29),
    # 气温最低4 ℃1 ，1 最高2 ℃1 。1 = 10 wide; 5 / 18 = 2 w; the leading "-" stands alone.
    ("气温最低-5℃，最高18℃。", 12),
    # 建设用地4 亩1 ×1 亩1 = 7 wide; 1860 / 2 / 3720 = 3 w; "=" and spaces 0.
    ("建设用地1860亩 × 2 = 3720亩", 10),
    # 第1 Ⅲ1 标段2 ·1 全长2 = 7 wide; 3.2km = 1 w.
    ("第Ⅲ标段 · 全长3.2km", 8),
    # 区工信局邀请6 专家讲解4 大模型应用5 。1 = 16 wide; Huawei / Cloud / AI = 3 w.
    ("区工信局邀请Huawei Cloud专家讲解AI大模型应用。", 19),
    # 一、基本情况6 + 全区共有行政村7 个1 。1 + 二、存在问题6 = 21 wide; 637 = 1 w;
    # indentation and line breaks 0.
    ("一、基本情况\n  全区共有行政村 637 个。\n\n二、存在问题", 22),
    # Full-width letters, digits and signs are outside ASCII: Ｇ Ｄ Ｐ 增 长 ６ ． ５ ％ = 9.
    ("ＧＤＰ增长６．５％", 9),
    # 据统计3 共有2 家企业3 其中2 均已整改4 = 14 wide; 12 = 1 w; , ( ) ; ! ? . alone 0.
    ("据统计 , 共有 ( 12 ) 家企业 ; 其中 ! ? 均已整改 .", 15),
    # 《1 济南政务信息6 》1 期刊发我区经验做法9 = 17 wide; 2026/10 = 1 w.
    ("《济南政务信息》2026/10期刊发我区经验做法", 18),
    # 会议于3 开始2 ，1 结束2 ，1 历时2 小时2 。1 = 14 wide; 9:30 / 14:00 / 4.5 = 3 w.
    ("会议于9:30开始，14:00结束，历时4.5小时。", 17),
    # 详见2 网站2 = 4 wide; www.laiwu.gov.cn = 1 w.
    ("详见www.laiwu.gov.cn网站", 5),
    # （1 区发改委4 供稿2 ）1 撰稿人3 王明2 = 13 wide; half-width ( : ) alone 0; no words.
    ("（区发改委 供稿）(撰稿人:王明)", 13),
    # 增幅在3 之间2 ，1 较上年提高5 个百分点4 = 15 wide; 10%-15% / 2 = 2 w.
    ("增幅在10%-15%之间，较上年提高2个百分点", 17),
    # 全区2 共有2 村庄2 个1 = 7 wide; 637 = 1 w; tab and full-width spaces 0.
    ("全区\t共有\u3000村庄\u3000 637个", 8),
    # ‘1 枫桥经验4 ’1 在莱芜区的实践7 ——2 以张2 ·1 王村为例4 = 22 wide; no words.
    ("‘枫桥经验’在莱芜区的实践——以张·王村为例", 22),
    # 推行2 “1 一网通办4 ”1 平台2 ，1 接入2 接口2 个1 = 16 wide; e-Gov / API / 26 = 3 w.
    ("推行“一网通办”e-Gov平台，接入API接口26个", 19),
    # 完成投资4 亿元2 （1 同比2 ）1 ，1 达到2 亿元2 。1 = 16 wide;
    # 12.5 / 8.3% / GDP / 286 = 4 w; the "+" before 8.3% stands alone.
    ("完成投资12.5亿元（同比+8.3%），GDP达到286亿元。", 20),
    # Line 1: 全镇投入农机具7 余台2 。1 = 10 wide, 1200 = 1 w.
    # Line 2: ——2 摘自2 《1 莱芜日报4 》1 年1 月1 日1 第1 版1 = 15 wide; 2026 / 10 / 9 / 3 = 4 w.
    ("全镇投入农机具1200余台。\n\n——摘自《莱芜日报》2026年10月9日第3版", 30),
]


def test_twenty_varied_texts() -> None:
    assert len(HAND_COUNTED) == 20


@pytest.mark.parametrize(("text", "hand"), HAND_COUNTED, ids=range(1, 21))
def test_count_equals_hand_count(text: str, hand: int) -> None:
    assert count_chars(text) == hand, text
