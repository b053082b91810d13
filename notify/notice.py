"""The quarterly notice (季度通报) as an official-document .docx — SPEC §8, GB/T 9704-2012.

``build_notice`` lays out a scored period report (any ``ScoredPeriod``, such as
``zwxx.reports.period_report``'s result, handed in by the caller) as a
党政机关公文: red issuing-office header, document number, red rule, title, 主送, body with
numbered sections and one ranking table per group, signature and date, page numbers.

Layout numbers (GB/T 9704-2012 §5):

* A4 210 × 297 mm; margins top 37, bottom 35, left 28, right 26 mm, so the text area
  (版心) is 156 × 225 mm.
* 22 lines per page: 225 mm = 12756 twips; 12756 / 22 = 579.8, so the line pitch is
  579 twips (28.95 pt; 22 × 579 = 12738 ≤ 12756), used both as the document grid's
  ``linePitch`` and as the body's exact line spacing.
* 28 characters per line: the margins round to 1587 + 1474 twips, the text width is
  11906 − 1587 − 1474 = 8845 twips = 442.25 pt, one character 442.25 / 28 = 15.795 pt.
  Word's ``charSpace`` is the difference from the Normal style's font size (16 pt) in
  1/4096 pt: (15.795 − 16) × 4096 = −841.3, rounded down to −842 so that 28 characters
  always fit (Word drops to 27 if the pitch comes out a hair too large).
* Paragraphs do not snap to the grid (``w:snapToGrid w:val="0"``): LibreOffice puts a
  16 pt character into two 15.795 pt grid cells, which halves the characters per line.
  Instead every 16 pt run is condensed by 0.25 pt (``w:spacing w:val="-5"``), so a
  character advances 15.75 pt and 28 of them take 441 pt ≤ 442.25 pt, in Word and in
  LibreOffice alike; the exact line spacing of 579 twips keeps 22 lines per page. The
  grid stays in the section for text typed into the document later.
* Body 仿宋_GB2312 16 pt (三号), headings 一、 黑体, （一） 楷体_GB2312, title 方正小标宋简体
  22 pt (二号), header 方正小标宋简体 in red, horizontally condensed to fit one line.
* Page numbers "— 1 —" in 宋体 14 pt (四号), odd pages right, even pages left, one
  character in from the edge of the text area (``evenAndOddHeaders``).

Every run sets its ASCII/hAnsi, East Asian and complex-script fonts, size and colour
explicitly, so the document looks the same whatever the reader's defaults are.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Protocol

import docx
from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from zwxx.config.rules import Rules
from zwxx.config.settings import OfficeSettings
from zwxx.scoring.quarter import Period, UnitScore


class ScoredPeriod(Protocol):
    """What the notice (and the notice's SMS) are made from: a scored, ranked period."""

    @property
    def period(self) -> Period: ...

    @property
    def as_of(self) -> datetime | date: ...  # when the data was taken

    @property
    def units(self) -> list[UnitScore]: ...  # listing order: group by group, then rank


# ----------------------------------------------------------------------------- layout
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
HEADER_DISTANCE = Mm(15)
# The page number's top edge sits 7 mm below the text area (GB/T 9704 §7.5): 35 − 7 mm
# less the footer line's height (about 6 mm) leaves 22 mm from the bottom edge.
FOOTER_DISTANCE = Mm(22)

LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 12  # 小四
PAGE_NUMBER_PT = 14  # 四号
HEADER_PT = 48  # 发文机关标志, condensed horizontally when the name is long


def _twips(length: int) -> int:
    """A python-docx length (EMU) in whole twips, as Word stores it."""
    return round(length / 635)


TEXT_HEIGHT_TWIPS = _twips(PAGE_HEIGHT) - _twips(MARGIN_TOP) - _twips(MARGIN_BOTTOM)  # 12756
TEXT_WIDTH_TWIPS = _twips(PAGE_WIDTH) - _twips(MARGIN_LEFT) - _twips(MARGIN_RIGHT)  # 8845
LINE_PITCH = TEXT_HEIGHT_TWIPS // LINES_PER_PAGE  # 579 twips = 28.95 pt
CHAR_PITCH_PT = TEXT_WIDTH_TWIPS / 20 / CHARS_PER_LINE  # 15.795 pt
CHAR_SPACE = math.floor((CHAR_PITCH_PT - BODY_PT) * 4096)  # -842

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
RED = "FF0000"
BLACK = "000000"
BODY_CHAR_SPACING = -5  # twentieths of a point: 16 − 0.25 = 15.75 pt per character
RULE_SIZE = 18  # eighths of a point: 2.25 pt
TABLE_BORDER_SIZE = 4  # 0.5 pt

ADDRESSEES = "工业区管委会，各镇（街道）人民政府（办事处），区政府各部门，区直各企事业单位："
METHOD = "《莱芜区政务信息工作计分通报办法》"

_CN_DIGITS = "零一二三四五六七八九"


def _names(text: str) -> list[str]:
    return text.split()


# Child order of the elements this module inserts (ECMA-376 Part 1, §17.3.1.26 pPr,
# §17.3.2.28 rPr, §17.4.82 trPr, §17.4.60 tblPr): Word refuses files with misordered
# children, so every insertion goes before the first successor present.
_PPR_ORDER = _names(
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
)
_RPR_ORDER = _names(
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
)
_TRPR_ORDER = _names(
    "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader "
    "tblCellSpacing jc hidden ins del trPrChange"
)
_TBLPR_ORDER = _names(
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
    "tblDescription tblPrChange"
)


def _child(parent: etree._Element, tag: str, order: list[str], **attrs: str) -> etree._Element:
    """The ``w:<tag>`` child of ``parent`` (created in schema order if absent), with
    ``attrs`` (names without the ``w:`` prefix) set."""
    found = parent.find(qn(f"w:{tag}"))
    if found is None:
        found = OxmlElement(f"w:{tag}")
        later = order[order.index(tag) + 1 :]
        successor = next((c for c in parent if etree.QName(c).localname in later), None)
        if successor is None:
            parent.append(found)
        else:
            successor.addprevious(found)
    for name, value in attrs.items():
        found.set(qn(f"w:{name}"), value)
    return found


# ----------------------------------------------------------------------------- wording
def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (section numbers, quarters)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _CN_DIGITS[tens] + "十"
    return head + (_CN_DIGITS[ones] if ones else "")


def period_name(period: Period) -> str:
    """ "2026年第三季度" or "2026年度"."""
    if period.quarter is None:
        return f"{period.year}年度"
    return f"{period.year}年第{cn_number(period.quarter)}季度"


def notice_title(period: Period) -> str:
    """ "关于2026年第三季度全区政务信息工作情况的通报"."""
    return f"关于{period_name(period)}全区政务信息工作情况的通报"


def document_number(office: OfficeSettings, year: int, number: int) -> str:
    """发文字号: "莱芜政办字〔2026〕3号"."""
    return f"{office.doc_prefix}〔{year}〕{number}号"


def chinese_date(day: date) -> str:
    """ "2026年11月26日" (GB/T 9704: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _width(text: str) -> float:
    """Width in full-width characters: ASCII counts half."""
    return sum(0.5 if ord(c) < 128 else 1 for c in text)


def _title_lines(title: str, size_pt: float = TITLE_PT) -> list[str]:
    """The title on one line if it fits, else two, the first the longer (梯形), broken
    before "工作情况" so that no word is split."""
    per_line = TEXT_WIDTH_TWIPS / 20 / size_pt
    if _width(title) <= per_line:
        return [title]
    cut = title.find("工作情况")
    if cut <= 0 or _width(title[:cut]) > per_line:
        cut = math.ceil(len(title) / 2)
    return [title[:cut], title[cut:]]


def _term(period: Period) -> str:
    return "季度" if period.quarter else "年度"


def _month_name(text: str, period: Period) -> str:
    """ "2026-09" → "9月" (with the year when it is not the period's)."""
    year, month = (int(p) for p in text.split("-"))
    return f"{month}月" if year == period.year else f"{year}年{month}月"


def _idle_months(unit: UnitScore, period: Period) -> str:
    return "、".join(_month_name(m, period) for m in unit.flags.month_without_items)


# ----------------------------------------------------------------------------- runs
def _style_run(run: Run, font: str, size: float, *, bold: bool = False, color: str = BLACK) -> Run:
    """Set every font slot (ASCII, hAnsi, East Asian, complex script), size and colour."""
    rpr = run._r.get_or_add_rPr()
    _child(rpr, "rFonts", _RPR_ORDER, ascii=font, hAnsi=font, eastAsia=font, cs=font)
    run.font.bold = bold
    run.font.color.rgb = RGBColor.from_string(color)
    if size == BODY_PT:
        _child(rpr, "spacing", _RPR_ORDER, val=str(BODY_CHAR_SPACING))
    half_points = str(round(size * 2))
    _child(rpr, "sz", _RPR_ORDER, val=half_points)
    _child(rpr, "szCs", _RPR_ORDER, val=half_points)
    return run


def _run(
    paragraph: Paragraph,
    text: str,
    font: str = FANGSONG,
    size: float = BODY_PT,
    *,
    bold: bool = False,
    color: str = BLACK,
) -> Run:
    return _style_run(paragraph.add_run(text), font, size, bold=bold, color=color)


def _paragraph_format(
    paragraph: Paragraph,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent_chars: int = 0,
    line: int | None = LINE_PITCH,
    keep_next: bool = False,
) -> Paragraph:
    """Alignment, first-line indent in characters, exact line spacing in twips (None:
    single); no snapping to the document grid (see the module's docstring)."""
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    if line is not None:
        fmt.line_spacing = Twips(line)  # a length means exact spacing
    if keep_next:
        fmt.keep_with_next = True
    if indent_chars:
        fmt.first_line_indent = Pt(BODY_PT * indent_chars)
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
    _child(paragraph._p.get_or_add_pPr(), "snapToGrid", _PPR_ORDER, val="0")
    return paragraph


# ----------------------------------------------------------------------------- document
def _setup(doc: Document, office: OfficeSettings, title: str, issued: date) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = HEADER_DISTANCE, FOOTER_DISTANCE
    section.gutter = 0
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    # Defaults: the grid's character pitch is relative to the Normal style's size, and
    # theme fonts in the defaults would win over explicit names in Word.
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        rpr.remove(fonts)
    every_slot = {"ascii": FANGSONG, "hAnsi": FANGSONG, "eastAsia": FANGSONG, "cs": FANGSONG}
    _child(rpr, "rFonts", _RPR_ORDER, **every_slot)
    _child(rpr, "sz", _RPR_ORDER, val=str(BODY_PT * 2))
    _child(rpr, "szCs", _RPR_ORDER, val=str(BODY_PT * 2))
    _child(rpr, "lang", _RPR_ORDER, val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal_rpr = normal.element.get_or_add_rPr()
    _child(normal_rpr, "rFonts", _RPR_ORDER, **every_slot)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Twips(LINE_PITCH)
    fmt.widow_control = False  # lines fill the grid; no orphan control shifting them
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = office.name
    props.subject = "政务信息工作情况通报"
    props.comments = ""
    props.revision = 1
    props.created = props.modified = datetime.combine(issued, time(9, 0))

    doc.settings.odd_and_even_pages_header_footer = True
    section.footer.is_linked_to_previous = False
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _field_char(run: Run, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def _page_number(paragraph: Paragraph, *, odd: bool) -> None:
    """ "— N —" with a PAGE field; odd pages right, even pages left, one character in."""
    _paragraph_format(
        paragraph,
        align=WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT,
        line=None,
    )
    fmt = paragraph.paragraph_format
    if odd:
        fmt.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        fmt.left_indent = Pt(PAGE_NUMBER_PT)

    def piece(text: str = "") -> Run:
        return _run(paragraph, text, SONGTI, PAGE_NUMBER_PT)

    piece("— ")
    _field_char(piece(), "begin")
    instr = OxmlElement("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = " PAGE "
    piece()._r.append(instr)
    _field_char(piece(), "separate")
    piece("1")
    _field_char(piece(), "end")
    piece(" —")


def _masthead(doc: Document, office: OfficeSettings, number_text: str) -> None:
    """版头: the office's name in red, the document number, the red rule under it."""
    name = doc.add_paragraph()
    _paragraph_format(name, align=WD_ALIGN_PARAGRAPH.CENTER, line=None)
    run = _run(name, office.name, XIAOBIAOSONG, HEADER_PT, color=RED)
    # Condense long names to fit one line (字符缩放), as printed 红头 do.
    room = TEXT_WIDTH_TWIPS / 20 - HEADER_PT / 2  # a little air at both ends
    scale = min(100, math.floor(100 * room / (HEADER_PT * _width(office.name))))
    if scale < 100:
        _child(run._r.get_or_add_rPr(), "w", _RPR_ORDER, val=str(scale))

    number = doc.add_paragraph()
    _paragraph_format(number, align=WD_ALIGN_PARAGRAPH.CENTER)
    number.paragraph_format.space_before = Twips(LINE_PITCH)
    _run(number, number_text)
    # The red rule (红色分隔线), as wide as the text area, about 4 mm under the number.
    borders = _child(number._p.get_or_add_pPr(), "pBdr", _PPR_ORDER)
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(RULE_SIZE)), ("space", "6"), ("color", RED)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)


def _blank(doc: Document, lines: int = 1) -> None:
    for _ in range(lines):
        _paragraph_format(doc.add_paragraph())


def _body(doc: Document, text: str, *, indent: bool = True) -> Paragraph:
    p = _paragraph_format(doc.add_paragraph(), indent_chars=2 if indent else 0)
    _run(p, text)
    return p


def _heading(doc: Document, number: int, text: str) -> None:
    """一级标题 "一、总体情况" in 黑体."""
    p = _paragraph_format(doc.add_paragraph(), indent_chars=2, keep_next=True)
    _run(p, f"{cn_number(number)}、{text}", HEITI)


def _subheading(doc: Document, number: int, text: str, rest: str = "") -> Paragraph:
    """二级标题 "（一）…" in 楷体, optionally followed by body text in the same line."""
    p = _paragraph_format(doc.add_paragraph(), indent_chars=2, keep_next=not rest)
    _run(p, f"（{cn_number(number)}）{text}", KAITI)
    if rest:
        _run(p, rest)
    return p


# ----------------------------------------------------------------------------- tables
HEADERS = ("名次", "单位", "报送任务得分", "采用得分", "批示得分", "加分", "减分")
# Twips. 名次 fits on one line, as do three characters of 12 pt in a score column
# (3 × 240 + 2 × 108 cell margin = 936); the unit's name takes the rest (about 43 mm).
_RANK_WIDTH, _SCORE_WIDTH = 760, 940


def table_headers(period: Period) -> tuple[str, ...]:
    return (*HEADERS, f"{_term(period)}总分")


def _table_row_values(u: UnitScore) -> list[str]:
    total = str(u.total) + ("*" if u.floor_adjustment else "")
    values = (u.rank, u.unit, u.task, u.adoption, u.instruction, u.bonus, u.deduction)
    return [*(str(v) for v in values), total]


def _two_per_line(text: str) -> str:
    return "\n".join(text[i : i + 2] for i in range(0, len(text), 2))


def _cell_text(cell: _Cell, text: str, *, bold: bool = False) -> None:
    """Centred 12 pt text; "\n" in ``text`` is a line break."""
    p = cell.paragraphs[0]
    _paragraph_format(p, align=WD_ALIGN_PARAGRAPH.CENTER, line=360)  # 18 pt
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = _run(p, line, FANGSONG, TABLE_PT, bold=bold)
        if i < len(lines) - 1:
            run.add_break()
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _ranking_table(doc: Document, units: list[UnitScore], period: Period) -> None:
    heads = table_headers(period)
    table = doc.add_table(rows=1 + len(units), cols=len(heads))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    scores = len(heads) - 2
    widths = [_RANK_WIDTH, TEXT_WIDTH_TWIPS - _RANK_WIDTH - _SCORE_WIDTH * scores]
    widths += [_SCORE_WIDTH] * scores
    tbl_pr = table._tbl.tblPr
    _child(tbl_pr, "tblW", _TBLPR_ORDER, w=str(sum(widths)), type="dxa")
    borders = _child(tbl_pr, "tblBorders", _TBLPR_ORDER)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        for key, value in (
            ("val", "single"),
            ("sz", str(TABLE_BORDER_SIZE)),
            ("space", "0"),
            ("color", BLACK),
        ):
            line.set(qn(f"w:{key}"), value)
        borders.append(line)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)
    for r, row in enumerate(table.rows):
        row.height = Mm(8)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        tr_pr = row._tr.get_or_add_trPr()
        _child(tr_pr, "cantSplit", _TRPR_ORDER)
        if r == 0:
            _child(tr_pr, "tblHeader", _TRPR_ORDER)  # repeated on every page
        if r == 0:  # score headings two characters a line: 报送/任务/得分
            values = [*heads[:2], *(_two_per_line(h) for h in heads[2:])]
        else:
            values = _table_row_values(units[r - 1])
        for cell, width, text in zip(row.cells, widths, values, strict=True):
            cell.width = Twips(width)
            _cell_text(cell, text, bold=r == 0)


# ----------------------------------------------------------------------------- sections
def _groups(units: list[UnitScore], rules: Rules) -> list[tuple[str, list[UnitScore]]]:
    """(label, units in listing order) for every group of the rules, in rules order."""
    return [(g.label, [u for u in units if u.group == key]) for key, g in rules.groups.items()]


def _named_section(
    doc: Document,
    number: int,
    heading: str,
    lead: str,
    units: list[UnitScore],
    rules: Rules,
    pick: Callable[[UnitScore], bool],
    describe: Callable[[UnitScore], str],
) -> None:
    """A heading, then per group the units picked (described), or "无。"."""
    _heading(doc, number, heading)
    groups = [(label, [u for u in members if pick(u)]) for label, members in _groups(units, rules)]
    groups = [(label, chosen) for label, chosen in groups if chosen]
    if not groups:
        _body(doc, "无。")
        return
    _body(doc, lead)
    for n, (label, chosen) in enumerate(groups, start=1):
        _subheading(doc, n, label, "：" + "、".join(describe(u) for u in chosen) + "。")


def _overview(report_units: list[UnitScore], rules: Rules, period: Period, as_of: date) -> str:
    groups = _groups(report_units, rules)
    parts = "、".join(f"{label}{len(members)}个" for label, members in groups if members)
    items = sum(u.items for u in report_units)
    adopted = sum(u.adopted_items for u in report_units)
    adopted_units = sum(1 for u in report_units if u.adopted_items)
    instructed = sum(1 for u in report_units for r in u.item_rows if r.instruction)
    scored = [u for u in report_units if u.months]
    all_met = sum(1 for u in scored if all(m.quota_met for m in u.months))
    text = (
        f"{period_name(period)}，全区纳入通报的{len(report_units)}个单位（{parts}）"
        f"共报送政务信息{items}条；{adopted_units}个单位有信息被采用，共采用{adopted}条，"
        f"获领导批示{instructed}条。{all_met}个单位各月均完成报送任务，"
        f"{len(scored) - all_met}个单位有月份未完成报送任务。"
    )
    if as_of <= period.end:
        text += f"本通报数据统计截至{chinese_date(as_of)}。"
    return text


def build_notice(
    report: ScoredPeriod,
    rules: Rules,
    office: OfficeSettings,
    number: int,
    issued: date,
) -> Document:
    """The notice for ``report`` (a quarter, or a year) as a python-docx document.

    ``number`` is the sequence number of the 发文字号 (莱芜政办字〔year〕N号, the year of
    ``issued``); ``issued`` is the 成文日期 under the signature.
    """
    period: Period = report.period
    units: list[UnitScore] = list(report.units)
    title = notice_title(period)
    term = _term(period)
    doc = docx.Document()
    _setup(doc, office, title, issued)

    _masthead(doc, office, document_number(office, issued.year, number))
    _blank(doc, 2)  # 红色分隔线下空二行
    head = doc.add_paragraph()
    _paragraph_format(head, align=WD_ALIGN_PARAGRAPH.CENTER, line=720)
    lines = _title_lines(title)
    for i, line in enumerate(lines):
        run = _run(head, line, XIAOBIAOSONG, TITLE_PT)
        if i < len(lines) - 1:
            run.add_break()
    _blank(doc)  # 标题下空一行
    _body(doc, ADDRESSEES, indent=False)
    _body(
        doc,
        f"为进一步做好全区政务信息工作，根据{METHOD}，现将{period_name(period)}"
        "全区政务信息报送、采用和计分情况通报如下：",
    )

    _heading(doc, 1, "总体情况")
    as_of = report.as_of.date() if isinstance(report.as_of, datetime) else report.as_of
    _body(doc, _overview(units, rules, period, as_of))

    _heading(doc, 2, "各组排名")
    for n, (label, members) in enumerate(_groups(units, rules), start=1):
        _subheading(doc, n, f"{label}（{len(members)}个）")
        if members:
            _ranking_table(doc, members, period)
        else:
            _body(doc, "无。")
    if any(u.floor_adjustment for u in units):
        _body(
            doc,
            f"注：{term}总分带“*”的单位，减分后{term}得分扣完为止，按{rules.quarter.floor}分计。",
        )

    _named_section(
        doc,
        3,
        "通报表扬",
        f"对各组{term}得分居首位的以下单位予以通报表扬：",
        units,
        rules,
        lambda u: u.flags.praise,
        lambda u: f"{u.unit}（{u.total}分）",
    )
    _named_section(
        doc,
        4,
        "通报批评",
        f"对各组{term}得分居末位的以下单位予以通报批评：",
        units,
        rules,
        lambda u: u.flags.criticise,
        lambda u: f"{u.unit}（{u.total}分）",
    )
    _named_section(
        doc,
        5,
        "零通报",
        f"以下单位本{term}无信息被采用，予以零通报：",
        units,
        rules,
        lambda u: u.flags.zero_adoption,
        lambda u: u.unit,
    )
    _named_section(
        doc,
        6,
        "无信息报送",
        "以下单位有整月未报送信息（括号内为未报送月份），予以通报：",
        units,
        rules,
        lambda u: bool(u.flags.month_without_items),
        lambda u: f"{u.unit}（{_idle_months(u, period)}）",
    )
    months = rules.notice.idle_months_interview
    _named_section(
        doc,
        7,
        "约谈",
        f"以下单位连续{'两' if months == 2 else cn_number(months)}个月未报送信息，"
        "按规定约谈分管领导：",
        units,
        rules,
        lambda u: u.flags.interview,
        lambda u: u.unit,
    )

    contact = f"，联系电话：{office.phone}" if office.phone else ""
    _body(
        doc,
        "希望受到通报表扬的单位再接再厉，进一步提高政务信息质量；受到通报批评、零通报和"
        "未报送信息的单位要认真查找原因，明确专人负责，切实加强政务信息报送工作。"
        f"各单位对本通报所列得分有疑问的，请于通报印发后5个工作日内与{office.short_name}"
        f"{office.section}联系{contact}。",
    )
    _closing(doc, office.name, chinese_date(issued))
    return doc


def _closing(doc: Document, signature: str, day: str) -> None:
    """发文机关署名 and 成文日期 (GB/T 9704 §7.3.5.1): the date four characters in from the
    right, the signature centred over the date."""
    _blank(doc, 2)  # room for the seal
    right = max(0.0, 4 + (_width(day) - _width(signature)) / 2)
    for text, chars in ((signature, right), (day, 4.0)):
        p = _paragraph_format(doc.add_paragraph(), align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_PT * chars)
        ind = p._p.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:rightChars"), str(round(chars * 100)))
        _run(p, text)


def save_notice(doc: Document, path: Path) -> None:
    """Write ``doc`` to ``path`` atomically: a temporary file in the same folder, synced,
    then renamed over the target, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            doc.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
