"""`zwxx review`: the queue, the clerk's decisions (unit, category, ignore, remembered
addresses), and that ``zwxx reparse`` keeps them. End to end through the real CLI."""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tests.helpers import at, by_attachment, cli_json, docx_bytes, eml_bytes, put
from zwxx.config.settings import load_settings

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
    # the decision as data: items --json keeps the words and adds the code
    assert [n["code"] for n in items["周末特惠"]["notes"]] == ["unknown_sender"]
    assert items["周末特惠"]["notes"][0]["text"] == STRANGER
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
    over = [n for n in long["notes"] if n["code"] == "over_limit"]
    assert over and over[0]["data"]["limit"] == 400 and over[0]["text"] in long["reason"]

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


PARK = "口袋公园建设\n全区新建口袋公园12处，新增绿地面积3.5万平方米，惠及周边居民2万余人。\n"


def statuses(zwxx) -> list[str]:
    return [i["status"] for i in cli_json(zwxx, "items")]


def october(zwxx, unit: str) -> int:
    return {r["unit"]: r["items"] for r in cli_json(zwxx, "report", "month", "2026-10")}[unit]


def sql(workdir: Path, statement: str, **params) -> None:
    engine = sa.create_engine(load_settings(workdir / "zwxx.toml").database.url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement), params)
    finally:
        engine.dispose()


def test_assigning_the_earlier_copy_makes_the_later_copy_a_duplicate(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "无名.txt", PARK, when=at("2026-10-09T09:00"))  # no unit: review
    put(drop / "区民政局" / "公园.txt", PARK + "\n", when=at("2026-10-10T09:00"))
    zwxx("poll")
    unknown, later = cli_json(zwxx, "items")
    assert unknown["status"] == "review" and later["counted"]
    zwxx("review", "assign", str(unknown["id"]), "--unit", "区民政局")
    # What a re-parse would reach, at once: the earlier copy counts, the later one not.
    assert statuses(zwxx) == ["counted", "duplicate"]
    assert f"与第 {unknown['id']} 条内容相同" in cli_json(zwxx, "items")[1]["reason"]
    assert october(zwxx, "区民政局") == 1
    zwxx("reparse")
    assert statuses(zwxx) == ["counted", "duplicate"]
    assert october(zwxx, "区民政局") == 1


def _two_copies(workdir: Path, zwxx) -> tuple[dict, dict]:
    drop = workdir / "drop" / "区民政局"
    put(drop / "a.txt", PARK, when=at("2026-10-09T09:00"))
    put(drop / "b.txt", PARK + "\n", when=at("2026-10-10T09:00"))
    zwxx("poll")
    first, copy = cli_json(zwxx, "items")
    assert first["counted"] and copy["status"] == "duplicate"
    return first, copy


def test_a_copy_takes_no_category_of_its_own(workdir: Path, zwxx) -> None:
    first, copy = _two_copies(workdir, zwxx)
    refused = zwxx("review", "category", str(copy["id"]), "调研", check=False)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    f, c = first["id"], copy["id"]
    assert f"第 {c} 条是第 {f} 条的重复件，请对第 {f} 条操作" in refused.stderr
    assert [i["category"] for i in cli_json(zwxx, "items")] == [first["category"]] * 2


def test_an_ignored_item_keeps_its_copies_uncounted(workdir: Path, zwxx) -> None:
    first, _copy = _two_copies(workdir, zwxx)
    out = zwxx("review", "ignore", str(first["id"]), "--reason", "非报送信息").stdout
    assert f"已将第 {first['id']} 条标为不计" in out and "另有 1 条重复件一并不计" in out

    def check() -> None:
        assert statuses(zwxx) == ["ignored", "duplicate"]
        assert "已由信息科确认不计" in cli_json(zwxx, "items")[1]["reason"]
        assert october(zwxx, "区民政局") == 0

    check()
    zwxx("reparse")
    check()


