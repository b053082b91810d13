"""The quarterly notice .docx (notify.notice): GB/T 9704 layout, every run's fonts, the
ranking tables and the named sections — from a realistic report scored by the real pure
scoring code (no database) — and a LibreOffice round trip to PDF."""

from __future__ import annotations

import copy
import random
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Length
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from tests.conftest import need
from zwxx.config.roster import load_roster
from zwxx.config.rules import Rules, load_rules
from zwxx.config.settings import DEFAULT_ROSTER, DEFAULT_RULES, OfficeSettings
from zwxx.ingest import convert
from zwxx.notify.notice import (
    BODY_CHAR_SPACING,
    CHAR_SPACE,
    LINE_PITCH,
    build_notice,
    chinese_date,
    document_number,
    notice_title,
    save_notice,
    table_headers,
)
from zwxx.reports import PeriodReport
from zwxx.scoring.items import AdoptionFact, InstructionFact
from zwxx.scoring.month import ItemFact
from zwxx.scoring.periods import Month
from zwxx.scoring.quarter import (
    BonusFact,
    DeductionFact,
    ItemInfo,
    Period,
    UnitRecords,
    score_quarter,
)
from zwxx.scoring.ranks import rank_groups

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = Period(2026, 3)
ISSUED = date(2026, 11, 26)
NUMBER = 27
OFFICE = OfficeSettings(phone="6114079")

# Named cases of the sample (the rest of the 57 units get seeded random records).
PRAISED = {"凤城街道", "区发展和改革委员会", "区税务局"}
WEAK = {"和庄镇", "区投资促进局", "区爱卫会办"}  # far below the quota every month
IDLE_SEPTEMBER = "区统计局"  # named for September only
IDLE_TWO = "区煤炭局"  # August and September: interview
FLOORED = "区供销社"  # deductions larger than its points: total floored at 0


def _month_facts(rng: random.Random, group: str, month: Month, quota: int, strong: bool):
    """A month of counted items: most units meet the quota most months."""
    met = strong or rng.random() < 0.8
    count = quota + rng.randint(0, 8) if met else quota - rng.randint(1, 5)
    research = 1 if strong or rng.random() < 0.85 else 0
    special = (2 if strong or rng.random() < 0.75 else 1) if group == "towns" else 0
    facts = [ItemFact(month, "research")] * research + [ItemFact(month, "special")] * special
    facts += [ItemFact(month, "dynamic")] * max(0, count - research - special)
    return facts


