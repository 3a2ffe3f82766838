"""Files written atomically: a temporary name in the same directory, then a rename.

An interrupted run never leaves a partial file that looks complete. Inside
an open results folder (:mod:`analysis.outputs.folders`) every write is
checked (no symbolic link on the way) and listed in the folder's record;
anywhere else, an existing symbolic link is never written through.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pandas as pd

from analysis.errors import ResultsFolderError

from .folders import active_folder


def atomic_write(path: str | Path, write: Callable[[IO], None], binary: bool = False) -> Path:
    """Write a file via ``write(handle)`` to a temporary file, then rename it into place.

    The file gets the usual permissions (0666 minus the umask), not the
    owner-only mode of temporary files.
    """
    path = Path(path)
    folder = active_folder(path)
    if folder is not None:
        path = folder.prepare(path)
    else:
        if path.is_symlink():
            raise ResultsFolderError(f"{path} is a symbolic link; refusing to write through it")
        path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        stream_options = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
        with os.fdopen(handle, **stream_options) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if folder is not None:
        folder.note_written(path)
    return path


def remove_file(path: str | Path) -> None:
    """Delete a file this project wrote: never through a symbolic link (a link itself is refused too)."""
    path = Path(path)
    folder = active_folder(path)
    if folder is not None:
        path = folder.prepare(path)
    elif path.is_symlink():
        raise ResultsFolderError(f"{path} is a symbolic link; refusing to delete through it")
    path.unlink(missing_ok=True)


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    return atomic_write(path, lambda stream: stream.write(data), binary=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_json(path: str | Path, data: Any) -> Path:
    return atomic_write(path, lambda stream: json.dump(json_safe(data), stream, indent=2, allow_nan=False))


def write_csv(path: str | Path, table: pd.DataFrame) -> Path:
    return atomic_write(path, lambda stream: table.to_csv(stream, index=False))


TABLE_FORMATS = ("csv", "parquet")


def parquet_available() -> None:
    """Raise a user-facing error (before anything runs) when Parquet cannot be written."""
    try:
        import pyarrow  # noqa: F401  (pandas writes Parquet through it)
    except ImportError:
        from analysis.errors import CommandError

        raise CommandError('Parquet output needs pyarrow: pip install -e ".[parquet]" (or use --format csv)') from None


def write_table(path: str | Path, table: pd.DataFrame, table_format: str = "csv") -> Path:
    """A table as CSV, or as Parquet (needs the optional ``pyarrow``: ``pip install -e ".[parquet]"``)."""
    if table_format == "csv":
        return write_csv(path, table)
    if table_format != "parquet":
        raise ValueError(f"table format must be one of {', '.join(TABLE_FORMATS)}, got {table_format!r}")
    parquet_available()
    return atomic_write(path, lambda stream: table.to_parquet(stream, index=False, engine="pyarrow"), binary=True)


def json_safe(value: Any) -> Any:
    """NaN and infinity become null (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value
