"""`zwxx demo` — the embedded default — runs end to end and never counts twice."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path

from tests.conftest import run_zwxx


def test_demo_twice(tmp_path: Path) -> None:
    first = run_zwxx("demo", "--dir", str(tmp_path / "demo"), cwd=tmp_path, check=True)
    assert "2026年10月" in first.stdout and "第一数量级单位" in first.stdout
    counted = int(re.search(r"新计数 (\d+) 条", first.stdout).group(1))
    assert counted >= 20
    outbox = tmp_path / "demo" / "outbox"
    assert f"都在 {outbox}" in first.stdout  # it says where the notifications are
    written = sorted(p.name for p in outbox.iterdir())
    emails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in outbox.glob("*.eml")
    ]
    subjects = [m["Subject"] for m in emails]
    assert sum(s.startswith("【催报】") for s in subjects) >= 40  # weekly reminders
    digest = next(m for m in emails if m["Subject"] == "2026年10月全区政务信息报送情况")
    assert [a.get_filename() for a in digest.iter_attachments()] == ["2026年10月政务信息月报.xlsx"]
    assert "关于2026年第四季度全区政务信息工作情况的通报.docx" in written
    assert sum(name.endswith(".sms.txt") for name in written) >= 40  # reminders + notice SMS

    second = run_zwxx("demo", "--dir", str(tmp_path / "demo"), cwd=tmp_path, check=True)
    assert "新计数 0 条" in second.stdout
    again = sorted(p.name for p in outbox.iterdir())
    assert [n for n in again if not n.endswith(".docx")] == [
        n for n in written if not n.endswith(".docx")
    ]  # nothing sent twice (the notice document itself is rewritten)
    cfg = str(tmp_path / "demo" / "demo.toml")
    items = json.loads(run_zwxx("--config", cfg, "items", "--json", cwd=tmp_path).stdout)
    assert sum(1 for i in items if i["counted"]) == counted
    assert any(i["over_limit"] for i in items)  # the 563-字 动态 item is flagged
    assert any(i["status"] == "review" for i in items)  # the QQ sender naming no unit
    drop = tmp_path / "demo" / "drop"
    left = [p for p in drop.rglob("*") if p.is_file() and "archive" not in p.parts]
    assert left == []
