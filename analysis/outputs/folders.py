"""Results folders that fail safely: one writer at a time, no silent overwrite, no followed links.

A command that writes a results folder opens it as a :class:`ResultsFolder`
before anything is written:

* **One writer**: an advisory lock (``flock``) on ``OUT/.ccsim/lock``; a
  second writer is refused at once with the holder's pid and command. The
  operating system drops the lock when its holder dies, so a lock left by a
  killed process is taken over (a lock on a network file system may not be
  honoured).
* **No silent overwrite**: ``OUT/.ccsim/record.json`` says what produced the
  folder (command, a digest of everything that decides the results, and
  those inputs) and whether it finished. Other inputs are refused unless
  ``overwrite``, which first deletes the files this command wrote there
  (``OUT/.ccsim/files`` lists them), never anything else. The same inputs
  rerun, or resume (a sweep). A folder holding files but no record (not
  written by ccsim, or by an older version) is refused unless ``overwrite``,
  which then deletes nothing.
* **No followed links**: files are written only into real directories below
  ``OUT``; a symbolic link as ``OUT`` itself, as a folder below it, or as a
  file about to be written or deleted is refused.

Files written through :mod:`analysis.outputs.files` while a folder is open
are checked and listed automatically. :meth:`ResultsFolder.finish` records
every listed file's size and SHA-256; :func:`check_folder` (used by
``ccsim report``) compares a folder with that manifest, and
:func:`unfinished_command` says which command left it unfinished. Every refusal is a
:class:`~analysis.errors.ResultsFolderError` (exit status 2 on the command line).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.errors import ResultsFolderError

STATE_FOLDER = ".ccsim"
_LOCK, _RECORD, _FILES = "lock", "record.json", "files"
_ACTIVE: contextvars.ContextVar[tuple["ResultsFolder", ...]] = contextvars.ContextVar("results_folders", default=())


def digest(data: Any) -> str:
    """SHA-256 of JSON data in a canonical form (sorted keys)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_digest(scenario: Any) -> str:
    """Digest of a fully resolved scenario (files it references are inlined when it is loaded)."""
    return digest(scenario.model_dump(mode="json"))


def file_digest(path: str | Path) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def file_entry(path: str | Path) -> dict[str, Any]:
    return {"bytes": os.path.getsize(path), "sha256": file_digest(path)}


def refuse_links(root: Path, path: Path) -> None:
    """Refuse ``path`` if it, or a folder between ``root`` and it, is a symbolic link."""
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise ResultsFolderError(f"{current} is a symbolic link; ccsim writes and deletes only in real "
                                     f"folders below {root} (remove the link or choose another --out)")


def active_folder(path: str | Path) -> "ResultsFolder | None":
    """The innermost open results folder containing ``path`` (None outside every open folder)."""
    absolute = Path(os.path.abspath(path))
    for folder in reversed(_ACTIVE.get()):
        if absolute == folder.root or folder.root in absolute.parents:
            return folder
    return None