def _unit_records(name: str, group: str, quota: int, rng: random.Random, ids: list[int]):
    rec = UnitRecords(name, group)
    strong = name in PRAISED
    for month in PERIOD.months:
        if name == IDLE_TWO and month.month >= 8:
            continue
        if name == IDLE_SEPTEMBER and month.month == 9:
            continue
        if name in WEAK or name == FLOORED:
            rec.facts += [ItemFact(month, "dynamic")] * (quota // 2)
            continue
        rec.facts += _month_facts(rng, group, month, quota, strong)

    def adopt(key: str, day: date, title: str) -> int:
        ids[0] += 1
        rec.items[ids[0]] = ItemInfo(ids[0], title, "张三" if strong else None)
        rec.adoptions[ids[0]] = [AdoptionFact(ids[0], key, day)]
        return ids[0]

    if strong:
        adopt("jinan:special", date(2026, 7, 20), f"{name}推进重点项目建设")
        item = adopt("jinan:full", date(2026, 8, 12), f"{name}优化营商环境的做法")
        rec.instructions[item] = [InstructionFact(item, "city", False, date(2026, 9, 3))]
        adopt("laiwu:full", date(2026, 9, 18), f"{name}秋季安全生产工作")
        rec.bonuses.append(BonusFact("training", 1, date(2026, 9, 1)))
    elif name not in WEAK | {IDLE_TWO, FLOORED} and rng.random() < 0.55:
        for n in range(rng.randint(1, 3)):
            key = rng.choice(["laiwu:full", "laiwu:brief", "to_city:forward", "jinan:brief"])
            adopt(key, date(2026, 7 + n, rng.randint(1, 28)), f"{name}工作动态{n + 1}")
    if name == FLOORED:
        rec.deductions.append(DeductionFact("major_info", 3, date(2026, 8, 15)))
    return rec


def sample_report(rules: Rules | None = None) -> PeriodReport:
    """2026 Q3 for the 57 units of the default roster, as of 10 October 2026."""
    rules = rules or load_rules(DEFAULT_RULES)
    roster = load_roster(DEFAULT_ROSTER, list(rules.groups))
    rng = random.Random(20260930)
    ids = [1000]
    records = [
        _unit_records(u.name, u.group, rules.groups[u.group].quota, rng, ids) for u in roster.units
    ]
    current, first = Month(2026, 10), Month(2026, 1)
    scores = [score_quarter(r, PERIOD, rules, current, first) for r in records]
    listed = rank_groups(scores, rules)
    return PeriodReport(PERIOD, datetime(2026, 10, 10, 9, 0, tzinfo=TZ), listed)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(DEFAULT_RULES)


@pytest.fixture(scope="module")
def report(rules: Rules) -> PeriodReport:
    return sample_report(rules)


@pytest.fixture(scope="module")
def saved(report: PeriodReport, rules: Rules, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("notice") / "通报.docx"
    save_notice(build_notice(report, rules, OFFICE, NUMBER, ISSUED), path)
    return path


@pytest.fixture(scope="module")
def doc(saved: Path) -> Document:
    return docx.Document(str(saved))


def _fonts(run: Run) -> dict[str, str | None]:
    rpr = run._r.rPr
    fonts = None if rpr is None else rpr.find(qn("w:rFonts"))
    return {
        slot: None if fonts is None else fonts.get(qn(f"w:{slot}"))
        for slot in ("ascii", "hAnsi", "eastAsia", "cs")
    }


def _size(run: Run) -> float | None:
    return None if run.font.size is None else run.font.size.pt


def _sections(doc: Document) -> dict[str, list[str]]:
    """Body paragraph texts under each 一级标题 ("三、通报表扬" → its paragraphs)."""
    out: dict[str, list[str]] = {}
    current = None
    for p in doc.paragraphs:
        if re.match(r"^[一二三四五六七八九十]、", p.text):
            current = p.text
            out[current] = []
        elif current is not None and p.text:
            out[current].append(p.text)
    return out


def _mm(length: Length | None) -> float:
    assert length is not None
    return length.mm


# ----------------------------------------------------------------------------- wording
def test_title_number_and_date() -> None:
    assert notice_title(PERIOD) == "关于2026年第三季度全区政务信息工作情况的通报"
    assert notice_title(Period(2026, 4)) == "关于2026年第四季度全区政务信息工作情况的通报"
    assert notice_title(Period(2026)) == "关于2026年度全区政务信息工作情况的通报"
    assert document_number(OFFICE, 2026, 3) == "莱芜政办字〔2026〕3号"
    assert chinese_date(date(2026, 1, 5)) == "2026年1月5日"


def test_sample_covers_every_flag(report: PeriodReport) -> None:
    units = {u.unit: u for u in report.units}
    assert len(units) == 57
    assert {u.unit for u in report.units if u.flags.praise} == PRAISED
    assert {u.unit for u in report.units if u.flags.criticise} >= WEAK
    assert units[IDLE_TWO].flags.interview
    assert units[IDLE_TWO].flags.month_without_items == ["2026-08", "2026-09"]
    assert units[IDLE_SEPTEMBER].flags.month_without_items == ["2026-09"]
    assert units[FLOORED].floor_adjustment > 0 and units[FLOORED].total == 0
    assert any(u.flags.zero_adoption for u in report.units)


# ----------------------------------------------------------------------------- layout
def test_page_size_margins_and_grid(doc: Document) -> None:
    section = doc.sections[0]
    for value, mm in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 37),
        (section.bottom_margin, 35),
        (section.left_margin, 28),
        (section.right_margin, 26),
    ):
        assert abs(_mm(value) - mm) < 0.1
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "579" == str(LINE_PITCH)
    assert grid.get(qn("w:charSpace")) == "-842" == str(CHAR_SPACE)
    # 22 lines fit the 225 mm text height; 28 characters of 16 pt + charSpace fit 156 mm.
    height = round(section.page_height / 635) - round(section.top_margin / 635)
    height -= round(section.bottom_margin / 635)
    width = round(section.page_width / 635) - round(section.left_margin / 635)
    width -= round(section.right_margin / 635)
    assert 22 * LINE_PITCH <= height < 23 * LINE_PITCH
    assert 28 * (16 + CHAR_SPACE / 4096) * 20 <= width < 29 * (16 + CHAR_SPACE / 4096) * 20
    # The body's exact line spacing is the grid's pitch.
    body = next(p for p in doc.paragraphs if p.text.startswith("一、"))
    assert body.paragraph_format.line_spacing.twips == LINE_PITCH  # type: ignore[union-attr]
    # Paragraphs do not snap (LibreOffice would give a 16 pt character two grid cells);
    # 16 pt runs are condensed by 0.25 pt instead: 28 characters fit one line.
    assert body._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    spacing = body.runs[0]._r.rPr.find(qn("w:spacing")).get(qn("w:val"))
    assert spacing == str(BODY_CHAR_SPACING) == "-5"
    assert 28 * (16 * 20 + BODY_CHAR_SPACING) <= width < 29 * (16 * 20 + BODY_CHAR_SPACING)


