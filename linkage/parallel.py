"""Two pieces of independent work at once, on a machine with a second core.

Writing a run's outputs is several independent jobs (the CSV tables, 办理清单.xlsx, the printable
workbooks, report.html, state/), most of them Python that holds the interpreter lock: threads
would not overlap them.  ``side_by_side`` forks one child process that runs the second group of
jobs on the parent's data as it is (copy-on-write: nothing is pickled but the child's return
value), while the parent runs the first group; the child's result, or its error, comes back
through a pipe.  Where ``os.fork`` is missing (Windows), the machine has one core, or
``LINKAGE_WORKERS=1`` is set, or the caller runs other Python threads (a server calling the
library: a fork copies only this thread, and a lock another one held would never be released
in the child), the groups run one after the other in this process: same results.

``begin_ahead`` forks a child that starts a piece of work now (encoding the run's state while the
managing units are still being decided) and finishes it on a word sent later (the folder to write
it into): the second core works while this process is busy with stages that use one.

>>> side_by_side(lambda: [1], lambda: [2])
([1], [2])
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading
import weakref
from typing import Any, Callable, Generic, TypeVar

A = TypeVar("A")
B = TypeVar("B")
T = TypeVar("T")

WORKERS_ENV = "LINKAGE_WORKERS"
"""Environment variable: '1' runs everything in one process (for debugging, or a shared machine)."""


def can_fork() -> bool:
    """This machine can run a second group of jobs beside the first (fork, 2+ cores, not disabled)."""
    if not hasattr(os, "fork") or os.environ.get(WORKERS_ENV, "").strip() == "1":
        return False
    if threading.active_count() > 1:  # another thread may hold a lock the child would then wait on
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores > 1


_CHILD_EXTRA_MB = [0.0]
"""The largest memory a child of ``side_by_side`` added to what it shared with this process."""


def _status_mb(field: str) -> float:
    """A ``VmHWM``/``VmRSS`` line of /proc/self/status in MB (0 where there is none)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def child_extra_mb() -> float:
    """The most resident memory any child of ``side_by_side`` held beyond what it shared with this
    process at the fork (its high-water mark less its size at the start: pages it copied on
    write and what it allocated).  This process's own peak plus this bounds the pair's peak from
    above (``benchmarks.child`` reports the sum)."""
    return _CHILD_EXTRA_MB[0]


class ChildFailed(RuntimeError):
    """The child process ended without a result (killed, or its error could not be sent back)."""


