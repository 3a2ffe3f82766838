"""Errors the user can act on: the command line reports them in one line and exits with status 2.

Anything else escaping a command is a bug and keeps its traceback.
"""

from __future__ import annotations

from sim.config.errors import ScenarioError


class CommandError(Exception):
    """A problem with what was asked or where it should run, explained in the message."""


class ExecutionError(CommandError):
    """Tasks cannot run where asked (no Dask, unreachable scheduler, no workers, a worker died)."""


class ResultsFolderError(CommandError):
    """A results folder cannot be written safely (in use, holds other results, a link in the way)."""


USER_ERRORS: tuple[type[Exception], ...] = (ScenarioError, CommandError)
