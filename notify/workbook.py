"""The monthly digest as an Excel workbook (.xlsx): one sheet per group, one of lists."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from zwxx.notify.compose import Digest

_HEAD = Font(name="宋体", bold=True)
_BODY = Font(name="宋体")
_FILL = PatternFill("solid", fgColor="DDEBF7")
_RED = Font(name="宋体", color="C00000")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def workbook_name(digest: Digest) -> str:
    return f"{digest.month.year}年{digest.month.month}月政务信息月报.xlsx"


def _sheet_title(label: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return "".join(c for c in label if c not in "[]:*?/\\")[:31]


def write_workbook(digest: Digest, folder: Path) -> Path:
    """Write the workbook into ``folder`` (atomically) and return its path."""
    book = Workbook()
    book.remove(book.active)
    categories = [c["short"] for c in digest.categories]
    heads = ["名次", "单位", "条数", *categories, "完成条数任务", "调研任务", "采用", "超字数"]
    heads.append("任务得分")
    for group in digest.groups:
        sheet = book.create_sheet(_sheet_title(group["label"]))
        sheet.append([f"{digest.month.year}年{digest.month.month}月 {group['label']}"])
        sheet["A1"].font = Font(name="宋体", bold=True, size=14)
        sheet.append(heads)
        for row in group["rows"]:
            sheet.append(
                [
                    row.rank,
                    row.unit,
                    row.items,
                    *row.by_category,
                    row.quota_met,
                    row.duty,
                    row.adoptions,
                    row.over_limit,
                    row.score,
                ]
            )
        for cells in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
            for cell in cells:
                cell.border = _BOX
                cell.font = _HEAD if cell.row == 2 else _BODY
                if cell.row == 2:
                    cell.fill = _FILL
                    cell.alignment = Alignment(horizontal="center")
            if cells[0].row > 2 and cells[len(categories) + 3].value == "否":
                for cell in cells:
                    cell.font = _RED
        sheet.freeze_panes = "C3"
        for index, head in enumerate(heads, start=1):
            width = 26 if head == "单位" else max(6, 2 * len(head) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
    lists = book.create_sheet("需关注")
    lists.append(["项目", "单位"])
    for label, names in (
        ("未完成条数任务", digest.below_quota),
        ("本月无信息", digest.no_items),
        ("无法接收提醒（未登记邮箱和手机）", digest.unreachable),
    ):
        lists.append([label, "、".join(names) or "无"])
    lists.append(["超字数信息（条）", digest.over_limit])
    lists.append(["待人工确认的信息（条）", digest.review])
    lists.column_dimensions["A"].width = 34
    lists.column_dimensions["B"].width = 120
    for cell in lists[1]:
        cell.font, cell.fill = _HEAD, _FILL

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / workbook_name(digest)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
