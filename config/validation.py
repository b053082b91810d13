"""Turn TOML and pydantic failures into the one-line Chinese message the office sees."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from zwxx.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

# pydantic error type -> what the office reads. Anything not listed falls back to a
# generic sentence with the offending value, which is still actionable.
_PROBLEMS = {
    "missing": "缺少必填项",
    "extra_forbidden": "不是可识别的设置项（请检查拼写）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字（用引号括起）",
    "list_type": '应为列表，如 ["a", "b"]',
    "dict_type": "应为表（[节]）",
    "model_type": "应为表（[节]）",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "literal_error": "只能取 {expected}",
    "enum": "只能取 {expected}",
}


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file or raise ConfigError naming the file and the line."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"配置错误：找不到文件 {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"配置错误：{path} 是文件夹，不是配置文件") from None
    except UnicodeDecodeError:
        raise ConfigError(f"配置错误：文件 {path} 不是 UTF-8 编码，请另存为 UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置错误：文件 {path} 不是有效的 TOML：{_toml_problem(exc)}") from None


_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def _toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    text = str(exc)
    match = _AT.search(text)  # Python 3.11's message carries the position, not attributes
    if match is None:
        return f"语法错误（{text}）"
    detail = _AT.sub("", text)
    return f"第 {match.group(1)} 行第 {match.group(2)} 列有语法错误（{detail}）"


def key_of(loc: tuple[Any, ...]) -> str:
    """('mailbox', 0, 'port') -> 'mailbox[1].port' (1-based, as a clerk counts)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def describe(err: ErrorDetails) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    template = _PROBLEMS.get(kind)
    if template is not None:
        try:
            problem = template.format(**ctx)
        except (KeyError, IndexError):
            problem = template
    elif kind == "value_error":
        # Our own validators raise ValueError with a Chinese sentence.
        problem = str(ctx.get("error", err.get("msg", "")))
    else:
        problem = "取值无效"
    if kind not in ("missing", "extra_forbidden") and "input" in err:
        problem += f"（当前值：{err['input']!r}）"
    return problem


def validation_error(path: object, exc: ValidationError) -> ConfigError:
    """The first error of a ValidationError as one Chinese line (file, key, problem)."""
    err = exc.errors()[0]
    more = len(exc.errors()) - 1
    suffix = f"；另有 {more} 处错误" if more > 0 else ""
    return ConfigError(f"配置错误：文件 {path} 中“{key_of(err['loc'])}”{describe(err)}{suffix}")


def load_model(model: type[M], path: Path, data: dict[str, Any] | None = None) -> M:
    """Validate ``data`` (or the TOML at ``path``) against ``model``."""
    raw = read_toml(path) if data is None else data
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(path, exc) from None
