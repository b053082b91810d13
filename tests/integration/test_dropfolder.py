"""The OA drop folder (SPEC §1.2), end to end through the real CLI. The DropFolder class
on its own (settling, sidecars, races the CLI cannot stage, the moves) is tested in
tests/unit/ingest/test_dropfolder.py."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

from tests.helpers import (
    at,
    by_attachment,
    cli_json,
    docx_bytes,
    eml_bytes,
    left_in_drop,
    put,
    stored,
    today,
)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CJK = re.compile(r"[\u4e00-\u9fff]")

# SPEC §3's example: 16 characters + 4 words (38.6, 52%, PPP, 3) = 20.
BODY20 = "今年完成投资38.6亿元，增长52%。PPP项目3个。"


# ----------------------------------------------------------------------- the three layouts
def test_unit_subfolders_docx_and_text_encodings(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    before = today()
    put(
        drop / "区发改委" / "【调研】全区投资情况.docx",
        docx_bytes("关于全区投资情况的调研报告", [BODY20, "供稿：区发改委  撰稿：李明"]),
        when=at("2019-04-05T09:30:00"),
    )
    put(
        drop / "区民政局" / "养老服务.txt",
        "\ufeff【动态】区民政局推进养老服务\n" + BODY20 + "\n联系电话：6212345\n",
        when=at("2019-04-06T10:00:00"),
    )
    gb_body = "凤城街道召开会议，部署安全生产工作，会议由刘䶮主持。"  # 䶮: GB18030, not GBK
    put(
        drop / "凤城街道" / "安全生产.txt",
        "【动态】凤城街道召开安全生产会议\r\n" + gb_body + "\r\n",
        encoding="gb18030",
        when=at("2019-04-07T11:00:00"),
    )

    result = zwxx("poll")
    assert "本次处理 3 件" in result.stdout and "新计数 3 条" in result.stdout
    assert "已处理 3 件" in result.stderr

    items = by_attachment(cli_json(zwxx, "items"))
    assert set(items) == {"【调研】全区投资情况.docx", "养老服务.txt", "安全生产.txt"}

    fgw = items["【调研】全区投资情况.docx"]
    assert fgw["unit"] == "区发展和改革委员会"  # alias 区发改委 resolved
    assert fgw["attribution"] == "folder" and "区发改委" in fgw["reason"]
    assert fgw["title"] == "关于全区投资情况的调研报告"
    assert fgw["category"] == "research" and "调研" in fgw["category_reason"]
    assert fgw["chars"] == 20  # the sign-off line does not count
    assert fgw["author"] == "李明"
    assert fgw["counted"] is True and fgw["status"] == "counted"
    assert fgw["received_at"] == "2019-04-05T09:30:00+08:00"  # the OA timestamp (mtime)

    mz = items["养老服务.txt"]
    assert mz["unit"] == "区民政局"
    assert mz["title"] == "区民政局推进养老服务"  # BOM and tag gone
    assert mz["category"] == "dynamic" and "动态" in mz["category_reason"]
    assert mz["chars"] == 20
    assert mz["received_at"] == "2019-04-06T10:00:00+08:00"

    fc = items["安全生产.txt"]
    assert fc["unit"] == "凤城街道" and fc["group"] == "towns"
    assert fc["title"] == "凤城街道召开安全生产会议"
    assert fc["chars"] == 26
    assert fc["category"] == "dynamic"

    envelopes = cli_json(zwxx, "envelopes")
    assert sorted(e["path"] for e in envelopes) == [
        "凤城街道/安全生产.txt",
        "区发改委/【调研】全区投资情况.docx",
        "区民政局/养老服务.txt",
    ]
    assert all(e["source"] == "dropfolder" and e["status"] == "parsed" for e in envelopes)

    assert left_in_drop(drop) == []
    archived = stored(drop, "archive")
    assert set(archived) == {
        "区发改委/【调研】全区投资情况.docx",
        "区民政局/养老服务.txt",
        "凤城街道/安全生产.txt",
    }
    days = {p.parent.parent.name for paths in archived.values() for p in paths}
    assert days <= before | today()
    assert not (drop / "failed").exists()


def test_whole_message_eml_at_the_root(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    signed = docx_bytes(
        "高新项目建设提速",
        ["全区新开工项目12个，完成投资5.2亿元。", "供稿单位：区审计局", "撰稿人：张华"],
    )
    put(
        drop / "msg-signoff.eml",
        eml_bytes("【动态】报送信息一则", "请查收。\n\n王小明\n", [("项目建设.docx", signed)]),
    )
    two = [
        ("第一篇.docx", docx_bytes("春耕生产有序推进", ["全区春耕生产有序推进。"])),
        ("第二篇.docx", docx_bytes("农村改厕稳步实施", ["全区农村改厕稳步实施。"])),
    ]
    put(drop / "msg-subject.eml", eml_bytes("区民政局报送信息两篇", "请查收", two))

    zwxx("poll")
    items = by_attachment(cli_json(zwxx, "items"))
    # Cover notes ("请查收") are not items; each attached document is one item.
    assert set(items) == {"项目建设.docx", "第一篇.docx", "第二篇.docx"}

    signoff = items["项目建设.docx"]
    assert signoff["unit"] == "区审计局"
    assert signoff["attribution"] == "name" and "落款" in signoff["reason"]
    assert signoff["title"] == "高新项目建设提速"
    assert signoff["category"] == "dynamic" and "邮件主题" in signoff["category_reason"]
    assert signoff["author"] == "张华"
    assert signoff["counted"] is True

    for name in ("第一篇.docx", "第二篇.docx"):
        assert items[name]["unit"] == "区民政局"
        assert "邮件主题" in items[name]["reason"]
        assert items[name]["counted"] is True
    assert items["第一篇.docx"]["envelope_id"] == items["第二篇.docx"]["envelope_id"]

    envelopes = {e["path"]: e for e in cli_json(zwxx, "envelopes")}
    assert set(envelopes) == {"msg-signoff.eml", "msg-subject.eml"}
    assert envelopes["msg-subject.eml"]["subject"] == "区民政局报送信息两篇"
    assert envelopes["msg-subject.eml"]["sender"] == "wxm_info@example.com"
    assert left_in_drop(drop) == []
    assert set(stored(drop, "archive")) == {"msg-signoff.eml", "msg-subject.eml"}


def test_sidecar_gives_unit_and_received_at(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "a1.docx", docx_bytes("农业产业化成效明显", ["全区新增龙头企业3家。"]))
    put(
        drop / "a1.docx.json",
        json.dumps(
            {"unit": "区发改委", "sender": "oa@laiwu.gov.cn", "received_at": "2019-04-05T09:30:00"},
            ensure_ascii=False,
        ),
    )
    # UTC at the end of April is already May in Asia/Shanghai: the item is a May item.
    put(drop / "区民政局" / "b2.txt", "社区服务提质增效\n全区社区服务中心实现全覆盖。\n")
    put(
        drop / "区民政局" / "b2.txt.json",
        '{"received_at": "2019-04-30T17:30:00Z"}',
        encoding="utf-8-sig",
    )

    zwxx("poll")
    items = by_attachment(cli_json(zwxx, "items"))
    assert items["a1.docx"]["unit"] == "区发展和改革委员会"  # alias in the sidecar
    assert items["a1.docx"]["attribution"] == "sidecar"
    assert "附带说明" in items["a1.docx"]["reason"]
    assert items["a1.docx"]["received_at"] == "2019-04-05T09:30:00+08:00"
    assert items["b2.txt"]["unit"] == "区民政局"
    assert items["b2.txt"]["attribution"] == "folder"
    assert items["b2.txt"]["received_at"] == "2019-05-01T01:30:00+08:00"
    may = cli_json(zwxx, "items", "--month", "2019-05")
    assert [i["attachment"] for i in may] == ["b2.txt"]

    envelopes = {e["path"]: e for e in cli_json(zwxx, "envelopes")}
    assert envelopes["a1.docx"]["received_at"] == "2019-04-05T09:30:00+08:00"

    assert left_in_drop(drop) == []
    archived = stored(drop, "archive")
    assert set(archived) == {"a1.docx", "a1.docx.json", "区民政局/b2.txt", "区民政局/b2.txt.json"}
    (side,) = archived["a1.docx.json"]
    assert json.loads(side.read_text(encoding="utf-8"))["unit"] == "区发改委"


def test_sub_folder_and_sidecar_naming_different_units_go_to_review(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "区民政局" / "e5.txt", "标题一则\n正文内容一段。\n")
    put(drop / "区民政局" / "e5.txt.json", '{"unit": "区财政局"}')
    put(drop / "区民政局" / "e6.txt", "标题二则\n正文内容两段。\n")
    put(drop / "区民政局" / "e6.txt.json", '{"unit": "莱芜区民政局"}')  # an alias: they agree
    zwxx("poll")
    items = by_attachment(cli_json(zwxx, "items"))
    conflict = items["e5.txt"]
    assert conflict["status"] == "review" and conflict["counted"] is False
    assert conflict["unit"] is None
    assert "区民政局" in conflict["reason"] and "区财政局" in conflict["reason"]
    assert items["e6.txt"]["unit"] == "区民政局" and items["e6.txt"]["counted"] is True


def test_sidecar_sender_is_recorded(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "c3.txt", "标题一则\n正文内容一段。\n")
    put(drop / "c3.txt.json", '{"unit": "区审计局", "sender": "OA@Laiwu.gov.cn"}')
    zwxx("poll")
    (envelope,) = cli_json(zwxx, "envelopes")
    assert envelope["sender"] == "oa@laiwu.gov.cn"


# --------------------------------------------------------------------------- settling
def test_file_still_changing_is_not_taken_until_it_settles(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    slow = {"ZWXX_DROPFOLDER__SETTLE_SECONDS": "600"}
    fresh = put(drop / "区民政局" / "刚写完.txt", "新闻一则\n全区开展志愿服务活动。\n")
    old_file = put(drop / "区财政局" / "旧文件.txt", "财政一则\n全区财政收入稳定增长。\n")
    os.utime(old_file, (old_file.stat().st_mtime - 3600,) * 2)
    put(drop / "区财政局" / "旧文件.txt.json", '{"received_at": "2019-04-05T09:30:00"}')

    first = zwxx("poll", env=slow)
    assert "本次处理 0 件" in first.stdout
    assert cli_json(zwxx, "envelopes") == []
    assert fresh.exists() and old_file.exists()  # a fresh sidecar holds its file back too

    hour_ago = fresh.stat().st_mtime - 3600
    for path in (fresh, old_file.with_name("旧文件.txt.json")):
        os.utime(path, (hour_ago, hour_ago))
    second = zwxx("poll", env=slow)
    assert "本次处理 2 件" in second.stdout
    assert len(cli_json(zwxx, "envelopes")) == 2
    assert left_in_drop(drop) == []


# ----------------------------------------------------------------- archive and failed/
def test_unreadable_files_go_to_failed_with_a_reason(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    noise = random.Random(20190405).randbytes(6000)
    inputs = {
        "区发改委/坏文件.docx": noise,
        "区民政局/旧格式.doc": OLE2 + bytes(1024),
        "区财政局/好文件.docx": docx_bytes("财政资金直达基层", ["全区直达资金支出进度加快。"]),
        "坏的附带.txt": "标题\n正文。\n".encode(),
        "坏的附带.txt.json": b"{not json",
        "区民政局/旧格式.doc.json": b'{"received_at": "2019-04-05T09:30:00"}',
    }
    for rel, data in inputs.items():
        put(drop / rel, data)

    result = zwxx("poll")
    assert "无法读取 3 件" in result.stdout
    assert "[注意]" in result.stderr and "坏文件.docx" in result.stderr

    envelopes = {e["path"]: e for e in cli_json(zwxx, "envelopes")}
    assert set(envelopes) == {
        "区发改委/坏文件.docx",
        "区民政局/旧格式.doc",
        "区财政局/好文件.docx",
        "坏的附带.txt",
    }
    failed = stored(drop, "failed")
    for rel in ("区发改委/坏文件.docx", "区民政局/旧格式.doc", "坏的附带.txt"):
        envelope = envelopes[rel]
        assert envelope["status"] == "failed"
        assert CJK.search(envelope["reason"] or ""), envelope["reason"]
        (error_file,) = failed[rel + ".error.txt"]
        assert error_file.read_text(encoding="utf-8").strip() == envelope["reason"]
        (moved,) = failed[rel]
        assert moved.read_bytes() == inputs[rel]
    assert "附带说明文件" in envelopes["坏的附带.txt"]["reason"]
    # The sidecar goes with its file.
    assert "区民政局/旧格式.doc.json" in failed
    assert "坏的附带.txt.json" in failed

    items = cli_json(zwxx, "items")
    assert [i["attachment"] for i in items] == ["好文件.docx"]  # failures are no items

    # Nothing is deleted: every input is somewhere under archive/ or failed/, unchanged.
    assert left_in_drop(drop) == []
    archived = stored(drop, "archive")
    for rel, data in inputs.items():
        homes = archived.get(rel, []) + failed.get(rel, [])
        assert len(homes) == 1, rel
        assert homes[0].read_bytes() == data
    assert "区财政局/好文件.docx" in archived
    everything = [p for p in drop.rglob("*") if p.is_file()]
    assert len(everything) == len(inputs) + 3  # + three .error.txt


def test_bad_sidecar_time_fails_and_a_corrected_sidecar_is_taken(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    text = "工作推进\n全区重点项目推进顺利。\n"
    put(drop / "区民政局" / "d4.txt", text)
    put(drop / "区民政局" / "d4.txt.json", '{"received_at": "四月五日"}')
    zwxx("poll")
    failed = stored(drop, "failed")
    (error_file,) = failed["区民政局/d4.txt.error.txt"]
    assert "附带说明文件" in error_file.read_text(encoding="utf-8")
    (envelope,) = cli_json(zwxx, "envelopes")
    assert envelope["status"] == "failed" and envelope["path"] == "区民政局/d4.txt"
    assert cli_json(zwxx, "items") == []

    # The OA exports it again with a valid sidecar: the same bytes are now taken.
    put(drop / "区民政局" / "d4.txt", text)
    put(drop / "区民政局" / "d4.txt.json", '{"received_at": "2019-04-05 09:30"}')
    zwxx("poll")
    (item,) = cli_json(zwxx, "items")
    assert item["unit"] == "区民政局" and item["counted"] is True
    assert item["received_at"] == "2019-04-05T09:30:00+08:00"
    assert left_in_drop(drop) == []
    assert "区民政局/d4.txt" in stored(drop, "archive")


def test_archive_never_overwrites_a_file_of_the_same_name(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    versions = [
        docx_bytes("春季植树活动", ["全区组织干部群众义务植树1.2万株。"]),
        docx_bytes("夏粮收购开局良好", ["截至目前，全区已收购小麦3万吨，价格平稳。"]),
        docx_bytes("秋冬季大气污染防治", ["全区对42家重点企业实施错峰生产，检查工地17处。"]),
    ]
    sides = [f'{{"received_at": "2019-04-0{n}T09:00:00"}}' for n in (1, 2, 3)]
    for data, side in zip(versions, sides, strict=True):
        put(drop / "区民政局" / "工作动态.docx", data)
        put(drop / "区民政局" / "工作动态.docx.json", side)
        zwxx("poll")
        assert left_in_drop(drop) == []

    archived = stored(drop, "archive")
    names = sorted(k for k in archived if k.endswith(".docx"))
    assert names == [
        "区民政局/工作动态 (2).docx",
        "区民政局/工作动态 (3).docx",
        "区民政局/工作动态.docx",
    ]
    assert {archived[n][0].read_bytes() for n in names} == set(versions)
    for name in names:  # each sidecar sits beside its own file
        (doc,) = archived[name]
        (side,) = archived[name + ".json"]
        assert side.read_text(encoding="utf-8") == sides[versions.index(doc.read_bytes())]
    envelopes = cli_json(zwxx, "envelopes")
    assert len({e["sha256"] for e in envelopes}) == 3
    assert [i["title"] for i in cli_json(zwxx, "items")] == [
        "春季植树活动",
        "夏粮收购开局良好",
        "秋冬季大气污染防治",
    ]


# ------------------------------------------------------------------------- duplicates
def test_same_bytes_again_are_copies_each_with_its_envelope(workdir: Path, zwxx) -> None:
    # SPEC §2: every file is accounted for; a copy points at the first and counts nothing.
    drop = workdir / "drop"
    data = docx_bytes("网格化管理全覆盖", ["全区网格化管理实现全覆盖，共划分网格210个。"])
    put(drop / "区民政局" / "网格.docx", data)
    zwxx("poll")
    (first,) = cli_json(zwxx, "envelopes")
    assert first["status"] == "parsed" and first["duplicate_of"] is None

    put(drop / "区民政局" / "网格.docx", data)  # the OA exports it again
    put(drop / "区民政局" / "网格（重发）.docx", data)
    again = zwxx("poll")
    assert "本次处理 2 件" in again.stdout and "新计数 0 条" in again.stdout
    assert "重复收到 2 件" in again.stdout

    envelopes = cli_json(zwxx, "envelopes")
    assert envelopes[0] == first
    copies = envelopes[1:]
    assert sorted(e["path"] for e in copies) == ["区民政局/网格.docx", "区民政局/网格（重发）.docx"]
    for copy in copies:
        assert (copy["status"], copy["duplicate_of"]) == ("duplicate", first["id"])
        assert copy["sha256"] == first["sha256"] and f"第 {first['id']} 件" in copy["reason"]
    (item,) = cli_json(zwxx, "items")
    assert item["counted"] is True
    assert left_in_drop(drop) == []
    archived = stored(drop, "archive")
    assert set(archived) == {
        "区民政局/网格.docx",
        "区民政局/网格 (2).docx",
        "区民政局/网格（重发）.docx",
    }
    assert all(paths[0].read_bytes() == data for paths in archived.values())
    assert "重新解析 3 件" in zwxx("reparse").stdout  # the copies stay copies
    assert len(cli_json(zwxx, "items")) == 1
    assert [e["status"] for e in cli_json(zwxx, "envelopes")] == ["parsed", *["duplicate"] * 2]


def test_a_file_seen_again_after_a_crash_is_the_same_envelope(workdir: Path, zwxx) -> None:
    # Killed after the commit, before the move to archive/: the files are still there.
    from zwxx.app import load_app
    from zwxx.ingest.dropfolder import DropFolder
    from zwxx.pipeline import poll

    drop = workdir / "drop"
    data = docx_bytes("河长制工作推进", ["全区巡河1200人次，整改问题35个。"])
    put(drop / "区水利局" / "河长制.docx", data)
    put(drop / "区水利局" / "河长制（重发）.docx", data)
    app = load_app(workdir / "zwxx.toml")
    (folder,) = [s for s in app.sources() if isinstance(s, DropFolder)]
    folder.after_commit = lambda *args: None  # type: ignore[method-assign]
    first = poll(app.job(), [folder])
    assert first.envelopes == 2 and first.copies == 1
    assert len(left_in_drop(drop)) == 2

    again = zwxx("poll")  # the re-scan knows both files: no new row, both archived now
    assert "本次处理 0 件" in again.stdout and "此前已处理 2 件" in again.stdout
    envelopes = cli_json(zwxx, "envelopes")
    assert [e["status"] for e in envelopes] == ["parsed", "duplicate"]
    assert envelopes[1]["duplicate_of"] == envelopes[0]["id"]
    assert len(cli_json(zwxx, "items")) == 1
    assert left_in_drop(drop) == []


def test_one_file_sent_by_two_units_is_a_joint_submission_for_review(workdir: Path, zwxx) -> None:
    # SPEC §2/§4: the same text from two units is flagged for review (joint submission);
    # it counts for the second unit once the clerk confirms it (zwxx review assign).
    drop = workdir / "drop"
    data = docx_bytes("联合开展安全生产大检查", ["两部门联合检查企业36家，整改隐患52处。"])
    put(drop / "区应急管理局" / "联合检查.docx", data, when=at("2019-04-05T09:00:00"))
    put(drop / "区市场监管局" / "联合检查.docx", data, when=at("2019-04-05T10:00:00"))
    zwxx("poll")
    first, second = cli_json(zwxx, "items")
    assert (first["unit"], first["status"]) == ("区应急管理局", "counted")
    assert (second["unit"], second["status"]) == ("区市场监督管理局", "review")
    assert f"与第 {first['id']} 条（区应急管理局）内容相同" in second["reason"]
    assert "联合报送" in second["reason"]
    envelopes = cli_json(zwxx, "envelopes")
    assert len(envelopes) == 2 and len({e["sha256"] for e in envelopes}) == 1

    done = zwxx("review", "assign", str(second["id"]), "--unit", "区市场监管局")
    assert "计入该单位" in done.stdout
    items = cli_json(zwxx, "items")
    assert sorted(i["unit"] for i in items) == ["区市场监督管理局", "区应急管理局"]
    assert all(i["counted"] for i in items)
    put(drop / "区应急管理局" / "联合检查.docx", data)  # re-exported: still once per unit
    assert "新计数 0 条" in zwxx("poll").stdout


def test_unreadable_unit_folder_does_not_stop_the_poll(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "区民政局" / "a.txt", "养老服务\n全区新建养老服务站5处。\n")
    put(drop / "区民政局" / "旧稿" / "b.txt", "旧稿\n不应被收取。\n")
    out = zwxx("poll")
    assert "新计数 1 条" in out.stdout
    assert "旧稿" in out.stderr and "不会被收取" in out.stderr
    # An unreadable unit folder while listing: tests/unit/ingest/test_dropfolder.py.


def test_same_text_as_another_file_is_a_duplicate(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    body = "全区新建口袋公园12处，新增绿地面积3.5万平方米。"
    put(
        drop / "区民政局" / "公园.docx",
        docx_bytes("口袋公园建设", [body]),
        when=at("2019-04-05T09:00:00"),
    )
    put(drop / "区民政局" / "公园.txt", f"口袋公园建设\n{body}\n", when=at("2019-04-05T10:00:00"))
    other = f"口袋公园建设\n{body}\n供稿：区财政局\n"  # other bytes, same text
    put(drop / "区财政局" / "公园.txt", other, when=at("2019-04-05T11:00:00"))
    zwxx("poll")

    items = cli_json(zwxx, "items")
    assert [(i["unit"], i["attachment"]) for i in items] == [
        ("区民政局", "公园.docx"),
        ("区民政局", "公园.txt"),
        ("区财政局", "公园.txt"),
    ]
    original, copy, other_unit = items
    assert original["status"] == "counted" and original["counted"] is True
    assert copy["status"] == "duplicate" and copy["counted"] is False
    assert str(original["id"]) in copy["reason"] and "重复" in copy["reason"]
    # The same text from another unit: a possible joint submission, for the clerk.
    assert other_unit["status"] == "review" and other_unit["counted"] is False
    assert f"与第 {original['id']} 条（区民政局）内容相同" in other_unit["reason"]
    assert len(cli_json(zwxx, "envelopes")) == 3
    assert left_in_drop(drop) == []


# ----------------------------------------------------------------------------- review
def test_unknown_folder_and_unnamed_unit_go_to_review(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "区新设局" / "新闻.txt", "工作推进\n全区重点工作推进顺利。\n")
    put(drop / "无名.txt", "工作推进会召开\n会议部署了下一阶段重点工作。\n")
    put(
        drop / "两家.txt",
        "联合开展检查\n区民政局和区财政局联合开展专项检查。\n供稿：区民政局、区财政局\n",
    )
    zwxx("poll")

    items = by_attachment(cli_json(zwxx, "items"))
    for item in items.values():
        assert item["status"] == "review" and item["counted"] is False
        assert item["unit"] is None
    assert "区新设局" in items["新闻.txt"]["reason"]
    assert "不是名册中的单位" in items["新闻.txt"]["reason"]
    assert "未找到报送单位" in items["无名.txt"]["reason"]
    assert "多个单位" in items["两家.txt"]["reason"]
    assert left_in_drop(drop) == []  # review items are recorded, their files archived
    assert set(stored(drop, "archive")) == {"区新设局/新闻.txt", "无名.txt", "两家.txt"}