def side_by_side(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """(first(), second()), ``second`` in a forked child while this process runs ``first``.

    ``second``'s return value must pickle.  An error in either is raised here, ``first``'s
    before ``second``'s; the child is always reaped (killed if this process fails first), so no
    process outlives the call."""
    if not can_fork():
        return first(), second()
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: run ``second``, send back ("ok", value) or ("error", exception)
        os.close(read)
        status = 0
        try:
            _die_with(parent)
            start = _status_mb("VmRSS")
            try:
                value = second()
                message = pickle.dumps(("ok", (value, _status_mb("VmHWM") - start)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
                status = 1
                try:
                    message = pickle.dumps(("error", error), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 - an error that does not pickle goes back as text
                    message = pickle.dumps(("error", ChildFailed(f"{type(error).__name__}: {error}")))
            with os.fdopen(write, "wb") as sink:
                sink.write(message)
        finally:
            os._exit(status)  # no atexit handlers, no flushing of the parent's buffers twice
    os.close(write)
    try:
        result = first()
    except BaseException:
        _stop(pid, read)
        raise
    with os.fdopen(read, "rb") as source:
        message = source.read()
    os.waitpid(pid, 0)
    if not message:
        raise ChildFailed("the second process ended without a result")
    kind, value = pickle.loads(message)
    if kind == "error":
        raise value
    value, extra = value
    _CHILD_EXTRA_MB[0] = max(_CHILD_EXTRA_MB[0], extra)
    return result, value


def _die_with(parent: int) -> None:
    """Make this child end when ``parent`` does (Linux: PR_SET_PDEATHSIG), so that a run killed
    mid-write leaves no process behind writing into its unfinished folder."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _stop(pid: int, read: int) -> None:
    """Kill and reap the child after the parent failed."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(read)


class Ahead(Generic[B]):
    """Work begun in a forked child (``begin_ahead``): ``send`` gives it the word it waits for,
    ``result`` waits for what it made of it.  Dropped unsent (or ``cancel``), the child is killed
    and reaped; it also dies with this process."""

    def __init__(self, pid: int, instruct: int, answer: int) -> None:
        self._pid, self._instruct, self._answer = pid, instruct, answer
        self._sent = False
        self._finalizer = weakref.finalize(self, _stop_ahead, os.getpid(), pid, instruct, answer)

    def send(self, word: Any) -> None:
        """Give the child its word (pickled; sent once, length first, so that no end of file is
        needed: a process forked later holds a copy of this pipe)."""
        if self._sent:
            raise RuntimeError("the word was already sent")
        message = pickle.dumps(word, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(os.dup(self._instruct), "wb") as sink:
            sink.write(struct.pack("<Q", len(message)) + message)
        self._sent = True

    def result(self) -> B:
        """What the child's ``finish`` returned (after ``send``); its error raised here."""
        if not self._sent:
            raise RuntimeError("send the word first")
        with os.fdopen(os.dup(self._answer), "rb") as source:
            message = source.read()
        self._finalizer.detach()
        os.close(self._instruct)
        os.close(self._answer)
        os.waitpid(self._pid, 0)
        if not message:
            raise ChildFailed("the process working ahead ended without a result")
        kind, value = pickle.loads(message)
        if kind == "error":
            raise value
        value, extra = value
        _CHILD_EXTRA_MB[0] = max(_CHILD_EXTRA_MB[0], extra)
        return value

    def cancel(self) -> None:
        """Kill and reap the child; its work is dropped."""
        self._finalizer()


def begin_ahead(prepare: Callable[[], T], finish: Callable[[T, Any], B]) -> Ahead[B] | None:
    """Fork a child that runs ``prepare()`` at once, then waits for a word (``Ahead.send``) and
    returns ``finish(prepared, word)`` (which must pickle) to ``Ahead.result``; None where this
    machine cannot fork (``can_fork``): the caller then does the work itself.  An error in
    ``prepare`` or ``finish`` is raised by ``result``."""
    if not can_fork():
        return None
    instruct_read, instruct = os.pipe()
    answer, answer_write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(instruct)
        os.close(answer)
        status = 0
        try:
            _die_with(parent)
            start = _status_mb("VmRSS")
            try:
                prepared, failure = prepare(), None
            except BaseException as error:  # noqa: BLE001 - reported once the word comes
                prepared, failure = None, error
            with os.fdopen(instruct_read, "rb") as source:
                head = source.read(8)
                word = pickle.loads(source.read(struct.unpack("<Q", head)[0])) if len(head) == 8 else None
            if len(head) != 8:  # the parent went without a word
                os._exit(0)
            try:
                if failure is not None:
                    raise failure
                value = finish(prepared, word)
                message = pickle.dumps(("ok", (value, _status_mb("VmHWM") - start)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
                status = 1
                try:
                    message = pickle.dumps(("error", error), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 - an error that does not pickle goes back as text
                    message = pickle.dumps(("error", ChildFailed(f"{type(error).__name__}: {error}")))
            with os.fdopen(answer_write, "wb") as sink:
                sink.write(message)
        finally:
            os._exit(status)
    os.close(instruct_read)
    os.close(answer_write)
    return Ahead(pid, instruct, answer)


def _stop_ahead(owner: int, pid: int, instruct: int, answer: int) -> None:
    """Kill and reap a child working ahead whose result nobody will read (only from the process that
    forked it: another child forked later, holding a copy of the handle, leaves it be)."""
    if os.getpid() != owner:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    for fd in (instruct, answer):
        try:
            os.close(fd)
        except OSError:
            pass