def test_masthead_red_name_number_and_rule(doc: Document) -> None:
    name, number = doc.paragraphs[0], doc.paragraphs[1]
    assert name.text == OFFICE.name
    for run in name.runs:
        assert str(run.font.color.rgb) in ("FF0000", "C00000")
        assert _fonts(run)["eastAsia"] == "方正小标宋简体"
        assert _size(run) is not None and _size(run) >= 30
    assert number.text == "莱芜政办字〔2026〕27号"
    assert all(_fonts(r)["eastAsia"] == "仿宋_GB2312" and _size(r) == 16 for r in number.runs)
    ruled = [
        p
        for p in doc.paragraphs
        if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    ]
    assert len(ruled) == 1
    bottom = ruled[0]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:val")) == "single"
    assert bottom.get(qn("w:color")) in ("FF0000", "C00000")
    assert 8 <= int(bottom.get(qn("w:sz"))) <= 18  # 1 to 2.25 pt
    assert ruled[0]._p.pPr.find(qn("w:ind")) is None  # full text width


def test_title(doc: Document) -> None:
    title = next(p for p in doc.paragraphs if "通报" in p.text and p.text.startswith("关于"))
    assert title.text.replace("\n", "") == notice_title(PERIOD)
    assert title.text == "关于2026年第三季度全区政务信息\n工作情况的通报"  # 梯形, no word split
    assert title.alignment == 1  # centred
    for run in title.runs:
        assert _fonts(run)["eastAsia"] == "方正小标宋简体" and _size(run) == 22


