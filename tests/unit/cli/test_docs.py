"""docs/cli.md is generated from the command tree and must match it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from zwxx.cli import main

DOCS = Path(__file__).resolve().parents[3] / "docs"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_cli_md", DOCS / "make_cli_md.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_cli_md = _generator()


def test_cli_md_is_current() -> None:
    stored = (DOCS / "cli.md").read_text(encoding="utf-8")
    if stored != make_cli_md.render():
        pytest.fail(
            "docs/cli.md is stale (a command, option or help text changed): "
            "run `.venv/bin/python docs/make_cli_md.py` and commit the result"
        )


def test_every_command_and_subcommand_is_documented() -> None:
    text = make_cli_md.render()
    for path in ("zwxx", "zwxx report month", "zwxx review assign", "zwxx notice quarter"):
        assert f"\n## {path}\n" in text or f"\n### {path}\n" in text or f"\n#### {path}\n" in text
    paths = [ctx.command_path for ctx in make_cli_md.contexts()]
    assert len(paths) == len(set(paths))
    assert "zwxx import events" in paths
    assert paths.index("zwxx import") < paths.index("zwxx import events")


@pytest.mark.parametrize(
    "path", ["", "run", "review", "adopt", "report quarter", "notice quarter", "notifications"]
)
def test_sections_are_what_help_prints(monkeypatch, capsys, path: str) -> None:
    """Each section is the help screen that `zwxx … --help` prints in a wide terminal
    (through the real entry point, so click measures the terminal as it does for users)."""
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(sys, "argv", ["zwxx", *path.split(), "--help"])
    main()
    printed = capsys.readouterr().out
    heading = "zwxx" + (f" {path}" if path else "")
    sections = {ctx.command_path: ctx.get_help() for ctx in make_cli_md.contexts()}
    assert printed == sections[heading] + "\n"
    assert f"```text\n{printed}```" in make_cli_md.render()
