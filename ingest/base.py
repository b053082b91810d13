"""The seam between sources and the pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session


@dataclass
class Incoming:
    """One message or file from a source, with where it came from."""

    source: str  # imap | dropfolder
    raw: bytes
    name: str  # file name (drop folder) or a label for logs
    received_at: datetime  # aware; the office's receipt time, never the Date header
    folder_unit: str | None = None  # unit named by the OA sub-folder
    sidecar_unit: str | None = None  # unit named by the OA sidecar .json
    sender: str | None = None  # from a sidecar; a message's own From is read by mime
    provenance: dict[str, Any] = field(default_factory=dict)  # path | mailbox/folder/uid...
    message_id: str | None = None  # known before parsing (IMAP), to recognise re-scans
    failure: str | None = None  # set when the source could not take it (e.g. too large)
    identity: str | None = None  # when the bytes alone are not what identifies it


def safe_text(text: str | None) -> str:
    """Text any database stores: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if not text:
        return ""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


class Source(Protocol):
    """A place submissions arrive. Yields envelopes; told when each is recorded."""

    name: str

    def incoming(self) -> Iterator[Incoming]: ...

    def in_transaction(self, session: Session, item: Incoming) -> None:
        """Called inside the transaction that records ``item`` (e.g. a checkpoint)."""

    def after_commit(self, item: Incoming, status: str, reason: str | None) -> None:
        """Called once ``item`` is durably recorded (e.g. move the file to archive/)."""
