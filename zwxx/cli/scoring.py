"""Scores: ``report month|quarter|year`` and the scoring events ``adopt``, ``instruct``,
``bonus``, ``deduct``, ``explanation`` (wiring only)."""

from __future__ import annotations

import click
from rich import box
from rich.table import Table
from sqlmodel import Session

from zwxx.app import App
from zwxx.cli.common import (
    Command,
    Group,
    RequiredOption,
    dump,
    err,
    json_option,
    now_option,
    out,
    parse_month,
    parse_now,
    parse_period,
    roster_unit,
    state,
    whoami,
)
from zwxx.errors import InputError
from zwxx.records.db import session_scope
from zwxx.records.events import EventRow, parse_row, record_events
from zwxx.reports import AlreadyFrozen, PeriodReport, freeze, period_report, report_json
from zwxx.scoring.month import MonthResult
from zwxx.scoring.periods import Month
from zwxx.scoring.quarter import ADOPTION_LABELS, Period
from zwxx.scoring.ranks import Flags

TYPE_LABELS = {
    "adoption": "采用",
    "instruction": "批示",
    "bonus": "加分",
    "deduction": "减分",
    "explanation": "情况说明",
}

by_option = click.option("--by", "recorded_by", metavar="记录人", help="记录人（默认为当前用户）")
note_option = click.option("--note", default="", metavar="备注", help="备注")
date_option = click.option(
    "--date",
    "when",
    required=True,
    cls=RequiredOption,
    metavar="YYYY-MM-DD",
    help="事件日期（决定计入哪个季度）",
)


@click.group("report", cls=Group, help="报表")
def report_app() -> None:
    pass


# ------------------------------------------------------------------------------- month
def month_json(r: MonthResult) -> dict:
    return {
        "unit": r.unit,
        "group": r.group,
        "month": str(r.month),
        "items": r.items,
        "quota_items": r.quota_items,
        "by_category": r.by_category,
        "quota": r.quota,
        "quota_met": r.quota_met,
        "research_met": r.research_met,
        "base_score": r.base_score,
        "duty_score": r.duty_score,
        "shortfall_deduction": r.shortfall_deduction,
        "task_score": r.task_score,
    }


def print_month(a: App, month: Month, results: list[MonthResult]) -> None:
    met = {True: "是", False: "否", "pending": "待季末"}
    cats = list(a.rules.categories)
    for key, group in a.rules.groups.items():
        rows = [r for r in results if r.group == key]
        duty = group.duty
        need = f"调研 {duty.research} 篇" + (f"、专报 {duty.special} 篇" if duty.special else "")
        per = "每月" if duty.period == "month" else "每季度"
        table = Table(
            box=box.SIMPLE_HEAD,
            title=f"{month.year}年{month.month}月 {group.label}"
            f"（任务 {group.quota} 条/月，{per}{need}）",
        )
        table.add_column("单位", no_wrap=True)
        table.add_column("条数", justify="right")
        for c in cats:
            table.add_column(a.rules.categories[c].short, justify="right")
        for head in ("完成条数", "完成调研", "扣分", "任务得分"):
            table.add_column(head, justify="right")
        for r in rows:
            table.add_row(
                r.unit,
                str(r.items),
                *(str(r.by_category.get(c, 0) or "") for c in cats),
                met[r.quota_met],
                met[r.research_met],
                str(r.shortfall_deduction) if r.shortfall_deduction else "",
                str(r.task_score),
            )
        out.print(table)
    short = sum(1 for r in results if not r.quota_met)
    idle = [r.unit for r in results if r.items == 0]
    out.print(f"共 {len(results)} 个单位，{short} 个未完成条数任务，{len(idle)} 个本月无信息。")


