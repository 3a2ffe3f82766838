"""TOML text for plain data, with optional comments: the one writer for every scenario file ccsim writes.

The standard library reads TOML but does not write it, and the writers on
PyPI drop comments, which are half the value of a scenario a planner will
copy. Layout: scalars and small tables inline (``handle_time = { dist =
"lognormal", ... }``); a table gets its own ``[section]`` when it carries
comments, long lists or several sub-tables; lists of tables are
``[[arrays]]``; long lists are wrapped. ``None`` values are left out.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")
_INLINE_LIST_LIMIT = 8  # lists up to this long are always inline
_LINE_ITEMS = 12  # numbers per line in wrapped lists
_LINE_WIDTH = 90  # a list of up to _LINE_ITEMS values stays inline if it is this short


def toml_document(data: Mapping[str, Any], comments: Mapping[str, list[str]] | None = None,
                  header: list[str] | None = None, float_digits: int | None = None) -> str:
    """TOML text for ``data`` (dicts, lists, strings, numbers, booleans).

    ``comments`` maps a dotted path (``demand``, ``contact_types`` or
    ``contact_types.<name>`` for the entry with that ``name``) to lines
    written above that section; ``header`` lines open the file. Floats are
    written exactly unless ``float_digits`` rounds them (to that many
    decimals, or significant digits below 0.001) for readability.
    """
    writer = _Writer(comments or {}, float_digits)
    out = [f"# {line}" for line in header or []]
    if out:
        out.append("")
    writer.table((), data, out)
    return "\n".join(out).strip() + "\n"


class _Writer:
    def __init__(self, comments: Mapping[str, list[str]], float_digits: int | None):
        self.comments = comments
        self.float_digits = float_digits

    def table(self, path: tuple[str, ...], table: Mapping[str, Any], out: list[str]) -> None:
        """Inline values first, then sub-tables and lists of tables (TOML requires that order)."""
        later = []
        for key, value in table.items():
            if value is None:
                continue
            if _is_table_list(value) or self._needs_section(value, (*path, key)):
                later.append((key, value))
            else:
                out.append(f"{_key(key)} = {self.value(value)}")
        for key, value in later:
            child = (*path, key)
            header = ".".join(_key(part) for part in child)
            if _is_table_list(value):
                for position, item in enumerate(value):
                    out.append("")
                    if position == 0:
                        out.extend(self._comment(child))
                    out.extend(self._comment((*child, str(item.get("name")))))
                    out.append(f"[[{header}]]")
                    self.table(child, item, out)
            else:
                out.append("")
                out.extend(self._comment(child))
                out.append(f"[{header}]")
                self.table(child, value, out)

    def value(self, value: Any) -> str:
        if isinstance(value, Mapping):
            return "{ " + ", ".join(f"{_key(k)} = {self.value(v)}" for k, v in value.items() if v is not None) + " }"
        if isinstance(value, (list, tuple)):
            return self._array(list(value))
        return self._scalar(value)

    def _needs_section(self, value: Any, path: tuple[str, ...]) -> bool:
        if not isinstance(value, Mapping):
            return False
        if ".".join(path) in self.comments:
            return True
        long_list = any(isinstance(item, (list, tuple)) and self._wraps(list(item)) for item in value.values())
        sub_tables = sum(isinstance(item, Mapping) for item in value.values())
        return (long_list or sub_tables > 1 or any(_is_table_list(item) for item in value.values())
                or any(self._needs_section(item, (*path, key)) for key, item in value.items()))

    def _comment(self, path: tuple[str, ...]) -> list[str]:
        return [f"# {line}" for line in self.comments.get(".".join(path), [])]

    def _wraps(self, values: list) -> bool:
        """Short lists of numbers or strings stay on one line; anything else longer is wrapped."""
        if len(values) <= _INLINE_LIST_LIMIT:
            return False
        if any(isinstance(item, (Mapping, list, tuple)) for item in values):
            return True
        return len(values) > _LINE_ITEMS or sum(len(self.value(item)) + 2 for item in values) > _LINE_WIDTH

    def _array(self, values: list) -> str:
        items = [self.value(item) for item in values]
        if not self._wraps(values):
            return "[" + ", ".join(items) + "]"
        per_line = _LINE_ITEMS if all(not isinstance(v, (Mapping, list, tuple)) for v in values) else 1
        lines = [", ".join(items[start:start + per_line]) for start in range(0, len(items), per_line)]
        return "[\n  " + ",\n  ".join(lines) + ",\n]"

    def _scalar(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return self._float(value)
        if isinstance(value, str):
            return _string(value)
        raise TypeError(f"cannot write {type(value).__name__} to TOML")

    def _float(self, value: float) -> str:
        if math.isnan(value):
            raise ValueError("NaN cannot be written to a scenario file")
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if self.float_digits is None or value == 0:
            return repr(value)
        if abs(value) >= 1e-3:
            return repr(round(value, self.float_digits))
        return repr(float(f"{value:.{self.float_digits}g}"))


def _is_table_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(item, Mapping) for item in value)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    # A JSON string is a TOML basic string, except that JSON escapes characters beyond the BMP as
    # surrogate pairs, which TOML rejects, and leaves DEL raw, which TOML does not allow.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
