"""Build the sample quarterly notice (季度通报) and render pages 1 and 2 to docs/notice*.png.

Run from anywhere with the project's virtual environment::

    .venv/bin/python docs/make_notice_png.py            # docs/notice.png, docs/notice-2.png
    .venv/bin/python docs/make_notice_png.py --docx var/通报.docx   # also keep the .docx

The sample is the one tests/test_notice.py checks: 2026 Q3 for the 57 units of the
default roster, scored by the real pure scoring code from seeded records (the demo
database has one month of items and no adoptions, too little for a useful picture).
Needs LibreOffice (``soffice``) and poppler-utils (``pdftoppm``). The picture shows
whatever CJK fonts the machine has: without 方正小标宋简体 and 仿宋_GB2312 installed,
LibreOffice substitutes another font, so glyph shapes differ from the printed notice.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = (1, 2)  # the header and title; the first ranking table
WIDTH_PX = 900  # the README shows the page at this width; the file stays ~100 KB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "notice.png")
    parser.add_argument("--docx", type=Path, help="also save the sample notice here")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from tests.integration.test_notice import ISSUED, NUMBER, OFFICE, sample_report, soffice_pdf
    from zwxx.config.rules import load_rules
    from zwxx.config.settings import DEFAULT_RULES
    from zwxx.notify.notice import build_notice, save_notice

    if shutil.which("pdftoppm") is None:
        print("需要 poppler-utils（pdftoppm）", file=sys.stderr)
        return 2
    rules = load_rules(DEFAULT_RULES)
    doc = build_notice(sample_report(rules), rules, OFFICE, NUMBER, ISSUED)
    with tempfile.TemporaryDirectory(prefix="zwxx-notice-") as tmp:
        work = Path(tmp)
        source = work / "notice.docx"
        save_notice(doc, source)
        if args.docx:
            save_notice(doc, args.docx)
        try:
            pdf = soffice_pdf(source, work / "pdf")
        except FileNotFoundError:
            print("需要 LibreOffice（soffice）", file=sys.stderr)
            return 2
        args.out.parent.mkdir(parents=True, exist_ok=True)
        for page in PAGES:
            stem = work / f"page{page}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-singlefile",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-scale-to",
                    str(WIDTH_PX),
                    str(pdf),
                    str(stem),
                ],
                check=True,
                timeout=120,
            )
            target = args.out if page == 1 else args.out.with_stem(f"{args.out.stem}-{page}")
            shutil.copyfile(stem.with_suffix(".png"), target)
            print(f"{target}（{target.stat().st_size // 1024} KB）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
