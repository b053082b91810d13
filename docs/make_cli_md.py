"""Write docs/cli.md, the command reference, from the click command tree itself.

    .venv/bin/python docs/make_cli_md.py

Every command and subcommand, depth first in the order ``zwxx --help`` lists them, with
its help screen exactly as ``zwxx … --help`` prints it in a terminal at least 100 columns
wide (the width is fixed here, so the file does not depend on the terminal it is made in).
tests/unit/cli/test_docs.py fails when the file is stale.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

from zwxx.cli import app

TARGET = Path(__file__).resolve().parent / "cli.md"

# What click prints at the CLI's max_content_width (100) minus its two-column margin.
WIDTH = 98

HEADER = """\
# zwxx 命令参考

本文件由 `python docs/make_cli_md.py` 根据程序中的命令定义自动生成，请勿手工修改；
命令或选项有变动时重新运行该命令即可（测试会检查本文件是否与程序一致）。

下面按 `zwxx --help` 的顺序列出每个命令和子命令，内容与在终端运行 `zwxx 命令 --help`
的输出完全相同：用法、说明、参数和选项。各命令的作用、计分口径、状态和分类的取值等概念见
[README](../README.md)；所有命令都可加 `--config 设置文件`（或设环境变量 `ZWXX_CONFIG`）。
出错时给出一行中文说明：输入或设置有误退出码为 2，来源无法连接或通知未能发出退出码为 3。
"""


def contexts() -> Iterator[click.Context]:
    """The root context and, depth first, one context per command below it."""
    root = app.context_class(app, info_name="zwxx", terminal_width=WIDTH, **app.context_settings)
    stack = [root]
    while stack:
        ctx = stack.pop()
        yield ctx
        command = ctx.command
        if isinstance(command, click.Group):
            children = []
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    children.append(sub.context_class(sub, info_name=name, parent=ctx))
            stack.extend(reversed(children))


def _anchor(path: str) -> str:
    """GitHub's heading anchor for an ASCII heading such as ``zwxx report month``."""
    return path.lower().replace(" ", "-")


def render() -> str:
    """The whole of docs/cli.md."""
    found = list(contexts())
    lines = [HEADER, "## 目录", ""]
    for ctx in found:
        depth = ctx.command_path.count(" ")
        indent = "  " * max(depth - 1, 0)
        lines.append(f"{indent}- [`{ctx.command_path}`](#{_anchor(ctx.command_path)})")
    lines.append("")
    for ctx in found:
        depth = ctx.command_path.count(" ")
        lines += [
            f"{'#' * min(depth + 2, 4)} {ctx.command_path}",
            "",
            "```text",
            ctx.get_help(),
            "```",
            "",
        ]
    return "\n".join(lines)


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
