"""Progress of a batch run on standard error: one line per stage with the elapsed time,
and percentages inside long stages.  Silent unless enabled."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Progress:
    """``stage(name)`` starts a stage; ``step(done, total)`` reports within it."""

    enabled: bool = False
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)
    _stage: str = ""
    _stage_start: float = 0.0
    _last_step: float = 0.0

    def stage(self, name: str) -> None:
        self._close()
        self._stage, self._stage_start = name, time.perf_counter()
        if self.enabled:
            print(f"[{self._clock()}] {name} ...", file=self.stream, flush=True)

    def step(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.enabled and total and (now - self._last_step > 1.0 or done >= total):
            self._last_step = now
            print(f"[{self._clock()}]   {self._stage}: {done:,}/{total:,} ({100 * done / total:.0f}%)",
                  file=self.stream, flush=True)

    def done(self) -> None:
        self._close()
        self._stage = ""

    def _close(self) -> None:
        if self._stage:
            self.timings[self._stage] = time.perf_counter() - self._stage_start

    def _clock(self) -> str:
        return f"{time.perf_counter() - self.started:7.1f}s"
