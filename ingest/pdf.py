"""PDF into paragraphs with pypdf.

pypdf (pure Python) was measured against pdfminer.six on a Chinese PDF exported by
LibreOffice: both return every character (545 of 545) in reading order, pypdf in about
the same time, so one library is enough. A PDF without a text layer (a scan) is not an
empty counted item: it goes to the clerk's review queue.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata

from zwxx.errors import DocumentError

MAX_PAGES = 1000
# Fewer meaningful characters than this per page (on average) means a scan.
SCANNED_CHARS_PER_PAGE = 10
SCANNED_REVIEW = "扫描件（无文字层），请人工核对"
ENCRYPTED = "PDF 文件设有打开密码，无法读取，请报送未加密的文件"

_PAGE_NUMBER = re.compile(r"^[-—–\s第]*\d{1,4}[-—–\s页]*$")
_ENDS_SENTENCE = ("。", "！", "？", "；", "：", "”", "…", ".", "!", "?")


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _join(left: str, right: str) -> str:
    if left and left[-1].isascii() and left[-1].isalnum() and right[:1].isascii():
        return f"{left} {right}"
    return left + right


def page_paragraphs(text: str) -> list[str]:
    """Re-join the wrapped lines of one page.

    A line that fills (almost) the page's widest line was wrapped by the layout and
    continues; a shorter line (a title, the last line of a paragraph) ends a paragraph.
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if not _PAGE_NUMBER.match(line)]
    full = max((_width(line) for line in lines), default=0)
    out: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        current = _join(current, line)
        width = _width(line)
        if width < 0.85 * full or (line.endswith(_ENDS_SENTENCE) and width < 0.95 * full):
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def read_pdf_text(data: bytes) -> tuple[list[str], bool]:
    """(paragraphs, scanned). Raises DocumentError for a broken or encrypted file."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # font warnings are noise here
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" only to restrict printing: empty user password.
            try:
                ok = reader.decrypt("")
            except (DependencyError, NotImplementedError):
                ok = PasswordType.NOT_DECRYPTED
            if not ok:
                raise DocumentError(ENCRYPTED)
        pages = len(reader.pages)
    except DocumentError:
        raise
    except FileNotDecryptedError:
        raise DocumentError(ENCRYPTED) from None
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
        raise DocumentError(f"PDF 文件已损坏，无法读取（{type(exc).__name__}）") from None
    if pages > MAX_PAGES:
        raise DocumentError(f"PDF 文件超过 {MAX_PAGES} 页，未处理")
    paragraphs: list[str] = []
    chars = 0
    for number in range(pages):
        try:
            text = reader.pages[number].extract_text() or ""
        except FileNotDecryptedError:
            raise DocumentError(ENCRYPTED) from None
        except Exception:  # one bad page (broken font, stream) must not lose the rest
            text = ""
        chars += sum(1 for c in text if not c.isspace())
        paragraphs.extend(page_paragraphs(text))
    scanned = chars < max(20, SCANNED_CHARS_PER_PAGE * pages)
    return paragraphs, scanned
