"""Errors the user can act on: the command line reports them in one line and exits with status 2.

Anything else escaping a command is a bug: the command line says so (exit status 1) and shows the
traceback with ``--debug``.
"""

from __future__ import annotations

from sim.config.errors import UserInputError


class CommandError(Exception):
    """A problem with what was asked or where it should run, explained in the message."""


class ExecutionError(CommandError):
    """Tasks cannot run where asked (no Dask, unreachable scheduler, no workers, a worker died)."""


class ResultsFolderError(CommandError):
    """A results folder cannot be written safely (in use, holds other results, a link in the way)."""


# UserInputError: every input file, option or data problem (scenario, sweep, templates, logs, limits, ...).
USER_ERRORS: tuple[type[Exception], ...] = (UserInputError, CommandError)