def test_every_run_sets_fonts_size_and_colour(doc: Document) -> None:
    in_tables = [p for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    footers = [*doc.sections[0].footer.paragraphs, *doc.sections[0].even_page_footer.paragraphs]
    checked = 0
    for where, paragraphs in (("body", doc.paragraphs), ("table", in_tables), ("foot", footers)):
        for p in paragraphs:
            for run in p.runs:
                fonts = _fonts(run)
                assert all(fonts.values()), (where, p.text, fonts)
                assert fonts["ascii"] == fonts["eastAsia"]
                assert run.font.color.rgb is not None, (where, p.text)
                assert _size(run) is not None, (where, p.text)
                checked += 1
    assert checked > 500
    # Body text (after the masthead and title) is 16 pt; tables 12 pt; footer 14 pt.
    start = next(i for i, p in enumerate(doc.paragraphs) if p.text.startswith("工业区管委会"))
    for p in doc.paragraphs[start:]:
        for run in p.runs:
            assert _size(run) == 16, p.text
            assert _fonts(run)["eastAsia"] in ("仿宋_GB2312", "黑体", "楷体_GB2312")
    assert {_size(r) for p in in_tables for r in p.runs} == {12}
    assert {_size(r) for p in footers for r in p.runs} == {14}
    assert {_fonts(r)["eastAsia"] for p in footers for r in p.runs} == {"宋体"}


def test_headings_fonts_and_indent(doc: Document) -> None:
    headings = [p for p in doc.paragraphs if re.match(r"^[一二三四五六七]、", p.text)]
    assert [p.text for p in headings] == [
        "一、总体情况",
        "二、各组排名",
        "三、通报表扬",
        "四、通报批评",
        "五、零通报",
        "六、无信息报送",
        "七、约谈",
    ]
    for p in headings:
        assert {_fonts(r)["eastAsia"] for r in p.runs} == {"黑体"}
    subs = [p for p in doc.paragraphs if p.text.startswith("（一）")]
    assert subs and all(_fonts(p.runs[0])["eastAsia"] == "楷体_GB2312" for p in subs)
    overview = _sections(doc)["一、总体情况"][0]
    first_line = next(p for p in doc.paragraphs if p.text == overview).paragraph_format
    assert first_line.first_line_indent is not None and first_line.first_line_indent.pt == 32
    assert "57个单位" in overview and "工业区、镇（街道）16个" in overview


def test_ranking_tables(doc: Document, report: PeriodReport, rules: Rules) -> None:
    assert len(doc.tables) == len(rules.groups) == 3
    for table, key in zip(doc.tables, rules.groups, strict=True):
        head = [c.text.replace("\n", "") for c in table.rows[0].cells]
        assert head == list(table_headers(PERIOD))
        assert head == [
            "名次",
            "单位",
            "报送任务得分",
            "采用得分",
            "批示得分",
            "加分",
            "减分",
            "季度总分",
        ]
        assert all(r.font.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)
        assert table.rows[0].cells[2].text == "报送\n任务\n得分"
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None
        assert all(
            borders.find(qn(f"w:{e}")).get(qn("w:val")) == "single" for e in ("top", "insideH")
        )
        members = [u for u in report.units if u.group == key]
        rows = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert [r[1] for r in rows] == [u.unit for u in members]
        assert [int(r[0]) for r in rows] == sorted(int(r[0]) for r in rows)
        for row, u in zip(rows, members, strict=True):
            assert row[0] == str(u.rank)
            assert row[2:7] == [str(u.task), str(u.adoption), str(u.instruction), str(u.bonus),
                                str(u.deduction)]  # fmt: skip
            assert row[7].rstrip("*") == str(u.total)
            assert row[7].endswith("*") == bool(u.floor_adjustment)
        totals = [int(r[7].rstrip("*")) for r in rows]
        assert totals == sorted(totals, reverse=True)
    assert len(doc.tables[0].rows) == 1 + 16
    floored = next(r for r in doc.tables[2].rows if r.cells[1].text == FLOORED)
    assert floored.cells[7].text == "0*" and floored.cells[6].text == "-60"


def test_named_sections(doc: Document, report: PeriodReport) -> None:
    sections = {k: "".join(v) for k, v in _sections(doc).items()}

    def names(flag: str) -> set[str]:
        return {u.unit for u in report.units if getattr(u.flags, flag)}

    assert names("praise") >= PRAISED
    for unit in names("praise"):
        assert unit in sections["三、通报表扬"]
    for unit in names("criticise"):
        assert unit in sections["四、通报批评"]
    criticised = sections["四、通报批评"]
    assert all(u not in criticised for u in PRAISED)
    zero = sections["五、零通报"]
    assert "本季度无信息被采用" in zero
    for u in report.units:
        assert (f"{u.unit}、" in zero or f"{u.unit}。" in zero) == u.flags.zero_adoption, u.unit
    idle = sections["六、无信息报送"]
    assert f"{IDLE_TWO}（8月、9月）" in idle and f"{IDLE_SEPTEMBER}（9月）" in idle
    assert "约谈分管领导" in sections["七、约谈"] and IDLE_TWO in sections["七、约谈"]
    assert IDLE_SEPTEMBER not in sections["七、约谈"]
    praise_paras = _sections(doc)["三、通报表扬"]
    assert praise_paras[1].startswith("（一）工业区、镇（街道）：凤城街道（")


def test_empty_section_says_none(report: PeriodReport, rules: Rules) -> None:
    quiet = copy.deepcopy(report)
    for u in quiet.units:
        u.flags.interview = False
        u.flags.criticise = False
    built = build_notice(quiet, rules, OFFICE, 1, ISSUED)
    sections = _sections(built)
    assert sections["七、约谈"][0] == "无。"  # then the closing paragraphs
    assert sections["四、通报批评"] == ["无。"]


def test_addressees_closing_and_date(doc: Document) -> None:
    texts = [p.text for p in doc.paragraphs if p.text]
    assert "工业区管委会，各镇（街道）人民政府（办事处），区政府各部门，区直各企事业单位：" in texts
    assert "6114079" in texts[-3]
    signature, issued = [p for p in doc.paragraphs if p.text][-2:]
    assert signature.text == OFFICE.name and issued.text == "2026年11月26日"
    assert issued.alignment == signature.alignment == 2  # right
    assert issued.paragraph_format.right_indent.pt == 64  # 4 characters of 16 pt
    ind = issued._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:rightChars")) == "400"
    # The signature is centred over the date: 13 characters over 7 → 1 character in.
    assert signature.paragraph_format.right_indent.pt == 16


def test_footer_page_numbers(doc: Document, saved: Path) -> None:
    settings = doc.settings.element
    assert settings.find(qn("w:evenAndOddHeaders")) is not None
    section = doc.sections[0]
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):
        p: Paragraph = footer.paragraphs[0]
        xml = p._p.xml
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        instr = p._p.findall(".//" + qn("w:instrText"))
        assert [i.text.strip() for i in instr] == ["PAGE"]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert p.alignment == align  # odd pages right, even pages left


