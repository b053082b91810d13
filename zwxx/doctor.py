"""`zwxx doctor`: check every configured part and say in Chinese what is wrong."""

from __future__ import annotations

import os
from collections.abc import Iterator

import sqlalchemy as sa
from imapclient.exceptions import IMAPClientError

from zwxx.app import App
from zwxx.errors import ZwxxError
from zwxx.ingest.dropfolder import DropFolder
from zwxx.ingest.imap import ImapSource, close_quietly, connect, resolve_folders

Check = tuple[bool, str]


def check_all(app: App) -> Iterator[Check]:
    yield from check_database(app)
    yield from check_dropfolder(app)
    for box in app.settings.mailbox:
        yield from check_mailbox(app, box)
    if app.settings.dropfolder.path is None and not app.settings.mailbox:
        yield False, "未配置任何来源：请在设置文件中填写 [dropfolder] path 或 [[mailbox]]"


def check_database(app: App) -> Iterator[Check]:
    url = app.engine.url.render_as_string(hide_password=True)
    try:
        with app.engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        yield True, f"数据库 {url} 可用（表结构版本 {version}）"
    except sa.exc.SQLAlchemyError as exc:
        yield False, f"数据库 {url} 无法使用：{exc.__class__.__name__}"


def check_dropfolder(app: App) -> Iterator[Check]:
    path = app.settings.dropfolder.path
    if path is None:
        return
    if not path.is_dir():
        yield False, f"OA 投递文件夹 {path} 不存在：请创建或修改 [dropfolder] path"
        return
    if not os.access(path, os.W_OK):
        yield False, f"OA 投递文件夹 {path} 不可写：处理后的文件无法移到 archive/"
        return
    waiting = len(DropFolder(path, app.tz, app.settings.dropfolder.settle_seconds).candidates())
    yield True, f"OA 投递文件夹 {path} 可用，待处理文件 {waiting} 个"


def check_mailbox(app: App, box) -> Iterator[Check]:
    label = f"邮箱 {box.username}（{box.host}:{box.port}）"
    try:
        client = connect(box)
    except ZwxxError as exc:
        yield False, f"{label}：{exc.message}"
        return
    try:
        sent_id = client.has_capability("ID")
        yield True, f"{label} 已连接并登录" + ("，已发送 ID 标识" if sent_id else "")
        source = ImapSource(box, app.engine)
        for folder in resolve_folders(client, box):
            try:
                state = source.folder_state(client, folder)
            except ZwxxError as exc:
                yield False, f"{label}：{exc.message}"
                continue
            waiting = max(0, (state.uidnext or 0) - 1 - state.last_uid) if state.uidnext else "?"
            note = "（UIDVALIDITY 已变化，将重新扫描并按内容去重）" if state.rescan else ""
            yield (
                True,
                f"{label} 文件夹“{folder}”：共 {state.exists} 封，已收取至 UID {state.last_uid}，"
                f"待收取约 {waiting} 封{note}",
            )
    except (ZwxxError, IMAPClientError, OSError) as exc:
        yield False, f"{label}：{getattr(exc, 'message', exc)}"
    finally:
        close_quietly(client)
