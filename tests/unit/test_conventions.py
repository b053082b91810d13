"""Conventions a reader relies on, checked over the source tree."""

from __future__ import annotations

import importlib
import re
import tomllib
from importlib.metadata import distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("zwxx", "config", "ingest", "classify", "scoring", "notify", "records")

# Deciding by the words of a reason: `"..." in item.reason`, `reason == ...`,
# `reason.split(...)`, a regex over a reason. Decisions are note codes (records/notes.py).
PROSE_DECISION = re.compile(
    r"\bin [\w.]*reason\b"
    r"|\breason\w* *[!=]="
    r"|[!=]= *[\w.]*\breason\b"
    r"|\breason\w*\.(?:split|startswith|endswith|find|index|count|partition)\("
    r"|\bre\.\w+\([^)]*reason"
    r"|\.(?:match|fullmatch|search|findall)\([\w.]*reason\b"
)


def _sources() -> list[Path]:
    return [
        p
        for folder in FOLDERS
        for p in (ROOT / folder).rglob("*.py")
        if "migrations" not in p.parts  # converting old prose once is their job
    ]


def test_no_decision_reads_reason_text() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in _sources()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PROSE_DECISION.search(line)
    ]
    assert not found, "decisions read from reason text:\n" + "\n".join(found)


def test_the_prose_pattern_catches_what_it_should() -> None:
    for bad in (
        'if "超过" not in i.reason:',
        "if item.reason == STRANGER:",
        'kept = earlier.reason.split("；")',
        "_LIMIT_NOTE.fullmatch(reason)",
        "re.search(r'修改稿', item.reason)",
    ):
        assert PROSE_DECISION.search(bad), bad
    for fine in ('item.reason = "；".join(texts)', '"reason": item.reason,', "reason: str = ''"):
        assert not PROSE_DECISION.search(fine), fine


def test_only_zwxx_is_installed_at_the_top_level() -> None:
    dist = distribution("zwxx")
    assert (dist.read_text("top_level.txt") or "").split() == ["zwxx"]
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert all(p == "zwxx" or p.startswith("zwxx.") for p in setuptools["packages"])
    assert set(setuptools["package-dir"]) <= set(setuptools["packages"])


def test_every_folder_imports_as_part_of_the_namespace() -> None:
    for folder in FOLDERS[1:]:
        module = importlib.import_module(f"zwxx.{folder}")
        assert Path(module.__file__ or "").resolve().parent == ROOT / folder


def test_every_package_folder_is_listed_for_installation() -> None:
    """A package folder missing from [tool.setuptools] packages works in the editable
    install but is left out of a wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    mapping = {v: k for k, v in config["tool"]["setuptools"]["package-dir"].items()}
    for folder in FOLDERS:
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder).parts
            assert ".".join([mapping[folder], *rel]) in listed, init
