"""``demo``: the main job on built-in samples, then the notifications (wiring only).

It runs the other command modules' commands, so it sits above them (and below the root).
"""

from __future__ import annotations

from pathlib import Path

import click

from zwxx.cli.common import Command, out, state
from zwxx.cli.ingest import print_problem, run_poll, summary_line
from zwxx.cli.notify import digest_monthly, notice_quarter, remind_weekly
from zwxx.cli.scoring import report_month


@click.command("demo", cls=Command, help="用内置样例数据演示：生成 OA 投递文件、登记、输出月报")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="演示数据目录",
)
def demo_cmd(folder: Path) -> None:
    from zwxx.demo import DEMO_DIGEST, DEMO_MONTH, DEMO_WEEKLY, demo_settings, materialize

    state.config, state._app = demo_settings(folder), None
    a = state.app()
    written = materialize(a.settings.dropfolder.path, a.tz)
    out.print(
        f"已在 {a.settings.dropfolder.path} 生成 {written} 个样例文件（模拟 OA 投递和邮件）。"
    )
    out.print(summary_line(run_poll(a, print_problem)))
    _call(report_month, DEMO_MONTH, as_json=False, now=None)
    out.print("\n— 通知（未设置邮件服务器和短信网关，全部写入发件箱文件夹）—")
    _call(remind_weekly, now=DEMO_WEEKLY, dry_run=False)
    _call(digest_monthly, month=DEMO_MONTH, now=DEMO_DIGEST, dry_run=False)
    _call(
        notice_quarter,
        quarter="2026Q4",
        target=None,
        number=1,
        issued="2026-11-02",
        send_sms=False,
        now=DEMO_DIGEST,
        dry_run=False,
    )
    out.print(
        f"催报邮件、月报、通报和短信都在 {a.settings.outbox.path} 中，可用邮件客户端打开 .eml。"
    )


def _call(command: click.Command, *args: object, **kwargs: object) -> None:
    """Run a command's function directly, without click's argument parsing."""
    assert command.callback is not None  # every command here is defined by a function
    command.callback(*args, **kwargs)


COMMANDS = (demo_cmd,)
