"""Document readers through LibreOffice (.doc, .wps, .rtf, .odt and its PDF), the
converter's process handling, and every document of the shared corpus. The formats the
tests make without LibreOffice are in tests/unit/ingest/test_documents.py.

LibreOffice fixtures are made once per module (each conversion takes about a second).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import need
from tests.unit.ingest.helpers import (
    BODY,
    BOX,
    CELLS,
    CJK,
    CORPUS,
    TITLE,
    corpus_manifest,
    make_docx,
    text_of,
)
from zwxx.errors import DocumentError
from zwxx.ingest import convert
from zwxx.ingest.documents import detect_format, read_documents


# ----------------------------------------------------------------- LibreOffice formats
def _soffice(*args: str, cwd: Path) -> None:
    profile = cwd / "profile"
    subprocess.run(
        [
            convert.find_soffice() or "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The test .docx saved by LibreOffice as .doc, .rtf, .odt (and PDF)."""
    if convert.find_soffice() is None:
        need("LibreOffice (soffice) is not installed")
    work = tmp_path_factory.mktemp("legacy")
    (work / "src.docx").write_bytes(make_docx())
    out: dict[str, bytes] = {}
    for ext, target in (("doc", "doc:MS Word 97"), ("rtf", "rtf"), ("odt", "odt"), ("pdf", "pdf")):
        _soffice("--convert-to", target, "--outdir", str(work / "out"), "src.docx", cwd=work)
        out[ext] = (work / "out" / f"src.{ext}").read_bytes()
    return out


@pytest.mark.parametrize(("ext", "kind"), [("doc", "ole2"), ("wps", "ole2"), ("rtf", "rtf")])
def test_legacy_formats_through_libreoffice(legacy: dict[str, bytes], ext: str, kind: str) -> None:
    data = legacy["doc" if ext == "wps" else ext]  # Kingsoft .wps is the Word binary format
    assert detect_format(data) == kind
    (doc,) = read_documents(data, f"春耕.{ext}")
    assert doc.source_format == kind
    assert doc.title == TITLE
    text = text_of(doc)
    for part in (*BODY, *CELLS, "文本框所在段落。"):
        assert part in text
    assert text.count(BOX) == 1
    assert doc.review is None


def test_odt_through_libreoffice(legacy: dict[str, bytes]) -> None:
    assert detect_format(legacy["odt"]) == "odt"
    (doc,) = read_documents(legacy["odt"], "春耕.odt")
    assert doc.title == TITLE
    assert BODY[1] in doc.paragraphs and text_of(doc).count(BOX) == 1


def test_pdf_made_by_libreoffice(legacy: dict[str, bytes]) -> None:
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    if not fonts.stdout.strip():
        # Without a CJK font LibreOffice writes a broken text layer (every glyph the
        # same); the font-independent PDF test above still covers the reader.
        need("no CJK font installed (fonts-wqy-zenhei / fonts-noto-cjk)")
    (doc,) = read_documents(legacy["pdf"], "春耕.pdf")
    assert doc.review is None
    assert doc.title == TITLE
    flat = "".join("".join(doc.paragraphs).split())
    for part in BODY:
        assert "".join(part.split()) in flat


def test_catdoc_when_libreoffice_is_missing(
    legacy: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "find_soffice", lambda: None)
    if shutil.which("catdoc") is None:
        need("catdoc is not installed")
    (doc,) = read_documents(legacy["doc"], "春耕.doc")
    assert doc.title == TITLE and BODY[1] in doc.paragraphs
    with pytest.raises(DocumentError, match="请安装 LibreOffice"):
        read_documents(legacy["rtf"], "春耕.rtf")
    monkeypatch.setattr(convert, "find_catdoc", lambda: None)
    with pytest.raises(DocumentError, match="请安装 LibreOffice"):
        read_documents(legacy["doc"], "春耕.doc")


def _soffice_pids_for(profile: Path) -> list[int]:
    uri = profile.as_uri().encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if uri in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def test_converter_timeout_kills_the_process_group(
    legacy: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "CONVERT_TIMEOUT", 0.2)
    with pytest.raises(DocumentError, match="超时"):
        read_documents(legacy["rtf"], "慢.rtf")
    profile = convert._private_base() / "profile"
    assert _soffice_pids_for(profile) == []
    monkeypatch.undo()
    (doc,) = read_documents(legacy["rtf"], "春耕.rtf")  # the profile still works
    assert doc.title == TITLE


def test_conversion_waits_for_another_process_holding_the_lock(
    legacy: dict[str, bytes],
) -> None:
    """``zwxx run`` and ``zwxx poll`` overlapping: the second waits for the first."""
    lock = convert._private_base() / "convert.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(2)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        (doc,) = read_documents(legacy["rtf"], "春耕.rtf")
        assert time.monotonic() - started >= 1.5
        assert doc.title == TITLE
    finally:
        holder.wait(10)


def test_conversions_in_parallel_threads_are_serialised(legacy: dict[str, bytes]) -> None:
    results: list[object] = []

    def work(ext: str) -> None:
        try:
            results.append(read_documents(legacy[ext], f"春耕.{ext}")[0].title)
        except Exception as exc:  # collected, asserted below
            results.append(exc)

    threads = [threading.Thread(target=work, args=(ext,)) for ext in ("doc", "odt")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == [TITLE, TITLE]


def test_broken_word_binary_fails_with_a_reason(legacy: dict[str, bytes]) -> None:
    with pytest.raises(DocumentError) as info:
        read_documents(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "旧格式.doc")
    assert CJK.search(info.value.message)


# ----------------------------------------------------------------------------- corpus
def test_every_corpus_document_is_read_or_refused_with_a_reason() -> None:
    docs_dir = CORPUS / "docs"
    if not docs_dir.is_dir():
        pytest.skip(f"corpus folder absent: {docs_dir}")
    manifest = corpus_manifest()
    files = sorted(p for p in docs_dir.rglob("*") if p.is_file())
    assert files
    for path in files:
        rel = path.relative_to(CORPUS).as_posix()
        try:
            docs = read_documents(path.read_bytes(), path.name)
        except DocumentError as exc:
            assert CJK.search(exc.message), (rel, exc.message)
            continue
        assert docs, rel
        for doc in docs:
            if doc.review:
                assert CJK.search(doc.review), rel
                continue
            text = text_of(doc)
            assert text.strip(), rel
            if manifest.get(rel, {}).get("cjk") == "True":
                assert CJK.search(text), rel
