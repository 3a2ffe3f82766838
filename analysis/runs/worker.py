"""A local worker process: runs tasks sent by :class:`analysis.runs.local_pool.WorkerPool`.

Started as a fresh interpreter (``python -c`` with :data:`BOOTSTRAP`) that
imports only this module and the functions it is asked to run, never the
caller's ``__main__``: a script without an ``if __name__ == "__main__":``
guard, or a notebook, can start workers safely.

Protocol (length-prefixed pickles): on standard input, messages
``(batch, index, function, task, scenario_key, scenario)``; ``task`` has its
``scenario`` replaced by ``scenario_key`` when it has one, and ``scenario``
is sent only the first time this worker needs it (the parent mirrors this
worker's cache, :data:`CACHE_SIZE` scenarios, least recently used dropped).
On the original standard output, replies ``("ok", batch, index, output)``
or ``("error", batch, index, exception)``. Anything the simulation prints
goes to standard error instead.

The worker ends as soon as its standard input closes, even in the middle of
a task: the parent closed the pool, or died (``kill -9`` included), so no
worker outlives its parent. It ignores Ctrl-C, which the parent handles.
"""

from __future__ import annotations

import copy
import os
import pickle
import queue
import signal
import struct
import sys
import threading
import traceback
from collections import OrderedDict
from typing import IO, Any

CACHE_SIZE = 16
_HEADER = struct.Struct("!Q")

# Run by ``python -c``: put the parent's import path first, then serve.
BOOTSTRAP = ("import json, os, sys; sys.path[:0] = json.loads(os.environ['CCSIM_WORKER_PATH']); "
             "from analysis.runs.worker import serve; serve()")


class RemoteError(RuntimeError):
    """An exception raised in a worker that could not be sent back as itself."""


def write_message(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_message(stream: IO[bytes]) -> Any:
    """The next message, or ``None`` at end of stream (a partial message counts as the end)."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    data = _read_exactly(stream, _HEADER.unpack(header)[0])
    return None if data is None else pickle.loads(data)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def serve() -> None:
    """The worker's main loop (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the replies
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_read_until_parent_leaves, args=(sys.stdin.buffer, inbox), daemon=True).start()
    cache: OrderedDict[Any, Any] = OrderedDict()
    while True:
        batch, index, function, task, key, scenario = inbox.get()
        try:
            output = function(_with_scenario(task, key, scenario, cache))
            reply = ("ok", batch, index, output)
        except Exception as error:  # noqa: BLE001 - every failure goes back to the parent
            reply = ("error", batch, index, _sendable(error))
        try:
            write_message(replies, reply)
        except Exception as error:  # noqa: BLE001 - e.g. an output that cannot be pickled
            write_message(replies, ("error", batch, index, _sendable(error)))


def _read_until_parent_leaves(stream: IO[bytes], inbox: queue.SimpleQueue) -> None:
    while (message := read_message(stream)) is not None:
        inbox.put(message)
    os._exit(0)  # the parent closed the pool or died: stop now, even mid-task


def _with_scenario(task: Any, key: Any, scenario: Any, cache: OrderedDict) -> Any:
    if key is None:
        return task
    if scenario is not None:
        cache[key] = scenario
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    else:
        scenario = cache[key]
    cache.move_to_end(key)
    return replace_scenario(task, scenario)


def replace_scenario(task: Any, scenario: Any) -> Any:
    """A copy of ``task`` with another ``scenario`` (a key standing for it in transit, or the real one).

    No ``__init__``/``__post_init__`` runs, so a frozen task dataclass can hold a placeholder.
    """
    clone = copy.copy(task)
    object.__setattr__(clone, "scenario", scenario)
    return clone


def _sendable(error: BaseException) -> BaseException:
    """The exception itself with the worker's traceback as a note, or a RemoteError if it cannot be pickled."""
    text = "".join(traceback.format_exception(error))
    try:
        error.add_note(f"(raised in a worker process)\n{text}")
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001
        return RemoteError(f"{type(error).__name__}: {error}\n{text}")