def _shared_address(workdir: Path, zwxx) -> dict:
    """One address sends for 口镇 (named in the subject) and something naming no unit;
    a stranger sends an advertisement. Returns the unnamed item (in review)."""
    drop = workdir / "drop"
    signed = "\n撰稿人：李华  电话：6237718\n"
    put(drop / "1.eml", eml("转发 <oa@qq.com>", "口镇森林防火工作", FIRE + signed, 1))
    put(drop / "2.eml", eml("转发 <oa@qq.com>", "秸秆禁烧", "全镇开展秸秆禁烧巡查。" + signed, 2))
    put(drop / "3.eml", eml("推广 <ad@qq.com>", "周末特惠", "全场商品八折优惠。\n", 3))
    zwxx("poll")
    items = by_title(zwxx)
    assert items["口镇森林防火工作"]["unit"] == "口镇" and items["口镇森林防火工作"]["counted"]
    assert items["秸秆禁烧"]["status"] == "review"
    return items["秸秆禁烧"]


def test_item_numbers_are_parsed_strictly(workdir: Path, zwxx) -> None:
    _shared_address(workdir, zwxx)
    for args in (
        ("review", "assign", "²", "--unit", "区民政局"),
        ("review", "ignore", "99999999999999999999999"),
        ("review", "category", "9223372036854775808", "调研"),
    ):
        proc = zwxx(*args, check=False)
        assert proc.returncode == 2, args
        assert "不是信息编号" in proc.stderr and "内部错误" not in proc.stderr, proc.stderr


def test_a_shared_address_is_not_remembered(workdir: Path, zwxx) -> None:
    straw = _shared_address(workdir, zwxx)
    refused = zwxx(
        "review", "assign", str(straw["id"]), "--unit", "区民政局", "--remember", check=False
    )
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "oa@qq.com 的其他来信已计入口镇" in refused.stderr
    assert by_title(zwxx)["秸秆禁烧"]["status"] == "review"  # nothing was changed


def test_decision_dates_are_office_dates_and_strangers_are_hinted_at(workdir: Path, zwxx) -> None:
    straw = _shared_address(workdir, zwxx)
    zwxx("review", "assign", str(straw["id"]), "--unit", "区民政局", "--by", "小王")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    assert f"信息科指定为区民政局（小王，{today}）" in by_title(zwxx)["秸秆禁烧"]["reason"]
    hint = "另有 1 条来信因发件人未登记且未提及任何单位被判为不计，可用 zwxx review --ignored 查看"
    assert hint in zwxx("review").stdout.replace("\n", "")


def _two_documents(workdir: Path, zwxx) -> tuple[dict, dict]:
    two = [
        ("第一篇.docx", docx_bytes("春耕生产有序推进", ["全区春耕生产有序推进，播种小麦3万亩。"])),
        ("第二篇.docx", docx_bytes("农村改厕稳步实施", ["全区农村改厕稳步实施，完成改厕800户。"])),
    ]
    put(workdir / "drop" / "two.eml", eml_bytes("区民政局报送信息两篇", "请查收", two))
    zwxx("poll")
    items = by_attachment(cli_json(zwxx, "items"))
    one, other = items["第一篇.docx"], items["第二篇.docx"]
    assert one["counted"] and other["counted"]
    zwxx("review", "category", str(other["id"]), "调研")
    return one, other


def test_reparse_keeps_decisions_with_their_document(workdir: Path, zwxx) -> None:
    one, other = _two_documents(workdir, zwxx)
    # As if the first reading had found the documents in another order (one of them
    # timed out in LibreOffice and came last): the decision follows the document.
    sql(workdir, "UPDATE item SET part = 1 - part WHERE id IN (:a, :b)", a=one["id"], b=other["id"])
    zwxx("reparse")
    items = by_attachment(cli_json(zwxx, "items"))
    assert items["第二篇.docx"]["id"] == other["id"]
    assert items["第二篇.docx"]["category"] == "research"
    assert items["第一篇.docx"]["id"] == one["id"]
    assert items["第一篇.docx"]["category"] == "dynamic"


def test_a_decided_part_a_reparse_no_longer_finds_goes_back_to_review(workdir: Path, zwxx) -> None:
    _one, other = _two_documents(workdir, zwxx)
    sql(workdir, "UPDATE item SET part = 7, attachment = '旧附件.doc' WHERE id = :i", i=other["id"])
    zwxx("reparse")
    gone = next(i for i in cli_json(zwxx, "items") if i["id"] == other["id"])
    assert gone["status"] == "review"
    assert "重新解析后此部分已不存在" in gone["reason"] and "分类指定为调研信息" in gone["reason"]