@report_app.command("month", help="月度报送任务计分（每个单位，含无信息的单位）")
@click.argument("month", metavar="YYYY-MM")
@json_option
@now_option
def report_month(month: str, as_json: bool, now: str | None) -> None:
    from zwxx.reports import month_report

    a = state.app()
    m = parse_month(month)
    moment = parse_now(now, a)
    with Session(a.engine) as session:
        results = month_report(session, a.roster, a.rules, m, moment, a.tz)
    if as_json:
        dump([month_json(r) for r in results])
    else:
        print_month(a, m, results)


# ------------------------------------------------------------------------------- events
def _record(row: dict[str, str], recorded_by: str | None) -> EventRow:
    """Check and write one event typed on the command line (same rules as the CSV)."""
    a = state.app()
    event = parse_row(row, 0, a.roster, a.rules)
    with session_scope(a.engine) as session:
        record_events(session, [event], recorded_by or whoami())
    return event


def _item_row(item: str, unit: str | None) -> dict[str, str]:
    """ITEM is an item number, or a title when --unit is given."""
    if unit:
        return {"unit": unit, "title": item}
    if not item.isdigit():
        raise InputError(f"“{item}”不是信息编号；按标题指定时请同时给出 --unit 单位")
    return {"item_id": item}


@click.command(
    "adopt", cls=Command, help="记录一条信息被采用（刊物与形式决定分值，同一条只计最高一项）"
)
@click.argument("item", metavar="编号或标题")
@click.option(
    "--publication",
    "-p",
    required=True,
    cls=RequiredOption,
    metavar="刊物",
    help="laiwu（《莱芜政务信息》）、to_city（报市）、jinan（《济南政务信息》）、"
    "to_state（报国办）、state（国办采用），也可写中文",
)
@click.option(
    "--form",
    "-f",
    default="",
    metavar="形式",
    help="full 正刊、composite 综合、brief 简讯、"
    "special 专报、forward 报送；省略时取该刊物的默认形式",
)
@click.option("--unit", metavar="单位", help="按标题指定信息时的报送单位")
@date_option
@by_option
@note_option
def adopt_cmd(
    item: str,
    publication: str,
    form: str,
    unit: str | None,
    when: str,
    recorded_by: str | None,
    note: str,
) -> None:
    row = _item_row(item, unit) | {
        "type": "adoption",
        "publication": publication,
        "form": form,
        "date": when,
        "note": note,
    }
    event = _record(row, recorded_by)
    out.print(f"已记录：第 {event.item_id} 条信息 {ADOPTION_LABELS[event.key]}，{event.date}。")


@click.command(
    "instruct", cls=Command, help="记录一条信息获得领导批示（同一条只计最高一项，与采用分相加）"
)
@click.argument("item", metavar="编号或标题")
@click.option(
    "--level",
    "-l",
    required=True,
    cls=RequiredOption,
    metavar="级别",
    help="state 国办、province 省、city 市、district 区",
)
@click.option("--composite", is_flag=True, help="综合信息获批示")
@click.option("--unit", metavar="单位", help="按标题指定信息时的报送单位")
@date_option
@by_option
@note_option
def instruct_cmd(
    item: str,
    level: str,
    composite: bool,
    unit: str | None,
    when: str,
    recorded_by: str | None,
    note: str,
) -> None:
    row = _item_row(item, unit) | {
        "type": "instruction",
        "level": level,
        "composite": "是" if composite else "否",
        "date": when,
        "note": note,
    }
    event = _record(row, recorded_by)
    rule = state.app().rules.instructions[event.key]
    kind = "（综合）" if event.composite else ""
    out.print(f"已记录：第 {event.item_id} 条信息获{rule.label}{kind}，{event.date}。")


