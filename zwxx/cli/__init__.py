"""Command line: wiring only. Every message the office reads is Chinese.

One module per command group, imports only downward::

    zwxx.cli            the root group ``zwxx``, ``main()`` (the console entry and the one
                        place where user-facing errors become a Chinese line and an exit code)
      .demo             demo                                  (runs the commands below)
      .imports          import items | events
      .ingest           poll, run, doctor, reparse, items, envelopes
      .review           review [assign | category | ignore | forget]
      .notify           remind weekly, digest monthly, notice quarter, notifications
      .scoring          report month | quarter | year, adopt, instruct, bonus, deduct,
                        explanation
      .common           help classes, shared options, consoles, state, input parsers

Command modules build their commands without knowing the root; this module adds each
module's ``COMMANDS`` to the root group. Nothing imports this module except the entry
points (``zwxx = "zwxx.cli:main"``, ``python -m zwxx``) and ``docs/make_cli_md.py``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from zwxx.cli import demo, imports, ingest, notify, review, scoring
from zwxx.cli.common import CONTEXT, Group, err, out, state
from zwxx.errors import ZwxxError


@click.group(cls=Group, context_settings=CONTEXT, help="莱芜区政务信息报送自动统计系统（zwxx）")
@click.option(
    "--config",
    "-c",
    type=click.Path(path_type=Path),
    metavar="文件",
    default=None,
    help="设置文件（TOML）；也可用环境变量 ZWXX_CONFIG",
)
@click.option("--verbose", "-v", is_flag=True, help="输出详细日志（英文）")
def app(config: Path | None, verbose: bool) -> None:
    state.config = config
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


for _module in (ingest, imports, scoring, review, notify, demo):
    for _command in _module.COMMANDS:
        app.add_command(_command)


def usage_error(exc: click.UsageError) -> str:
    """Click's English usage errors, said in Chinese."""
    if isinstance(exc, click.NoSuchOption):
        return f"没有这个选项：{exc.option_name}"
    if isinstance(exc, click.MissingParameter):
        name = exc.param.human_readable_name if exc.param else ""
        return f"缺少参数：{name}"
    if isinstance(exc, click.BadParameter):
        name = exc.param.human_readable_name if exc.param else ""
        return f"参数 {name} 取值无效：{exc.message}"
    if "No such command" in exc.message:
        return f"没有这个命令（{exc.message.split(' ')[-1]}）"
    return f"用法错误：{exc.message}"


def main() -> None:
    """Console entry and the one catch site of the CLI: a Chinese line on stderr, exit 2
    for bad input, 3 for unreachable sources (``ZwxxError.exit_code``), 1 for a bug."""
    try:
        app.main(standalone_mode=False, prog_name="zwxx")
    except click.exceptions.NoArgsIsHelpError as exc:  # `zwxx report` alone: show help
        out.print(exc.ctx.get_help(), markup=False)
    except click.UsageError as exc:
        hint = f"运行 {exc.ctx.command_path} --help 查看用法" if exc.ctx else "运行 zwxx --help"
        err.print(f"{usage_error(exc)}。{hint}。")
        sys.exit(2)
    except click.exceptions.Abort:
        err.print("已中断。")
        sys.exit(130)
    except ZwxxError as exc:
        err.print(exc.message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("已中断。")
        sys.exit(130)
    except Exception as exc:  # a bug: say so in Chinese, keep the detail for developers
        if os.environ.get("ZWXX_DEBUG"):
            raise
        err.print(f"内部错误（{type(exc).__name__}: {exc}）。设置 ZWXX_DEBUG=1 可查看详细信息。")
        sys.exit(1)


__all__ = ["app", "main", "usage_error"]