def test_save_is_atomic_and_leaves_no_temporary_files(
    report: PeriodReport, rules: Rules, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "通报.docx"
    save_notice(build_notice(report, rules, OFFICE, 1, ISSUED), target)
    first = target.read_bytes()
    save_notice(build_notice(report, rules, OFFICE, 2, ISSUED), target)
    assert target.read_bytes() != first
    assert [p.name for p in target.parent.iterdir()] == ["通报.docx"]
    assert docx.Document(str(target)).paragraphs[1].text == "莱芜政办字〔2026〕2号"


# ----------------------------------------------------------------------------- LibreOffice
def soffice_pdf(source: Path, outdir: Path, timeout: float = 180) -> Path:
    """``source`` converted to PDF by LibreOffice in ``outdir``, with a private profile;
    the whole process group is killed on timeout (ingest.convert.run_limited)."""
    soffice = convert.find_soffice()
    if soffice is None:
        raise FileNotFoundError("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "lo-profile"
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        str(source),
    ]
    proc = convert.run_limited(cmd, timeout, outdir)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.decode("utf-8", "replace"))
    return outdir / (source.stem + ".pdf")


@pytest.mark.integration
def test_libreoffice_renders_the_notice(saved: Path, tmp_path: Path) -> None:
    if convert.find_soffice() is None:
        need("LibreOffice (soffice) is not installed")
    pdf = soffice_pdf(saved, tmp_path / "pdf")
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60)
        assert "595.3 x 841.9" in info.stdout or "(A4)" in info.stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
        assert 3 <= pages <= 12
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    if shutil.which("pdftotext") and fonts.stdout.strip():
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60
        ).stdout
        flat = "".join(text.split())
        assert "关于2026年第三季度全区政务信息" in flat and "工作情况的通报" in flat
        assert "莱芜政办字〔2026〕27号" in flat
        assert "凤城街道" in flat and "—1—" in flat


def test_year_notice_headings(report: PeriodReport, rules: Rules) -> None:
    year = copy.deepcopy(report)
    year.period = Period(2026)
    built = build_notice(year, rules, OFFICE, 30, date(2027, 1, 20))
    title = next(p for p in built.paragraphs if p.text.startswith("关于"))
    assert title.text == "关于2026年度全区政务信息工作情况的通报"  # fits one line
    assert built.tables[0].rows[0].cells[7].text == "年度\n总分"
    assert "本年度无信息被采用" in "".join(_sections(built)["五、零通报"])
    assert built.paragraphs[1].text == "莱芜政办字〔2027〕30号"
