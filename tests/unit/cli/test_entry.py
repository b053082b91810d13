"""The CLI in-process: Chinese help, the one catch site in main(), the entry points.

No settings file, database or server: commands that would load the application get a
stub ``load_app`` that raises.
"""

from __future__ import annotations

import runpy
import sys
from importlib.metadata import entry_points

import click
import pytest
from click.testing import CliRunner

from zwxx.cli import app, main
from zwxx.cli.common import Command, state
from zwxx.errors import InputError, SourceUnavailable


def _walk(command: click.Command, path: str = "zwxx"):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _walk(sub, f"{path} {name}")


def _run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["zwxx", *args])
    monkeypatch.delenv("ZWXX_DEBUG", raising=False)
    monkeypatch.setattr(state, "_app", None)
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_console_script_points_at_main() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "zwxx"]
    assert script.value == "zwxx.cli:main"
    assert script.load() is main


def test_every_command_has_the_chinese_help_classes() -> None:
    """A command built with plain click.command would print English headings."""
    plain = [path for path, command in _walk(app) if not isinstance(command, Command)]
    assert not plain, f"use cls=Command / cls=Group for: {plain}"
    names = {path for path, _ in _walk(app)}
    assert {"zwxx poll", "zwxx import items", "zwxx import events", "zwxx demo"} <= names


def test_help_is_chinese() -> None:
    result = CliRunner().invoke(app, ["adopt", "--help"], prog_name="zwxx")
    assert result.exit_code == 0
    assert result.output.startswith("用法：zwxx adopt [选项] 编号或标题\n")
    assert "\n选项:\n" in result.output
    assert "[必填]" in result.output and "[required]" not in result.output
    assert "-h, --help" in result.output and "显示本帮助并退出" in result.output


def test_group_alone_shows_its_help(monkeypatch, capsys) -> None:
    code, out, err = _run_main(monkeypatch, capsys, "report")
    assert code == 0
    assert out.startswith("用法：zwxx report [选项] 命令 [参数]...")
    assert "quarter" in out and err == ""


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["items", "--bogus"], "没有这个选项：--bogus。运行 zwxx items --help 查看用法。"),
        (["report", "month"], "缺少参数：YYYY-MM。运行 zwxx report month --help 查看用法。"),
        (["nosuch"], "没有这个命令（'nosuch'.）。运行 zwxx --help 查看用法。"),
        (
            ["notice", "quarter", "2026Q4", "--number", "0"],
            "参数 number 取值无效：0 is not in the range x>=1.。"
            "运行 zwxx notice quarter --help 查看用法。",
        ),
    ],
)
def test_usage_errors_are_one_chinese_line_with_exit_2(
    monkeypatch, capsys, args: list[str], line: str
) -> None:
    code, out, err = _run_main(monkeypatch, capsys, *args)
    assert (code, out, err) == (2, "", line + "\n")


@pytest.mark.parametrize(
    ("error", "code"),
    [(InputError("单位“某单位”不在名册中"), 2), (SourceUnavailable("邮箱无法连接"), 3)],
)
def test_zwxx_errors_keep_their_message_and_exit_code(monkeypatch, capsys, error, code) -> None:
    def load_app(config):
        raise error

    monkeypatch.setattr("zwxx.cli.common.load_app", load_app)
    got, out, err = _run_main(monkeypatch, capsys, "items")
    assert (got, out, err) == (code, "", error.message + "\n")


def test_a_bug_is_the_chinese_internal_error_line(monkeypatch, capsys) -> None:
    def load_app(config):
        raise RuntimeError("boom")

    monkeypatch.setattr("zwxx.cli.common.load_app", load_app)
    code, _out, err = _run_main(monkeypatch, capsys, "envelopes", "--json")
    assert code == 1
    assert err == "内部错误（RuntimeError: boom）。设置 ZWXX_DEBUG=1 可查看详细信息。\n"


def test_config_option_reaches_the_application(monkeypatch, capsys, tmp_path) -> None:
    seen = []

    def load_app(config):
        seen.append(config)
        raise InputError("停")

    monkeypatch.setattr("zwxx.cli.common.load_app", load_app)
    code, _out, _err = _run_main(monkeypatch, capsys, "-c", str(tmp_path / "z.toml"), "poll")
    assert code == 2 and seen == [tmp_path / "z.toml"]


def test_python_dash_m_runs_main(monkeypatch, capsys) -> None:
    """`python -m zwxx` (zwxx/__main__.py), run in this process."""
    monkeypatch.setattr(sys, "argv", ["zwxx", "review", "--help"])
    runpy.run_module("zwxx", run_name="__main__")
    assert capsys.readouterr().out.startswith("用法：zwxx review [选项] [命令 [参数]...]")
