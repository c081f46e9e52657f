"""Progress of a batch run on standard error: one line per stage with the elapsed time, and
inside long stages the count done, the rate and an estimate of the time left.  On a terminal
the counts redraw one bar in place; elsewhere (a log file, a pipe) they are plain lines at most
once a second.  Silent unless enabled.

>>> import io
>>> out = io.StringIO()
>>> p = Progress(enabled=True, stream=out)
>>> p.stage("scoring")
>>> p.step(50, 100)
>>> p.step(100, 100)
>>> p.done()
>>> lines = out.getvalue().splitlines()
>>> lines[0].endswith("scoring ..."), "50/100 (50%)" in lines[1] and "left" in lines[1], "took" in lines[-1]
(True, True, True)
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

BAR_WIDTH = 24
REDRAW_EVERY = 0.2
"""Seconds between two redraws of the bar on a terminal."""
LINE_EVERY = 1.0
"""Seconds between two plain progress lines."""


def _duration(seconds: float) -> str:
    """'4.2s', '42s', '3m05s', '1h02m'."""
    if seconds < 10:
        return f"{max(seconds, 0.0):.1f}s"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def _rate(per_second: float) -> str:
    """'850/s', '12.3k/s', '1.2M/s'."""
    if per_second >= 1e6:
        return f"{per_second / 1e6:.1f}M/s"
    if per_second >= 1e4:
        return f"{per_second / 1e3:.1f}k/s"
    return f"{per_second:,.0f}/s"


@dataclass
class Progress:
    """``stage(name)`` starts a stage; ``step(done, total)`` reports within it.  ``timings``:
    wall seconds per stage; ``cpu_timings``: this process's CPU seconds per stage (what a stage
    costs on a machine others share)."""

    enabled: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)
    cpu_timings: dict[str, float] = field(default_factory=dict)
    bar: bool | None = None
    """Redraw a bar in place; default: when ``stream`` is a terminal."""
    _stage: str = ""
    _stage_start: float = 0.0
    _stage_cpu: float = 0.0
    _last_step: float = 0.0
    _drawn: bool = False

    def __post_init__(self) -> None:
        if self.bar is None:
            isatty = getattr(self.stream, "isatty", None)
            self.bar = bool(isatty and isatty())

    def stage(self, name: str) -> None:
        self._close()
        self._stage, self._stage_start, self._stage_cpu = name, time.perf_counter(), time.process_time()
        self._last_step = 0.0
        if self.enabled:
            print(f"[{self._clock()}] {name} ...", file=self.stream, flush=True)

    def step(self, done: int, total: int) -> None:
        """``done`` of ``total`` items of the current stage are done."""
        if not (self.enabled and total):
            return
        now = time.perf_counter()
        finished = done >= total
        if not finished and now - self._last_step < (REDRAW_EVERY if self.bar else LINE_EVERY):
            return
        self._last_step = now
        text = f"{self._stage}: {self._counts(done, total, now - self._stage_start)}"
        if self.bar:
            filled = int(BAR_WIDTH * min(done, total) / total)
            line = f"\r[{self._clock()}]   [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {text}"
            print(line, end="\n" if finished else "", file=self.stream, flush=True)
            self._drawn = not finished
        else:
            print(f"[{self._clock()}]   {text}", file=self.stream, flush=True)

    def done(self) -> None:
        self._close()
        self._stage = ""

    @staticmethod
    def _counts(done: int, total: int, elapsed: float) -> str:
        """'1,234/5,678 (22%), 850/s, 5s left' (or 'took 7s' once done)."""
        text = f"{done:,}/{total:,} ({100 * done / total:.0f}%)"
        if elapsed <= 0 or done <= 0:
            return text
        per_second = done / elapsed
        tail = f"took {_duration(elapsed)}" if done >= total else f"{_duration((total - done) / per_second)} left"
        return f"{text}, {_rate(per_second)}, {tail}"

    def _close(self) -> None:
        if self._stage:
            self.timings[self._stage] = time.perf_counter() - self._stage_start
            self.cpu_timings[self._stage] = time.process_time() - self._stage_cpu
        if self._drawn:  # a bar left unfinished: end its line before the next one
            print(file=self.stream, flush=True)
            self._drawn = False

    def _clock(self) -> str:
        return f"{time.perf_counter() - self.started:7.1f}s"
