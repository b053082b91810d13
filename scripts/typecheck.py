"""Type-check the installed namespace with mypy.

The folders ``config/``, ``ingest/``, ... are installed as ``zwxx.config``, ``zwxx.ingest``, ...
(setuptools ``package-dir``). mypy cannot follow that mapping or the editable install's
import hook, so this script lays the namespace out as symbolic links under
``var/typecheck/zwxx`` and checks ``-p zwxx`` there; paths in mypy's report are mapped back
to the real files. Settings are in pyproject.toml ``[tool.mypy]``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("config", "ingest", "classify", "scoring", "notify", "records")


def lay_out(base: Path) -> None:
    if base.exists():
        shutil.rmtree(base)
    pkg = base / "zwxx"
    pkg.mkdir(parents=True)
    for entry in (ROOT / "zwxx").iterdir():
        if entry.name != "__pycache__":
            (pkg / entry.name).symlink_to(entry)
    for folder in FOLDERS:
        (pkg / folder).symlink_to(ROOT / folder)


def main() -> int:
    base = ROOT / "var" / "typecheck"
    lay_out(base)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "-p", "zwxx"],
        cwd=base,
        capture_output=True,
        text=True,
    )
    out = proc.stdout + proc.stderr
    for folder in FOLDERS:  # zwxx/ingest/x.py -> ingest/x.py
        out = out.replace(f"zwxx/{folder}/", f"{folder}/")
    sys.stdout.write(out)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
