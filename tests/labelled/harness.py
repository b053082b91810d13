"""Running a labelled set through the real pipeline and scoring it against its labels.

``run_set`` writes every mail of a set as a real .eml (.docx/.doc attachments) into an OA
drop folder, runs ``zwxx poll`` and reads ``items --json`` / ``envelopes --json``;
``score`` compares them with the labels a clerk gave each document: category accuracy,
attribution precision and recall, items counted vs expected, statuses, 字数 and one line
per mistake. Used by tests/integration/test_labelled.py (the tuning set, ``cases``) and
tests/integration/test_labelled_eval.py (the evaluation set, ``eval_a/b/c``).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT, need, run_zwxx
from tests.labelled.build import legacy_docs, write_all, write_roster
from tests.labelled.cases import Doc, Mail
from zwxx.classify.wordcount import count_chars
from zwxx.ingest import convert

ITEM_FIELDS = {"category", "chars", "over_limit", "counted", "reason", "notes", "attribution"}
LIMITS = {"dynamic": 400, "experience": 2000, "problem": 2000}


def expected_docs(mail: Mail) -> list[Doc]:
    """The documents of ``mail`` in the order the pipeline makes items of them."""
    if mail.expect:
        return []
    docs = mail.attachments + [d for d in mail.docs if not d.name]
    if mail.enclosed is not None:
        docs += expected_docs(mail.enclosed)
    return docs


def expected_chars(doc: Doc) -> int:
    """字数 of the document as the clerk counts it: the body paragraphs, without the title
    and without the sign-off lines (``Doc.sign``)."""
    return sum(count_chars(p) for p in doc.paragraphs())


@dataclass
class Run:
    items: list[dict]
    envelopes: list[dict]
    by_mail: dict[str, list[dict]] = field(default_factory=dict)  # mail id -> its items
    envelope_of: dict[str, dict] = field(default_factory=dict)
    seconds: float = 0.0


def run_set(mails: list[Mail], work: Path) -> Run:
    """Write ``mails`` into an OA drop folder under ``work``, poll once, read the results."""
    start = time.monotonic()
    legacy: dict[str, bytes] = {}
    doc_files = [d for m in mails for d in m.docs if d.name.endswith(".doc")]
    if doc_files:
        soffice = convert.find_soffice()
        if soffice is None:
            need("LibreOffice (soffice) is not installed: the set has .doc attachments")
        legacy = legacy_docs(doc_files, soffice, work / "legacy")
    roster = write_roster(ROOT / "config" / "units.toml", work / "units.toml")
    (work / "zwxx.toml").write_text(
        f'[database]\nurl = "sqlite:///{work / "zwxx.db"}"\n\n'
        '[dropfolder]\npath = "drop"\nsettle_seconds = 0\n\n'
        '[storage]\nraw_dir = "raw"\n\n'
        f'[roster]\npath = "{roster.name}"\n',
        encoding="utf-8",
    )
    paths = write_all(work / "drop", mails, legacy)

    def cli(*args: str) -> str:
        return run_zwxx("--config", str(work / "zwxx.toml"), *args, cwd=work, check=True).stdout

    cli("poll")
    out = Run(json.loads(cli("items", "--json")), json.loads(cli("envelopes", "--json")))
    by_path = {Path(e["path"]).name: e for e in out.envelopes if e.get("path")}
    items_of = defaultdict(list)
    for item in out.items:
        items_of[item["envelope_id"]].append(item)
    for mail in mails:
        envelope = by_path.get(paths[mail.id].name)
        out.envelope_of[mail.id] = envelope or {}
        found = items_of.get(envelope["id"], []) if envelope else []
        out.by_mail[mail.id] = sorted(found, key=lambda i: i["id"])
    out.seconds = time.monotonic() - start
    return out


@dataclass
class Score:
    lines: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    cat_ok: int = 0
    cat_n: int = 0
    placed: int = 0
    placed_ok: int = 0
    attributable: int = 0
    found: int = 0
    counted: int = 0
    counted_expected: int = 0
    status_ok: int = 0
    chars_ok: int = 0
    chars_n: int = 0
    status_n: int = 0
    count_bad: int = 0  # mails that gave another number of items than expected
    groups_bad: list[str] = field(default_factory=list)
    nonitem_bad: list[str] = field(default_factory=list)
    depends_bad: list[str] = field(default_factory=list)

    def table(self) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:6.2f} %  ({a}/{b})" if b else "   -"

        rows = [
            "标注测试集结果",
            f"  分类准确率        {pct(self.cat_ok, self.cat_n)}",
            f"  单位归属准确率    {pct(self.placed_ok, self.placed)}",
            f"  单位归属召回率    {pct(self.found, self.attributable)}",
            f"  计数条数          实际 {self.counted} / 应为 {self.counted_expected}",
            f"  状态一致          {pct(self.status_ok, self.status_n)}",
            f"  字数一致          {pct(self.chars_ok, self.chars_n)}",
            *self.lines,
        ]
        if self.mistakes:
            rows.append("  错误明细：")
            rows += [f"    - {m}" for m in self.mistakes]
        if self.depends_bad:
            rows.append("  依赖其他管线改动、尚未满足的情形：")
            rows += [f"    - {m}" for m in self.depends_bad]
        return "\n".join(rows)


def score(run: Run, mails: list[Mail]) -> Score:
    s = Score()
    groups: dict[str, list[tuple[Doc, dict | None]]] = defaultdict(list)
    docs_total = 0
    # A revision (修改稿) replaces the text of the item that counts: its 字数 are the
    # latest version's.
    latest: dict[str, Doc] = {}
    for mail in sorted(mails, key=lambda m: m.when()):
        for doc in expected_docs(mail):
            if doc.group:
                latest[doc.group] = doc
    for mail in mails:
        items = run.by_mail[mail.id]
        env = run.envelope_of[mail.id]
        if mail.expect:
            allowed = {"ignored", *mail.expect.split("|")}
            counted = [i for i in items if i["counted"]]
            # Ignored as a whole, or each of its items ignored (or in review, if allowed).
            status_ok = env.get("status") == "ignored" or (
                bool(items) and all(i["status"] in allowed for i in items)
            )
            if counted or not env:
                s.nonitem_bad.append(f"{mail.id}「{mail.subject}」被计数：{counted}")
            elif not status_ok:
                note = f"{mail.id}「{mail.subject}」：件状态 {env.get('status')}" + (
                    f"，条状态 {[i['status'] for i in items]}" if items else ""
                )
                (s.depends_bad if mail.depends else s.nonitem_bad).append(note)
            continue
        docs = expected_docs(mail)
        docs_total += len(docs)
        if len(items) != len(docs):
            s.count_bad += 1
            s.mistakes.append(
                f"{mail.id}「{mail.subject}」应得 {len(docs)} 条，实得 {len(items)} 条："
                f"{[i['title'] for i in items]}（件状态 {env.get('status')}：{env.get('reason')}）"
            )
        for n, doc in enumerate(docs):
            item = items[n] if n < len(items) else None
            if doc.group:
                groups[doc.group].append((doc, item))
            s.counted_expected += doc.status == "counted" and not doc.depends
            if item is None:
                continue
            where = f"{mail.id}「{doc.title[:24]}」"
            s.cat_n += 1
            if item["category"] == doc.cat:
                s.cat_ok += 1
            else:
                s.mistakes.append(
                    f"{where} 分类 {item['category']}，应为 {doc.cat}（{item['category_reason']}）"
                )
            if item["unit"] is not None:
                s.placed += 1
                if item["unit"] == doc.unit:
                    s.placed_ok += 1
                else:
                    s.mistakes.append(f"{where} 计入 {item['unit']}，应为 {doc.unit}：错误归属")
            if doc.unit is not None and doc.status != "review":
                s.attributable += 1
                if item["unit"] == doc.unit:
                    s.found += 1
                else:
                    s.mistakes.append(f"{where} 未归属到 {doc.unit}（{item['reason']}）")
            if doc.status != item["status"]:
                note = f"{where} 状态 {item['status']}，应为 {doc.status}（{item['reason']}）"
                (s.depends_bad if doc.depends else s.mistakes).append(note)
            if not doc.depends:
                s.status_n += 1
                s.status_ok += doc.status == item["status"]
            if doc.status == "counted" and item["counted"]:
                s.chars_n += 1
                want = expected_chars(latest.get(doc.group, doc))
                if item["chars"] == want:
                    s.chars_ok += 1
                else:
                    s.mistakes.append(f"{where} 字数 {item['chars']}，应为 {want}")
            limit = LIMITS.get(item["category"], 0)
            if item["over_limit"] != bool(limit and item["chars"] > limit):
                s.mistakes.append(f"{where} 超字数标记 {item['over_limit']}，字数 {item['chars']}")
    s.counted = sum(1 for i in run.items if i["counted"])
    for name, members in groups.items():
        counted = sum(1 for _d, i in members if i is not None and i["counted"])
        wanted = sum(1 for d, _i in members if d.status == "counted")
        if counted != wanted:
            note = f"组 {name}：计数 {counted} 次，应为 {wanted} 次"
            dep = any(d.depends for d, _i in members)
            (s.depends_bad if dep else s.groups_bad).append(note)
    s.lines.append(
        f"  测试集：{len(mails)} 件（邮件/文件），{docs_total} 条信息，用时 {run.seconds:.0f} 秒"
    )
    cats = Counter(d.cat for m in mails for d in expected_docs(m))
    s.lines.append("  各类条数：" + "、".join(f"{k} {v}" for k, v in sorted(cats.items())))
    s.mistakes += [f"重复/修改稿 {g}" for g in s.groups_bad]
    s.mistakes += [f"非报送信息 {g}" for g in s.nonitem_bad]
    return s
