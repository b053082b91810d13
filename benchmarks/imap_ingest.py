"""IMAP ingest benchmark against a private, real Dovecot on 127.0.0.1.

    .venv/bin/python benchmarks/imap_ingest.py            # the full run (2,000 / 10,000)
    .venv/bin/python benchmarks/imap_ingest.py --quick    # a smoke run with small numbers
    .venv/bin/python benchmarks/imap_ingest.py --profile  # also cProfile the in-process polls

What it measures (each figure is printed as it is taken, then in a summary table):

1. fill: N realistic submission mails (Chinese cover note + one 20-40 KB .docx built with
   python-docx from a unit in config/units.toml; half GBK RFC 2047 headers and file names,
   half UTF-8), appended over one IMAP connection.
2. raw: plain imaplib, EXAMINE + ``UID FETCH lo:hi (BODY.PEEK[])`` in batches of 50: the
   ceiling for this server (messages/s, MB/s).
3. full: ``load_app`` + ``poll(app.job(), app.sources())`` in this process (database A):
   messages/s; envelopes must equal N and items be >= N.
4. full/raw ratio.
5. empty poll (nothing new), 10 times, median and max, at N and again after topping the
   mailbox up to --big messages with small plain-text mails (database B).
6. peak RSS of the ingest, measured in a subprocess (``python -m zwxx --config .. poll``,
   os.wait4): database B ingests N, then the --big top-up, then one empty poll (baseline).
7. summary with targets; exit 0 unless something is functionally wrong (exit 1).

Everything lives in temp directories that are removed at the end; only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import imaplib
import io
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import docx  # noqa: E402  (python-docx)
import sqlalchemy as sa  # noqa: E402

from tests.servers.dovecot import DovecotServer, ImapAccount  # noqa: E402
from zwxx.app import load_app  # noqa: E402
from zwxx.pipeline import poll  # noqa: E402

PW_ENV = "BENCH_ZWXX_IMAP_PW"
CST = timezone(timedelta(hours=8))
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAYLOADS = 50  # distinct .docx attachments, reused with per-message headers and notes
FILL_BATCH = 50  # messages per MULTIAPPEND
RAW_BATCH = 50  # UIDs per UID FETCH in the raw measurement
EMPTY_POLLS = 10

TARGET_EMPTY_MS = 50.0
TARGET_RSS_MB = 200.0

T0 = time.monotonic()


def say(text: str = "") -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {text}" if text else "", flush=True)


# ----------------------------------------------------------------------------- content
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志宏海燕晓东"

THEMES = [
    ("优化营商环境", "办理企业开办、项目审批事项", "《关于进一步优化营商环境的若干措施》"),
    ("乡村振兴", "实施乡村振兴重点项目", "《乡村振兴示范片区建设实施方案》"),
    ("安全生产", "排查整治各类安全隐患", "《安全生产专项整治三年行动实施方案》"),
    ("养老服务体系建设", "新建改造社区养老服务站点", "《居家和社区养老服务提升行动方案》"),
    ("重点项目建设", "开工建设市级以上重点项目", "《重点项目建设攻坚行动方案》"),
    ("生态环境保护", "完成大气污染防治重点工程", "《生态环境保护攻坚行动计划》"),
    ("基层社会治理", "化解各类矛盾纠纷", "《网格化服务管理工作规范》"),
    ("文旅融合发展", "举办文化旅游节庆活动", "《文化旅游产业高质量发展实施意见》"),
    ("招商引资", "签约落地招商项目", "《招商引资考核奖励办法》"),
    ("数字政府建设", "推动政务服务事项网上办理", "《数字政府建设三年行动计划》"),
    ("农田水利建设", "新建高标准农田和灌溉设施", "《高标准农田建设规划》"),
    ("民生实事", "完成年度民生实事项目", "《民生实事项目推进工作方案》"),
]
TITLES = [
    "{unit}扎实推进{theme}工作取得新成效",
    "{unit}多措并举推动{theme}提质增效",
    "{unit}“三个聚焦”助力{theme}",
    "{unit}创新机制全力抓好{theme}",
    "{unit}强化责任担当 推动{theme}落地见效",
]
CATEGORIES = [("动态", "dynamic")] * 6 + [("经验做法", "experience")] * 3 + [("调研", "research")]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def units() -> list[str]:
    data = tomllib.loads((ROOT / "config" / "units.toml").read_text(encoding="utf-8"))
    return [u["name"] for u in data["unit"]]


def item_paragraphs(rng: random.Random, unit: str, theme: tuple, kind: str) -> list[str]:
    name, action, doc = theme
    n = lambda lo, hi: rng.randint(lo, hi)  # noqa: E731
    paras = [
        f"今年以来，{unit}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实区委、"
        f"区政府决策部署，聚焦{name}，创新工作举措，压实工作责任，各项工作取得明显成效。"
        f"截至{n(3, 11)}月底，累计{action}{n(12, 380)}项（个），完成投资{n(1, 40)}.{n(1, 9)}亿元，"
        f"同比增长{n(5, 36)}.{n(1, 9)}%。",
        f"一是强化组织领导。成立由主要负责同志任组长的{name}工作专班，建立“周调度、月通报、"
        f"季考核”工作机制，先后召开专题会议{n(4, 20)}次，研究解决突出问题{n(10, 60)}个，"
        "确保各项任务落实落地、见到实效。",
        f"二是突出精准施策。围绕{name}重点环节，制定出台{doc}等配套文件{n(2, 9)}个，"
        f"梳理任务清单{n(20, 90)}项，逐项明确责任单位、完成时限和工作标准，实行清单化管理、"
        "项目化推进、销号式落实。",
        f"三是注重协调联动。主动对接上级业务部门，加强与各镇（街道）、区直有关部门的沟通协作，"
        f"开展联合督导检查{n(3, 12)}轮次，发现并督促整改问题{n(15, 120)}处，形成上下贯通、"
        "左右协同、合力攻坚的工作格局。",
        f"四是坚持群众导向。深入开展“我为群众办实事”实践活动，走访企业和群众{n(100, 900)}余户，"
        f"收集意见建议{n(20, 200)}条，办结率达{n(90, 100)}%，群众满意度和获得感持续提升。",
        f"下一步，{unit}将持续巩固提升工作成果，进一步健全完善长效机制，加大督导考核力度，"
        f"推动{name}工作再上新台阶，为加快建设“强富美优”现代化新莱芜贡献力量。",
    ]
    if kind == "dynamic":  # 动态信息: short (about 400 字)
        paras = [paras[0], paras[rng.randint(1, 4)], paras[5]]
    elif kind == "research":  # 调研: longer, with a problem section
        paras += [
            f"调研中也发现，{name}工作仍存在一些短板和不足：一是部分基层单位对政策理解不够深入，"
            "工作推进不平衡；二是要素保障压力较大，资金、土地、人才等制约依然存在；三是长效机制"
            "还不够健全，部分工作存在“重建轻管”现象。",
            "为此建议：进一步加大政策宣传解读力度，强化业务培训；统筹整合各类资金资源，"
            "积极争取上级政策支持；建立健全考核评价和跟踪问效机制，推动各项工作常态长效。",
        ]
    who, head = person(rng), person(rng)
    paras.append(f"（供稿单位：{unit}  撰稿人：{who}  审核人：{head}）")
    return paras


def make_docx(rng: random.Random, unit: str) -> tuple[str, str, bytes]:
    """(title, category tag, .docx bytes) for one item of ``unit``."""
    theme = rng.choice(THEMES)
    tag, kind = rng.choice(CATEGORIES)
    title = rng.choice(TITLES).format(unit=unit, theme=theme[0])
    document = docx.Document()
    document.add_paragraph(title)
    for para in item_paragraphs(rng, unit, theme, kind):
        document.add_paragraph(para)
    if kind != "dynamic":  # a small table of figures, as the longer items have
        table = document.add_table(rows=1, cols=4)
        for cell, text in zip(
            table.rows[0].cells, ("指标", "年度目标", "完成值", "完成率"), strict=True
        ):
            cell.text = text
        for label in ("项目数（个）", "投资额（亿元）", "走访户数", "整改问题（处）"):
            goal = rng.randint(20, 400)
            done = rng.randint(goal // 2, goal)
            row = table.add_row().cells
            for cell, text in zip(
                row, (label, str(goal), str(done), f"{100 * done // goal}%"), strict=True
            ):
                cell.text = text
    buf = io.BytesIO()
    document.save(buf)
    return title, tag, buf.getvalue()


def _b64_words(text: str, charset: str, chars_per_word: int = 12) -> list[str]:
    """RFC 2047 B-encoded words, split on character boundaries like mail clients do."""
    return [
        f"=?{charset}?B?{base64.b64encode(text[i : i + chars_per_word].encode(charset)).decode()}?="
        for i in range(0, len(text), chars_per_word)
    ]


def _b64_body(data: bytes) -> bytes:
    text = base64.b64encode(data)
    return b"\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))


def _headers(
    rng: random.Random, seq: int, gbk: bool, from_name: str, subject: str, when: datetime
) -> list[str]:
    charset = "GBK" if gbk else "UTF-8"
    mailer = "Foxmail 7.2.25.228[cn]" if gbk else "Microsoft Outlook 16.0"
    return [
        f"Received: from smtp{seq % 7}.163.com (unknown [10.0.{seq % 250}.{seq % 199 + 1}])",
        f"\tby mx.lcqzwxx.example; {when.strftime('%a, %d %b %Y %H:%M:%S +0800')}",
        f"From: {_b64_words(from_name, charset)[0]} <lw{seq % 57:02d}xx@163.com>",
        "To: lcqzwxx@163.com",
        "Subject: " + "\r\n ".join(_b64_words(subject, charset)),
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0800')}",
        f"Message-ID: <{seq:06d}.{rng.getrandbits(48):012x}@bench.zwxx.example>",
        f"X-Mailer: {mailer}",
        "MIME-Version: 1.0",
    ]


def submission(
    rng: random.Random, seq: int, payload: tuple[str, str, str, bytes], when: datetime
) -> bytes:
    """One submission mail: cover note + the .docx; GBK headers for even ``seq``."""
    unit, title, tag, data = payload
    gbk = seq % 2 == 0
    charset = "GBK" if gbk else "UTF-8"
    clerk = person(rng)
    subject = f"【{tag}】{title}（{when.month}月{when.day}日报送第{seq}号）"
    note = (
        f"信息科：\r\n    您好！现报送{unit}政务信息《{title}》（{when.month}月{when.day}日），"
        f"请审阅。如有问题请联系{clerk}，电话0531-76{rng.randint(100000, 999999)}。\r\n"
        f"{unit}\r\n{when.year}年{when.month}月{when.day}日\r\n"
    )
    filename = f"{title}.docx"
    boundary = f"----=_NextPart_{seq:06d}_{rng.getrandbits(32):08X}"
    if gbk:  # Foxmail style: an RFC 2047 word inside the quoted parameter
        word = f"=?GBK?B?{base64.b64encode(filename.encode('gbk')).decode()}?="
        ctype_name, disposition = f'name="{word}"', f'filename="{word}"'
    else:  # RFC 2231 for the file name, as Outlook and Thunderbird write it
        quoted = urllib.parse.quote(filename, safe="")
        ctype_name = 'name="' + _b64_words(filename, "UTF-8", 40)[0] + '"'
        disposition = f"filename*=UTF-8''{quoted}"
    head = [
        *_headers(rng, seq, gbk, clerk, subject, when),
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
    ]
    parts = [
        "\r\n".join(head).encode("ascii"),
        b"",
        b"This is a multi-part message in MIME format.",
        b"",
        f"--{boundary}".encode(),
        f'Content-Type: text/plain; charset="{charset}"'.encode(),
        b"Content-Transfer-Encoding: base64",
        b"",
        _b64_body(note.encode(charset.lower())),
        b"",
        f"--{boundary}".encode(),
        f"Content-Type: {DOCX_MIME};\r\n\t{ctype_name}".encode(),
        b"Content-Transfer-Encoding: base64",
        f"Content-Disposition: attachment;\r\n\t{disposition}".encode(),
        b"",
        _b64_body(data),
        b"",
        f"--{boundary}--".encode(),
        b"",
    ]
    return b"\r\n".join(parts)


def small_submission(rng: random.Random, seq: int, unit: str, when: datetime) -> bytes:
    """A short 动态 item written in the body (no attachment), ~1-2 KB."""
    gbk = seq % 2 == 0
    charset = "GBK" if gbk else "UTF-8"
    theme = rng.choice(THEMES)
    title = rng.choice(TITLES).format(unit=unit, theme=theme[0])
    paras = item_paragraphs(rng, unit, theme, "dynamic")
    body = f"{title}\r\n\r\n" + "\r\n".join(paras) + "\r\n"
    subject = f"【动态】{title}（第{seq}号）"
    head = [
        *_headers(rng, seq, gbk, person(rng), subject, when),
        f'Content-Type: text/plain; charset="{charset}"',
        "Content-Transfer-Encoding: base64",
    ]
    encoded = _b64_body(body.encode(charset))
    return "\r\n".join(head).encode("ascii") + b"\r\n\r\n" + encoded + b"\r\n"


# -------------------------------------------------------------------------------- fill
def append_all(account: ImapAccount, messages, total: int, label: str) -> tuple[float, int]:
    """APPEND (MULTIAPPEND in batches) over one connection; returns (seconds, bytes)."""
    began = time.perf_counter()
    sent = nbytes = 0
    batch: list[dict] = []
    with account.client(timeout=120) as client:
        multi = client.has_capability("MULTIAPPEND")

        def flush() -> None:
            nonlocal sent
            if not batch:
                return
            if multi:
                client.multiappend("INBOX", batch)
            else:
                for m in batch:
                    client.append("INBOX", m["msg"], msg_time=m["date"])
            before = sent
            sent += len(batch)
            batch.clear()
            if sent // 500 > before // 500 or sent == total:
                rate = sent / (time.perf_counter() - began)
                say(f"  {label}: {sent}/{total} appended ({rate:.0f} msg/s)")

        for raw, when in messages:
            nbytes += len(raw)
            batch.append({"msg": raw, "date": when})
            if len(batch) >= FILL_BATCH:
                flush()
        flush()
    return time.perf_counter() - began, nbytes


def fill_submissions(account: ImapAccount, n: int, rng: random.Random) -> dict:
    names = units()
    began = time.perf_counter()
    payloads = []
    for i in range(PAYLOADS):
        unit = names[i % len(names)]
        title, tag, data = make_docx(rng, unit)
        payloads.append((unit, title, tag, data))
    gen_s = time.perf_counter() - began
    sizes = [len(p[3]) for p in payloads]
    say(
        f"  {PAYLOADS} distinct .docx built in {gen_s:.1f} s, "
        f"{min(sizes) / 1024:.1f}-{max(sizes) / 1024:.1f} KB"
    )
    bad = [s for s in sizes if not 20 * 1024 <= s <= 40 * 1024]
    if bad:
        say(f"  WARNING: {len(bad)} payloads outside 20-40 KB")
    start = datetime.now(CST).replace(microsecond=0) - timedelta(days=28)

    def gen():
        for seq in range(1, n + 1):
            when = start + timedelta(seconds=seq * 28 * 86400 // max(n, 1))
            yield submission(rng, seq, payloads[seq % PAYLOADS], when), when

    seconds, nbytes = append_all(account, gen(), n, "fill")
    return {"seconds": seconds, "bytes": nbytes, "docx_kb": (min(sizes), max(sizes))}


def fill_small(account: ImapAccount, first: int, count: int, rng: random.Random) -> dict:
    names = units()
    start = datetime.now(CST).replace(microsecond=0) - timedelta(days=3)

    def gen():
        for k in range(count):
            seq = first + k
            when = start + timedelta(seconds=k * 3 * 86400 // max(count, 1))
            yield small_submission(rng, seq, names[seq % len(names)], when), when

    seconds, nbytes = append_all(account, gen(), count, "top-up")
    return {"seconds": seconds, "bytes": nbytes}


# ---------------------------------------------------------------------------- measures
def raw_fetch(account: ImapAccount) -> dict:
    began = time.perf_counter()
    imap = imaplib.IMAP4(account.host, account.port, timeout=120)
    try:
        imap.login(account.user, account.password)
        typ, _ = imap.select("INBOX", readonly=True)  # EXAMINE
        assert typ == "OK"
        typ, data = imap.uid("SEARCH", "ALL")
        uids = sorted(int(u) for u in data[0].split())
        count = nbytes = 0
        for i in range(0, len(uids), RAW_BATCH):
            chunk = uids[i : i + RAW_BATCH]
            typ, data = imap.uid("FETCH", f"{chunk[0]}:{chunk[-1]}", "(BODY.PEEK[])")
            assert typ == "OK", data
            for entry in data:
                if isinstance(entry, tuple):
                    count += 1
                    nbytes += len(entry[1])
        imap.logout()
    finally:
        with contextlib.suppress(Exception):
            imap.shutdown()
    seconds = time.perf_counter() - began
    return {"messages": count, "bytes": nbytes, "seconds": seconds}


def write_settings(folder: Path, account: ImapAccount) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "zwxx.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{folder / "zwxx.db"}"\n\n'
        f'[storage]\nraw_dir = "{folder / "raw"}"\n\n'
        "[[mailbox]]\n"
        f'name = "benchmark"\nhost = "{account.host}"\nport = {account.port}\ntls = false\n'
        f'username = "{account.user}"\npassword_env = "{PW_ENV}"\nfolders = ["INBOX"]\n',
        encoding="utf-8",
    )
    return path


def db_counts(toml: Path) -> dict:
    engine = sa.create_engine(f"sqlite:///{toml.parent / 'zwxx.db'}")
    try:
        with engine.connect() as conn:
            envs = conn.execute(sa.text("SELECT count(*) FROM envelope")).scalar_one()
            items = conn.execute(sa.text("SELECT count(*) FROM item")).scalar_one()
            env_status = dict(
                conn.execute(sa.text("SELECT status, count(*) FROM envelope GROUP BY status")).all()
            )
            item_status = dict(
                conn.execute(sa.text("SELECT status, count(*) FROM item GROUP BY status")).all()
            )
            cp = conn.execute(sa.text("SELECT last_uid FROM imap_checkpoint")).scalars().all()
    finally:
        engine.dispose()
    return {
        "envelopes": envs,
        "items": items,
        "env_status": env_status,
        "item_status": item_status,
        "checkpoint": cp,
    }


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_profile(prof: cProfile.Profile, title: str, limit: int = 15) -> None:
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    say(f"cProfile, {title}, top {limit} by cumulative time:")
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if "ncalls" in ln), 0)
    for ln in lines[max(0, start - 2) :]:
        print("    " + ln[:160])
    stats.sort_stats("tottime")
    out.seek(0)
    out.truncate()
    stats.print_stats(10)
    say(f"cProfile, {title}, top 10 by own time:")
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if "ncalls" in ln), 0)
    for ln in lines[start:]:
        print("    " + ln[:160])


def in_process_poll(toml: Path, expected: int, profile: bool) -> dict:
    app = load_app(toml)
    rss_before = maxrss_mb()
    done = 0
    began = time.perf_counter()

    def progress(_name: str) -> None:
        nonlocal done
        done += 1
        if done % 500 == 0 or done == expected:
            elapsed = time.perf_counter() - began
            say(f"  ingested {done}/{expected} ({done / elapsed:.1f} msg/s)")

    prof = cProfile.Profile() if profile else None
    if prof:
        prof.enable()
    summary = poll(app.job(), app.sources(), progress)
    if prof:
        prof.disable()
    seconds = time.perf_counter() - began
    app.engine.dispose()
    if prof:
        print_profile(prof, f"full ingest of {expected} (in process)")
    return {
        "seconds": seconds,
        "summary": summary,
        "rss_before": rss_before,
        "rss_after": maxrss_mb(),
    }


def empty_polls(toml: Path, times: int, profile: bool) -> dict:
    app = load_app(toml)
    poll(app.job(), app.sources())  # warm up (first connection, statement cache)
    samples: list[float] = []
    news = 0
    prof = cProfile.Profile() if profile else None
    for _ in range(times):
        if prof:
            prof.enable()
        began = time.perf_counter()
        summary = poll(app.job(), app.sources())
        samples.append((time.perf_counter() - began) * 1000)
        if prof:
            prof.disable()
        news += summary.envelopes
        if summary.errors:
            say(f"  ERROR in empty poll: {summary.errors}")
    app.engine.dispose()
    if prof:
        print_profile(prof, f"{times} empty polls", limit=12)
    return {"median": statistics.median(samples), "max": max(samples), "new": news, "all": samples}


# Run the real entry point (``python -m zwxx``) and, at exit, write the process's own peak
# RSS (VmHWM of its post-exec address space) to a file. os.wait4()/RUSAGE_CHILDREN cannot
# be used alone: Linux carries the pre-exec hiwater mark (the forked copy of *this* process,
# which already holds the fill) into the child's ru_maxrss, so it reports at least the
# parent's RSS at fork time. Both figures are printed.
_HWM_RUNNER = """
import atexit, os, runpy, sys
def _dump():
    with open('/proc/self/status') as fh:
        kb = next(line.split()[1] for line in fh if line.startswith('VmHWM:'))
    with open(os.environ['BENCH_ZWXX_HWM_FILE'], 'w') as fh:
        fh.write(kb)
