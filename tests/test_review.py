"""`zwxx review`: the queue, the clerk's decisions (unit, category, ignore, remembered
addresses), and that ``zwxx reparse`` keeps them. End to end through the real CLI."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

from tests.test_dropfolder import at, cli_json, put

STRANGER = "发件人不是登记的报送单位，正文也未提及任何单位，不计数"
FIRE = "进入秋冬季森林防火期以来，辖区坚持预防为主，设置防火检查站14处，开展扑火演练2次。"


def eml(sender: str, subject: str, body: str, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "lcqzwxx@163.com"
    msg["Subject"] = subject
    msg["Date"] = "Sat, 18 Oct 2026 21:13:00 +0800"
    msg["Message-ID"] = f"<review-{n}@example.com>"
    msg.set_content(body)
    return msg.as_bytes()


def by_title(zwxx) -> dict[str, dict]:
    return {i["title"]: i for i in cli_json(zwxx, "items")}


def test_unknown_sender_naming_no_unit_is_ignored_unless_there_is_a_clue(
    workdir: Path, zwxx
) -> None:
    drop = workdir / "drop"
    # A stranger's mail: no registered address, no unit named anywhere, nobody signs it
    # as a writer (an advertisement's 联系人/电话 is no such clue).
    put(
        drop / "a.eml",
        eml(
            "推广 <ad@qq.com>",
            "周末特惠",
            "全场商品八折优惠，欢迎选购。\n联系人：刘经理  电话：13800001234\n",
            1,
        ),
    )
    # The same kind of sender, but the text names a unit in its body: review.
    put(
        drop / "b.eml",
        eml("张明 <zm@qq.com>", "秋冬季森林防火", "口镇" + FIRE + "\n", 2),
    )
    # No unit named, but signed like a submission (撰稿人、电话): review, never ignored.
    put(
        drop / "c.eml",
        eml(
            "李华 <lh@qq.com>",
            "筑牢森林防火安全防线",
            FIRE + "\n撰稿人：李华  电话：6237718\n",
            3,
        ),
    )
    # An OA file with no sender and no unit came through the OA: review.
    put(drop / "d.txt", "工作推进会召开\n会议部署了下一阶段重点工作。\n")
    zwxx("poll")
    items = by_title(zwxx)
    assert items["周末特惠"]["status"] == "ignored" and items["周末特惠"]["reason"] == STRANGER
    assert items["秋冬季森林防火"]["status"] == "review"
    assert items["筑牢森林防火安全防线"]["status"] == "review"
    assert items["工作推进会召开"]["status"] == "review"

    queue = cli_json(zwxx, "review")
    assert {q["title"] for q in queue} == {
        "秋冬季森林防火",
        "筑牢森林防火安全防线",
        "工作推进会召开",
    }
    fire = next(q for q in queue if q["title"] == "筑牢森林防火安全防线")
    assert fire["sender"] == "lh@qq.com" and fire["subject"] == "筑牢森林防火安全防线"
    assert fire["received_at"].startswith("2026-")
    assert "未找到报送单位" in fire["reason"] and fire["candidates"] == []
    # A unit named only in the body is offered as a candidate.
    assert next(q for q in queue if q["title"] == "秋冬季森林防火")["candidates"] == ["口镇"]
    assert fire["category"] == "dynamic"
    everything = cli_json(zwxx, "review", "--ignored")
    assert "周末特惠" in {q["title"] for q in everything}
    table = zwxx("review").stdout
    assert "待确认信息（共 3 条）" in table and "review assign" in table


def test_conflicting_sources_list_their_candidates(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "两家.txt", "联合开展检查\n两部门联合开展专项检查。\n供稿：区民政局、区财政局\n")
    zwxx("poll")
    (queued,) = cli_json(zwxx, "review")
    assert set(queued["candidates"]) == {"区民政局", "区财政局"}


def test_decisions_survive_reparse_and_remember_attributes_later_mail(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    signed = "\n撰稿人：李华  电话：6237718\n"
    put(drop / "1.eml", eml("李华 <LH@qq.com>", "森林防火", FIRE + signed, 1))
    put(
        drop / "2.eml",
        eml("李华 <lh@qq.com>", "秸秆禁烧", "全镇开展秸秆禁烧巡查，出动人员300人次。" + signed, 2),
    )
    long_body = "全镇开展冬季农田水利建设，" + "新修生产路和排灌沟渠，" * 50
    put(drop / "区民政局" / "长文.txt", f"冬季水利建设\n{long_body}\n")
    zwxx("poll")
    items = by_title(zwxx)
    fire, straw, long = items["森林防火"], items["秸秆禁烧"], items["冬季水利建设"]
    assert fire["status"] == straw["status"] == "review"
    assert long["counted"] and long["over_limit"] and long["category"] == "dynamic"

    out = zwxx("review", "assign", str(fire["id"]), "--unit", "口镇", "--remember").stdout
    assert "已将第" in out and "口镇" in out and "已记住发件地址 lh@qq.com" in out
    assert "调研信息" in zwxx("review", "category", str(long["id"]), "调研信息").stdout
    ignored = zwxx("review", "ignore", str(straw["id"]), "--reason", "个人转发，非报送").stdout
    assert "不计" in ignored and "个人转发" in ignored

    def check() -> None:
        items = by_title(zwxx)
        assert items["森林防火"]["unit"] == "口镇" and items["森林防火"]["counted"]
        assert items["森林防火"]["attribution"] == "clerk"
        assert "信息科指定为口镇" in items["森林防火"]["reason"]
        assert items["冬季水利建设"]["category"] == "research"
        assert items["冬季水利建设"]["over_limit"] is False  # research has no limit
        assert "超过" not in items["冬季水利建设"]["reason"]
        assert items["秸秆禁烧"]["status"] == "ignored"
        assert "个人转发" in items["秸秆禁烧"]["reason"]

    check()
    zwxx("reparse")
    check()
    assert cli_json(zwxx, "review") == []

    # Later mail from the remembered address is 口镇's without anyone's help.
    put(
        drop / "3.eml",
        eml("李华 <lh@qq.com>", "冬季送温暖", "走访慰问困难群众120户。" + signed, 3),
    )
    zwxx("poll")
    later = by_title(zwxx)["冬季送温暖"]
    assert later["unit"] == "口镇" and later["counted"] and later["attribution"] == "address"

    # The category back to 动态: the 400-字 limit applies again.
    zwxx("review", "category", str(long["id"]), "dynamic")
    again = by_title(zwxx)["冬季水利建设"]
    assert again["category"] == "dynamic" and again["over_limit"] is True
    assert "超过动态信息" in again["reason"]

    # An address is remembered for one unit only.
    refused = zwxx(
        "review", "assign", str(straw["id"]), "--unit", "区民政局", "--remember", check=False
    )
    assert refused.returncode == 2
    assert "lh@qq.com 已登记为口镇" in refused.stderr and "Traceback" not in refused.stderr
    assert "zwxx review forget lh@qq.com" in refused.stderr
    # Assigning undoes an "ignore".
    zwxx("review", "assign", str(straw["id"]), "--unit", "口镇")
    assert by_title(zwxx)["秸秆禁烧"]["counted"]
    # A remembered address can be forgotten (a roster address cannot: edit units.toml).
    assert "已忘记发件地址 lh@qq.com" in zwxx("review", "forget", "LH@qq.com").stdout
    assert zwxx("review", "forget", "lh@qq.com", check=False).returncode == 2


def test_assigning_a_copy_of_a_counted_item_says_it_is_a_duplicate(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    text = "口袋公园建设\n全区新建口袋公园12处，新增绿地面积3.5万平方米。\n"
    put(drop / "区民政局" / "公园.txt", text, when=at("2026-10-09T09:00"))
    put(drop / "无名.txt", text + "\n", when=at("2026-10-10T09:00"))  # no unit: review
    zwxx("poll")
    counted, unknown = cli_json(zwxx, "items")
    assert unknown["status"] == "review"
    out = zwxx("review", "assign", str(unknown["id"]), "--unit", "区民政局").stdout
    assert f"第 {counted['id']} 条" in out and "不重复计数" in out
    assert cli_json(zwxx, "items")[1]["status"] == "duplicate"
    month = {r["unit"]: r["items"] for r in cli_json(zwxx, "report", "month", "2026-10")}
    assert month["区民政局"] == 1


def test_bad_input_is_a_chinese_one_line_error(workdir: Path, zwxx) -> None:
    put(workdir / "drop" / "无名.txt", "工作推进会召开\n会议部署了下一阶段重点工作。\n")
    zwxx("poll")
    (item,) = cli_json(zwxx, "items")
    cases = [
        (("review", "assign", "999", "--unit", "区民政局"), "没有第 999 条信息"),
        (("review", "assign", "abc", "--unit", "区民政局"), "不是信息编号"),
        (("review", "assign", str(item["id"]), "--unit", "区新设局"), "不在名册中"),
        (("review", "category", str(item["id"]), "小说"), "没有“小说”这个分类"),
        (("review", "ignore", "0"), "没有第 0 条信息"),
        (("review", "assign", str(item["id"]), "--unit", "口镇", "--remember"), "没有发件邮箱"),
    ]
    for args, message in cases:
        proc = zwxx(*args, check=False)
        assert proc.returncode == 2, args
        assert message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert cli_json(zwxx, "items")[0]["status"] == "review"  # nothing was changed
    for label in ("调研", "调研信息", "research"):
        assert "调研信息" in zwxx("review", "category", str(item["id"]), label).stdout
    data = json.loads(zwxx("review", "--json").stdout)
    assert data[0]["category"] == "research" and data[0]["category_label"] == "调研信息"