def _unit_event(name: str, kind_type: str, help_text: str, kinds: str) -> click.Command:
    @click.command(name, cls=Command, help=help_text)
    @click.argument("unit", metavar="单位")
    @click.option("--kind", "-k", required=True, cls=RequiredOption, metavar="项目", help=kinds)
    @click.option("--count", "-n", default="1", metavar="数量", help="人数、人次或次数（默认 1）")
    @date_option
    @by_option
    @note_option
    def command(
        unit: str, kind: str, count: str, when: str, recorded_by: str | None, note: str
    ) -> None:
        row = {"type": kind_type, "unit": unit, "kind": kind, "count": count}
        event = _record(row | {"date": when, "note": note}, recorded_by)
        rules = state.app().rules
        table = rules.bonuses if kind_type == "bonus" else rules.deductions
        what = f"{TYPE_LABELS[kind_type]}：{table[event.key].label}"
        out.print(f"已记录：{event.unit} {what} × {event.count}，{event.date}。")

    return command


bonus_cmd = _unit_event(
    "bonus",
    "bonus",
    "记录单位加分",
    "staff 专职信息人员（每年）、system 考核通报制度（每年）、training 以干代训、"
    "joint_research 联合调研",
)
deduct_cmd = _unit_event(
    "deduct",
    "deduction",
    "记录单位减分",
    "city_solicitation 市约稿、district_solicitation 区约稿、major_info 重大信息迟报漏报失实",
)


@click.command(
    "explanation",
    cls=Command,
    help="记录单位就约稿减分作出的情况说明（取消该日的一次约稿减分）",
)
@click.argument("unit", metavar="单位")
@click.option(
    "--kind",
    "-k",
    required=True,
    cls=RequiredOption,
    metavar="项目",
    help="city_solicitation 或 district_solicitation",
)
@click.option(
    "--date",
    "when",
    required=True,
    cls=RequiredOption,
    metavar="YYYY-MM-DD",
    help="被取消的减分的日期",
)
@by_option
@note_option
def explanation_cmd(unit: str, kind: str, when: str, recorded_by: str | None, note: str) -> None:
    row = {"type": "explanation", "unit": unit, "kind": kind, "date": when, "note": note}
    event = _record(row, recorded_by)
    out.print(f"已记录：{event.unit} {event.date} 的约稿减分已作情况说明，不再扣分。")


# ------------------------------------------------------------------------------- quarter, year
def _flags_text(f: Flags) -> str:
    parts = []
    if f.praise:
        parts.append("通报表扬")
    if f.criticise:
        parts.append("通报批评")
    if f.zero_adoption:
        parts.append("零通报")
    if f.month_without_items:
        months = "、".join(f"{int(m[5:])}月" for m in f.month_without_items)
        parts.append(f"{months}未报送信息")
    if f.interview:
        parts.append("约谈分管领导")
    return "；".join(parts)


def _print_report(a: App, report: PeriodReport) -> None:
    for key, group in a.rules.groups.items():
        table = Table(box=box.SIMPLE_HEAD, title=f"{report.period.label} {group.label}")
        table.add_column("排名", justify="right")
        table.add_column("单位", no_wrap=True)
        for head in (
            "条数",
            "报送任务",
            "信息采用",
            "领导批示",
            "加分",
            "减分",
            "总分",
            "采用条数",
        ):
            table.add_column(head, justify="right")
        table.add_column("通报")
        for u in report.units:
            if u.group != key:
                continue
            table.add_row(
                str(u.rank),
                u.unit,
                str(u.items),
                str(u.task),
                str(u.adoption),
                str(u.instruction),
                str(u.bonus),
                str(u.deduction),
                str(u.total) + ("*" if u.floor_adjustment else ""),
                str(u.adopted_items),
                _flags_text(u.flags),
            )
        out.print(table)
    out.print("注：总分带 * 的单位季度得分扣完为止（不低于规则中的最低分）。")
    rows = [(u, r) for u in report.units for r in u.item_rows]
    if rows:
        table = Table(box=box.SIMPLE_HEAD, title="采用与批示信息")
        for head in ("单位", "编号", "标题", "采用分", "批示分", "本期计分", "星级"):
            table.add_column(head)
        for u, r in rows:
            table.add_row(
                u.unit,
                str(r.item_id),
                r.title,
                str(r.value.adoption),
                str(r.value.instruction),
                str(r.points),
                "★" * r.stars,
            )
        out.print(table)
    if report.period.quarter is None:
        units = "、".join(f"{t['unit']}（{t['total']} 分）" for t in report.top_units)
        people = "、".join(
            f"{p['author']}（{p['unit']}，{p['points']} 分）" for p in report.top_people
        )
        out.print(f"年度先进单位（候选）：{units or '无'}", markup=False)
        out.print(f"年度先进个人（候选）：{people or '无'}", markup=False)
    _print_changes(report)