atexit.register(_dump)
sys.argv[0] = 'zwxx'
runpy.run_module('zwxx', run_name='__main__', alter_sys=True)
"""


def cli_poll(toml: Path, label: str, env: dict) -> dict:
    """``python -m zwxx --config toml poll`` in a subprocess, with its own peak RSS."""
    log = toml.parent / f"cli-{label}.log"
    hwm_file = toml.parent / f"cli-{label}.hwm"
    env = {**env, "BENCH_ZWXX_HWM_FILE": str(hwm_file)}
    began = time.perf_counter()
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-c", _HWM_RUNNER, "--config", str(toml), "poll"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - began
    text = log.read_text(encoding="utf-8", errors="replace")
    last = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("已处理")]
    try:
        rss = int(hwm_file.read_text()) / 1024
    except (OSError, ValueError):
        rss = float("nan")
    return {
        "seconds": seconds,
        "rc": proc.returncode,
        "rss": rss,
        "wait4_rss": usage.ru_maxrss / 1024,
        "parent_rss": maxrss_mb(),
        "tail": last[-3:],
    }


# --------------------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="submission mails (N)")
    parser.add_argument("--big", type=int, default=10000, help="mailbox size for step 5/6")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 and 400")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process polls")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--keep", action="store_true", help="keep the temp directories")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.big = 100, 400
    n, big = args.messages, max(args.big, args.messages)
    rng = random.Random(args.seed)
    functional: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="zwxx-bench-"))
    say(f"zwxx IMAP ingest benchmark: N={n}, big={big}, work dir {work}")
    say(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, pid {os.getpid()}")

    server = DovecotServer()
    try:
        server.start()
        say(f"Dovecot {'.'.join(map(str, server.version))} on {server.host}:{server.port}")
        account = server.add_account("bench")
        os.environ[PW_ENV] = account.password
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("ZWXX_")}
        child_env[PW_ENV] = account.password
        child_env["COLUMNS"] = "200"

        # 1. fill
        say(f"1. filling INBOX with {n} submission mails (MULTIAPPEND x{FILL_BATCH}) ...")
        fill = fill_submissions(account, n, rng)
        say(
            f"   fill: {n} msgs, {fill['bytes'] / 1e6:.1f} MB in {fill['seconds']:.1f} s "
            f"({n / fill['seconds']:.0f} msg/s); avg message {fill['bytes'] / n / 1024:.1f} KB"
        )

        # 2. raw fetch
        say("2. raw fetch rate (imaplib, EXAMINE, UID FETCH lo:hi (BODY.PEEK[]) x50) ...")
        raw = raw_fetch(account)
        raw_rate = raw["messages"] / raw["seconds"]
        raw_mbs = raw["bytes"] / 1e6 / raw["seconds"]
        say(
            f"   raw: {raw['messages']} msgs, {raw['bytes'] / 1e6:.1f} MB in "
            f"{raw['seconds']:.2f} s = {raw_rate:.0f} msg/s, {raw_mbs:.1f} MB/s"
        )
        if raw["messages"] != n:
            functional.append(f"raw fetch returned {raw['messages']} messages, expected {n}")

        # 3. full ingest, in process (database A)
        toml_a = write_settings(work / "a", account)
        say(f"3. full ingest in process: load_app + poll, database A {toml_a.parent} ...")
        full = in_process_poll(toml_a, n, args.profile)
        full_rate = n / full["seconds"]
        counts_a = db_counts(toml_a)
        s = full["summary"]
        say(
            f"   full: {n} msgs in {full['seconds']:.1f} s = {full_rate:.1f} msg/s"
            f"{' (under cProfile)' if args.profile else ''}; summary envelopes={s.envelopes} "
            f"items={dict(s.items)} failed={s.failed} errors={s.errors}"
        )
        say(
            f"   database A: envelopes={counts_a['envelopes']} {counts_a['env_status']}, "
            f"items={counts_a['items']} {counts_a['item_status']}, "
            f"checkpoint={counts_a['checkpoint']}"
        )
        say(
            f"   in-process ru_maxrss: {full['rss_before']:.0f} MB before the poll, "
            f"{full['rss_after']:.0f} MB after (includes the fill; see step 6)"
        )
        if counts_a["envelopes"] != n:
            functional.append(f"database A has {counts_a['envelopes']} envelopes, expected {n}")
        if counts_a["items"] < n:
            functional.append(f"database A has {counts_a['items']} items, expected >= {n}")
        if s.errors:
            functional.append(f"poll errors: {s.errors}")

        # 4. ratio
        ratio = full_rate / raw_rate
        say(f"4. full/raw = {full_rate:.1f} / {raw_rate:.0f} = {ratio:.3f} ({ratio:.1%})")

        # 6a. ingest of N in a subprocess (database B), its own peak RSS
        toml_b = write_settings(work / "b", account)
        say(f"6. subprocess `python -m zwxx poll`, database B {toml_b.parent}: ingest {n} ...")
        sub_n = cli_poll(toml_b, "n", child_env)
        counts_b = db_counts(toml_b)
        say(
            f"   subprocess: rc={sub_n['rc']}, {sub_n['seconds']:.1f} s "
            f"({n / sub_n['seconds']:.1f} msg/s incl. start-up), peak RSS {sub_n['rss']:.1f} MB "
            f"(VmHWM; wait4 ru_maxrss {sub_n['wait4_rss']:.1f} MB, "
            f"parent {sub_n['parent_rss']:.0f} MB); "
            f"envelopes={counts_b['envelopes']}, items={counts_b['items']}; {sub_n['tail']}"
        )
        if sub_n["rc"] != 0 or counts_b["envelopes"] != n:
            functional.append(
                f"subprocess ingest: rc={sub_n['rc']}, envelopes={counts_b['envelopes']} != {n}"
            )

        # 5a. empty polls at N (database B: the same database is used again at `big`)
        say(f"5. empty poll x{EMPTY_POLLS} at {n} messages (in process, database B) ...")
        empty_n = empty_polls(toml_b, EMPTY_POLLS, args.profile)
        say(
            f"   empty poll at {n}: median {empty_n['median']:.1f} ms, max {empty_n['max']:.1f} ms "
            f"({', '.join(f'{x:.1f}' for x in empty_n['all'])})"
        )
        if empty_n["new"]:
            functional.append(f"an empty poll at {n} recorded {empty_n['new']} envelopes")

        # 5b. top up to `big`
        extra = big - n
        say(f"5. topping the mailbox up to {big} with {extra} small plain-text mails ...")
        top = fill_small(account, n + 1, extra, rng) if extra else {"seconds": 0.0, "bytes": 0}
        if extra:
            say(
                f"   top-up: {extra} msgs, {top['bytes'] / 1e6:.1f} MB in {top['seconds']:.1f} s "
                f"({extra / top['seconds']:.0f} msg/s)"
            )

        # 6b. ingest the top-up in one subprocess poll: checkpoint ends at `big`
        say(f"6. subprocess `python -m zwxx poll`, database B: ingest the {extra} new ...")
        sub_big = cli_poll(toml_b, "big", child_env)
        counts_b = db_counts(toml_b)
        say(
            f"   subprocess: rc={sub_big['rc']}, {sub_big['seconds']:.1f} s "
            f"({extra / max(sub_big['seconds'], 1e-9):.1f} msg/s incl. start-up), "
            f"peak RSS {sub_big['rss']:.1f} MB "
            f"(VmHWM; wait4 ru_maxrss {sub_big['wait4_rss']:.1f} MB); "
            f"envelopes={counts_b['envelopes']} "
            f"{counts_b['env_status']}, items={counts_b['items']} {counts_b['item_status']}, "
            f"checkpoint={counts_b['checkpoint']}; {sub_big['tail']}"
        )
        if sub_big["rc"] != 0 or counts_b["envelopes"] != big:
            functional.append(
                f"top-up ingest: rc={sub_big['rc']}, envelopes={counts_b['envelopes']} != {big}"
            )
        if counts_b["items"] < big:
            functional.append(f"database B has {counts_b['items']} items, expected >= {big}")

        # 5c. empty polls at `big`
        say(f"5. empty poll x{EMPTY_POLLS} at {big} messages (in process, database B) ...")
        empty_big = empty_polls(toml_b, EMPTY_POLLS, args.profile)
        say(
            f"   empty poll at {big}: median {empty_big['median']:.1f} ms, "
            f"max {empty_big['max']:.1f} ms ({', '.join(f'{x:.1f}' for x in empty_big['all'])})"
        )
        if empty_big["new"]:
            functional.append(f"an empty poll at {big} recorded {empty_big['new']} envelopes")

        # 6c. baseline: an empty poll in a subprocess (imports, settings, one login)
        sub_empty = cli_poll(toml_b, "empty", child_env)
        say(
            f"6. subprocess empty poll at {big}: {sub_empty['seconds']:.2f} s wall "
            f"(start-up included), peak RSS {sub_empty['rss']:.1f} MB (baseline; "
            f"wait4 ru_maxrss {sub_empty['wait4_rss']:.1f} MB)"
        )
    finally:
        server.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    # 7. summary
    not_slower = empty_big["median"] <= max(1.25 * empty_n["median"], empty_n["median"] + 2.0)
    rss_flat = sub_big["rss"] <= 1.25 * sub_n["rss"]
    rows = [
        ("fill: submissions appended", f"{n} in {fill['seconds']:.1f} s", "-", None),
        ("fill: top-up appended", f"{big - n} in {top['seconds']:.1f} s", "-", None),
        ("raw fetch (imaplib)", f"{raw_rate:.0f} msg/s, {raw_mbs:.1f} MB/s", "ceiling", None),
        ("full ingest (in process)", f"{full_rate:.1f} msg/s ({full['seconds']:.1f} s)", "-", None),
        ("full / raw", f"{ratio:.1%}", "-", None),
        (
            f"ingest of {n} (subprocess CLI)",
            f"{n / sub_n['seconds']:.1f} msg/s ({sub_n['seconds']:.1f} s, incl. start-up)",
            "-",
            None,
        ),
        (
            f"ingest of {big - n} small (subprocess CLI)",
            f"{(big - n) / sub_big['seconds']:.1f} msg/s ({sub_big['seconds']:.1f} s)",
            "-",
            None,
        ),
        (
            f"empty poll at {n}",
            f"median {empty_n['median']:.1f} ms, max {empty_n['max']:.1f} ms",
            f"<= {TARGET_EMPTY_MS:.0f} ms",
            empty_n["median"] <= TARGET_EMPTY_MS and empty_n["max"] <= TARGET_EMPTY_MS,
        ),
        (
            f"empty poll at {big}",
            f"median {empty_big['median']:.1f} ms, max {empty_big['max']:.1f} ms",
            f"<= {TARGET_EMPTY_MS:.0f} ms",
            empty_big["median"] <= TARGET_EMPTY_MS and empty_big["max"] <= TARGET_EMPTY_MS,
        ),
        (
            f"empty poll {big} vs {n}",
            f"{empty_big['median'] / empty_n['median']:.2f}x",
            "not slower (<=1.25x or +2 ms)",
            not_slower,
        ),
        (
            f"peak RSS, ingest of {n} (subprocess)",
            f"{sub_n['rss']:.1f} MB",
            f"<= {TARGET_RSS_MB:.0f} MB",
            sub_n["rss"] <= TARGET_RSS_MB,
        ),
        (
            f"peak RSS, ingest to {big} (subprocess)",
            f"{sub_big['rss']:.1f} MB",
            f"<= {TARGET_RSS_MB:.0f} MB",
            sub_big["rss"] <= TARGET_RSS_MB,
        ),
        (
            "peak RSS growth with mailbox size",
            f"{sub_big['rss'] / sub_n['rss']:.2f}x",
            "flat (<= 1.25x)",
            rss_flat,
        ),
        ("peak RSS, empty poll (baseline)", f"{sub_empty['rss']:.1f} MB", "-", None),
        ("ru_maxrss of this process (has fill)", f"{full['rss_after']:.0f} MB", "-", None),
        (
            "envelopes = N, items >= N",
            f"A {counts_a['envelopes']}/{counts_a['items']}, B {counts_b['envelopes']}/"
            f"{counts_b['items']}",
            f"{n} / {big}",
            not functional,
        ),
    ]
    print()
    say(f"SUMMARY (N={n}, big={big}{', under cProfile' if args.profile else ''})")
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    print(f"  {'measure':<{w0}}  {'value':<{w1}}  {'target':<{w2}}  result")
    for what, value, target, ok in rows:
        verdict = "" if ok is None else ("OK" if ok else "MISS")
        print(f"  {what:<{w0}}  {value:<{w1}}  {target:<{w2}}  {verdict}")
    say(f"total wall time {time.monotonic() - T0:.1f} s")
    if functional:
        for problem in functional:
            print(f"FUNCTIONAL PROBLEM: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