class ResultsFolder:
    """An open results folder (see the module docstring); a context manager.

    ``inputs`` is JSON data holding everything that decides the results
    (e.g. scenario digest, seed, replications), not where they run.
    ``mismatch`` (an exception to raise) replaces the generic refusal of a
    folder holding other inputs, e.g. a sweep's own error and wording.
    """

    def __init__(self, path: str | Path, command: str, inputs: Mapping[str, Any], overwrite: bool = False,
                 argv: list[str] | None = None, mismatch: ResultsFolderError | None = None) -> None:
        self.root = Path(os.path.abspath(path))
        self.command = command
        self.inputs = json.loads(json.dumps(dict(inputs), sort_keys=True, default=str))  # plain JSON data
        self.digest = digest({"command": command, "inputs": self.inputs})
        self.overwrite = overwrite
        self.argv = list(argv) if argv is not None else ["ccsim", *sys.argv[1:]]
        self.mismatch = mismatch
        self.resumed = False  # the folder held an unfinished or finished run of the same inputs
        self._lock_fd: int | None = None
        self._created = False
        self._written: set[str] = set()
        self._started = False
        self._token: contextvars.Token | None = None

    # --- opening -------------------------------------------------------------------------------

    def __enter__(self) -> "ResultsFolder":
        self._make_root()
        try:
            self._lock_fd = take_lock(self.state / _LOCK, self.root, self.argv)
            self._check_record()
        except BaseException:
            self._release()
            self._remove_if_untouched()
            raise
        self._token = _ACTIVE.set((*_ACTIVE.get(), self))
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if self._token is not None:
            _ACTIVE.reset(self._token)
            self._token = None
        self._release()
        if kind is not None:
            self._remove_if_untouched()

    @property
    def state(self) -> Path:
        return self.root / STATE_FOLDER

    def _make_root(self) -> None:
        if self.root.is_symlink():
            raise ResultsFolderError(f"{self.root} is a symbolic link; give the real folder as --out")
        if self.root.exists() and not self.root.is_dir():
            raise ResultsFolderError(f"{self.root} exists and is not a folder")
        self._created = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        refuse_links(self.root, self.state)
        self.state.mkdir(exist_ok=True)

    def _check_record(self) -> None:
        record = read_record(self.root)
        if record is not None and record.get("digest") == self.digest:
            self.resumed = True
            return
        if record is None:
            foreign = [entry.name for entry in self.root.iterdir() if entry.name != STATE_FOLDER]
            if foreign and not self.overwrite:
                raise ResultsFolderError(
                    f"{self.root} already holds files ccsim has no record of ({_listing(foreign)}); choose an "
                    "empty or new --out, or add --overwrite to write over same-named files (nothing is deleted)")
            return
        if not self.overwrite:
            if not record:
                raise ResultsFolderError(f"{self.root}: its record ({STATE_FOLDER}/{_RECORD}) is unreadable; choose "
                                         "another --out, or add --overwrite to delete the files it lists first")
            if self.mismatch is not None:
                raise self.mismatch
            raise ResultsFolderError(f"{self.root} holds results of `{' '.join(record.get('argv', []))}` "
                                     f"({_differences(record, self.command, self.inputs)}); choose another --out, "
                                     "or add --overwrite to delete those results first")
        self.clear()

    def clear(self) -> None:
        """Delete the files this folder's record lists (never anything else), and the record."""
        emptied: set[Path] = set()
        for relative in _listed_files(self.root):
            path = self.root / relative
            refuse_links(self.root, path)
            path.unlink(missing_ok=True)
            emptied.add(path.parent)
        report = self.root / "report.html"  # written by ccsim report; stale once the results go
        if report.is_file() and not report.is_symlink():
            report.unlink()
        for name in (_FILES, _RECORD):
            (self.state / name).unlink(missing_ok=True)
        for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
            while folder != self.root and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    # --- writing -------------------------------------------------------------------------------

    def prepare(self, path: str | Path) -> Path:
        """Check a file about to be written or deleted below the folder, and create its parent folders.

        The first write marks the folder as being written (record state ``running``).
        """
        path = Path(os.path.abspath(path))
        refuse_links(self.root, path)
        if not self._started:
            self._write_record("running")
            self._started = True
        parent = self.root
        for part in path.parent.relative_to(self.root).parts:
            parent = parent / part
            if not parent.is_dir():
                parent.mkdir()
        return path

    def note_written(self, path: str | Path) -> None:
        """List a file written into the folder, so ``--overwrite`` can delete it and the manifest covers it."""
        relative = Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        if relative in self._written:
            return
        self._written.add(relative)
        refuse_links(self.root, self.state / _FILES)
        with open(self.state / _FILES, "a", encoding="utf-8") as stream:
            stream.write(relative + "\n")

    def finish(self) -> dict[str, dict[str, Any]]:
        """Record the folder as complete, with the size and SHA-256 of every file listed; return that manifest."""
        manifest = {relative: file_entry(self.root / relative) for relative in sorted(_listed_files(self.root))
                    if (self.root / relative).is_file()}
        self._write_record("finished", manifest)
        return manifest

    def _write_record(self, state: str, manifest: dict | None = None) -> None:
        record = {"command": self.command, "digest": self.digest, "state": state, "inputs": self.inputs,
                  "argv": self.argv, "pid": os.getpid(),
                  "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        if manifest is not None:
            record["files"] = manifest
        path = self.state / _RECORD
        refuse_links(self.root, path)
        temporary = path.with_name(f".{_RECORD}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(record, indent=2), encoding="utf-8")
        os.replace(temporary, path)

    # --- closing -------------------------------------------------------------------------------

    def _release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor drops the lock
            self._lock_fd = None

    def _remove_if_untouched(self) -> None:
        """A folder this run created and never wrote into does not outlive a failure."""
        if self._created and not self._written and self.root.is_dir():
            shutil.rmtree(self.state, ignore_errors=True)
            try:
                self.root.rmdir()
            except OSError:
                pass


def take_lock(path: Path, root: Path, argv: list[str]) -> int:
    """Lock ``path`` for this process (refusing a link) and write who holds it; refuse if someone else does."""
    if path.is_symlink():
        raise ResultsFolderError(f"{path} is a symbolic link; refusing to use it as a lock")
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        _lock(descriptor)
    except OSError:
        os.lseek(descriptor, 0, os.SEEK_SET)
        holder = os.read(descriptor, 4096).decode("utf-8", "replace").strip() or "another process"
        os.close(descriptor)
        raise ResultsFolderError(f"{root} is in use by {holder}; wait for it to finish or choose another --out") \
            from None
    os.ftruncate(descriptor, 0)
    os.lseek(descriptor, 0, os.SEEK_SET)
    os.write(descriptor, f"pid {os.getpid()} ({' '.join(argv)})".encode())
    return descriptor


def _lock(descriptor: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)


def read_record(root: str | Path) -> dict[str, Any] | None:
    path = Path(root) / STATE_FOLDER / _RECORD
    if not path.is_file() or path.is_symlink():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _listed_files(root: Path) -> list[str]:
    path = root / STATE_FOLDER / _FILES
    if not path.is_file() or path.is_symlink():
        return []
    names = {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    # Only plain relative paths inside the folder: a tampered list cannot point elsewhere.
    return sorted(name for name in names if not name.startswith("/") and ".." not in Path(name).parts)


def _differences(record: dict, command: str, inputs: dict) -> str:
    if record.get("command") != command:
        return f"another command: {record.get('command')!r}"
    theirs = record.get("inputs") or {}
    changed = sorted(key for key in set(theirs) | set(inputs) if theirs.get(key) != inputs.get(key))
    shown = [f"{key} {_short(theirs.get(key))} there, {_short(inputs.get(key))} now" for key in changed[:4]]
    return "other inputs: " + "; ".join(shown) if shown else "other inputs"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text[:12] + "..." if len(text) > 40 else text


def _listing(names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


class FolderLock:
    """Only the lock of a results folder (e.g. while ``ccsim report`` reads it and writes its page)."""

    def __init__(self, path: str | Path, argv: list[str] | None = None) -> None:
        self.root = Path(os.path.abspath(path))
        self.argv = list(argv) if argv is not None else ["ccsim", *sys.argv[1:]]
        self._descriptor: int | None = None

    def __enter__(self) -> "FolderLock":
        state = self.root / STATE_FOLDER
        if state.is_dir() and not state.is_symlink():
            self._descriptor = take_lock(state / _LOCK, self.root, self.argv)
        return self

    def __exit__(self, *exc) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None


def check_folder(root: str | Path) -> list[str]:
    """Files of a finished results folder that differ from its manifest (missing, or other size or SHA-256).

    Empty for folders that match, that did not finish (nothing to compare
    yet: see :func:`unfinished_command`), or that have no record (written by
    older versions).
    """
    root = Path(root)
    record = read_record(root)
    problems: list[str] = []
    if record is not None and record.get("state") == "finished":
        problems += _manifest_problems(root, record.get("files") or {})
    summary = root / "summary.json"
    if summary.is_file():
        try:
            listed = json.loads(summary.read_text(encoding="utf-8")).get("files") or {}
        except (OSError, ValueError, AttributeError):
            listed = {}
        problems += [p for p in _manifest_problems(root, listed) if p not in problems]
    return problems


def unfinished_command(root: str | Path) -> str | None:
    """The command line that started writing the folder and did not finish (None when it finished or is unknown)."""
    record = read_record(root)
    if record is None or record.get("state") == "finished":
        return None
    return " ".join(record.get("argv", [])) or "an unknown command"


def _manifest_problems(root: Path, manifest: Mapping[str, Any]) -> list[str]:
    problems = []
    for relative, expected in sorted(manifest.items()):
        path = root / relative
        if not path.is_file() or path.is_symlink():
            problems.append(f"{relative} is missing")
        elif os.path.getsize(path) != expected.get("bytes") or file_digest(path) != expected.get("sha256"):
            problems.append(f"{relative} differs from the file the run wrote")
    return problems