def _print_changes(report: PeriodReport) -> None:
    if report.frozen is None:
        return
    when = report.frozen["frozen_at"][:16].replace("T", " ")
    if not report.changes:
        out.print(f"本期结果已于 {when} 冻结发布，此后没有变化。")
        return
    out.print(f"本期结果已于 {when} 冻结发布，此后的更正使结果发生以下变化（通报以冻结版为准）：")
    names = {
        "total": "总分",
        "rank": "排名",
        "task": "报送任务",
        "adoption": "信息采用",
        "instruction": "领导批示",
        "bonus": "加分",
        "deduction": "减分",
        "flags": "通报标记",
        "unit": "单位",
    }
    for c in report.changes:
        before, after = c["frozen"], c["current"]
        if c["field"] == "flags":
            before, after = (
                _flags_text(Flags(**before)) or "无",
                _flags_text(Flags(**after)) or "无",
            )
        out.print(f"  {c['unit']} {names[c['field']]}：{before} → {after}", markup=False)


def _run_report(
    period: Period, as_json: bool, now: str | None, explain: str | None, freeze_it: bool
) -> None:
    a = state.app()
    moment = parse_now(now, a)
    with Session(a.engine) as session:
        report = period_report(session, a.roster, a.rules, period, moment, a.tz)
    if explain is not None:
        unit = report.unit(roster_unit(a, explain).name)
        assert unit is not None
        for line in unit.lines:
            out.print(line, markup=False)
        flags = _flags_text(unit.flags)
        group = a.rules.groups[unit.group].label
        out.print(
            f"  在{group}中排第 {unit.rank} 名" + (f"；{flags}" if flags else ""), markup=False
        )
        _print_changes(report)
        return
    if freeze_it:
        try:
            with session_scope(a.engine) as session:
                freeze(session, report, whoami())
        except AlreadyFrozen as exc:  # translated here, reported by the one catch site
            when = exc.frozen_at.astimezone(a.tz).strftime("%Y-%m-%d %H:%M")
            raise InputError(f"{period.label}的结果已于 {when} 冻结，不能再次冻结") from None
        err.print(f"已冻结{period.label}的结果：以后的更正不会改变已发布的通报，报表会列出差异。")
    if as_json:
        dump(report_json(report))
    else:
        _print_report(a, report)


explain_option = click.option(
    "--explain", metavar="单位", help="逐行说明该单位的得分是怎样算出来的"
)
freeze_option = click.option(
    "--freeze", "freeze_it", is_flag=True, help="冻结（保存）本次结果作为已发布的通报"
)


@report_app.command("quarter", help="季度计分、排名与通报（每个组别分别排名）")
@click.argument("quarter", metavar="YYYYQn")
@json_option
@now_option
@explain_option
@freeze_option
def report_quarter(
    quarter: str, as_json: bool, now: str | None, explain: str | None, freeze_it: bool
) -> None:
    _run_report(parse_period(quarter, True), as_json, now, explain, freeze_it)


@report_app.command("year", help="年度计分、排名、先进单位和先进个人（候选）")
@click.argument("year", metavar="YYYY")
@json_option
@now_option
@explain_option
@freeze_option
def report_year(
    year: str, as_json: bool, now: str | None, explain: str | None, freeze_it: bool
) -> None:
    _run_report(parse_period(year, False), as_json, now, explain, freeze_it)


COMMANDS = (report_app, adopt_cmd, instruct_cmd, bonus_cmd, deduct_cmd, explanation_cmd)
