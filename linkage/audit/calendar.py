"""The campaign calendar (时间安排): which phase a run's ``--as-of`` falls in, and what is due next.

The notice's three phases are the default; the dates are data (month-day pairs, a phase may
cross the new year), so a province with another calendar passes its own list.  A date in no
phase (before the training, after the assessment) is 不在清查期间.

>>> phase_of("2027-01-20").name, phase_of("2027-01-20").next_due
('核查清理', '2月29日前(平年2月28日)上报清查总结(人户分离、违法生育、逻辑错误、重复信息)')
>>> phase_of("2026-12-20").name, phase_of("2027-03-10").name, phase_of("2026-07-01").name
('培训部署', '抽查评估', '不在清查期间')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..errors import ConfigError
from ..normalize.dates import as_of_date


@dataclass(frozen=True)
class Phase:
    """A phase: name, first and last day as (month, day), and what is due by its end."""

    name: str
    start: tuple[int, int]
    end: tuple[int, int]
    next_due: str

    def contains(self, when: pd.Timestamp) -> bool:
        day = (when.month, when.day)
        end = self.end
        if end == (2, 29):  # the notice's 2月29日: the last day of February in any year
            end = (2, 29 if when.is_leap_year else 28)
        if self.start <= end:
            return self.start <= day <= end
        return day >= self.start or day <= end  # crosses the new year

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "start": list(self.start), "end": list(self.end), "next_due": self.next_due}


PHASES: tuple[Phase, ...] = (
    Phase("培训部署", (12, 15), (12, 31), "12月31日前完成社区培训和部署"),
    Phase("核查清理", (1, 1), (2, 29), "2月29日前(平年2月28日)上报清查总结(人户分离、违法生育、逻辑错误、重复信息)"),
    Phase("抽查评估", (3, 1), (3, 15), "3月15日前完成抽查验收,结果纳入年度考核"),
)
"""The campaign notice's calendar."""
OUTSIDE = Phase("不在清查期间", (0, 0), (0, 0), "下一次清查自12月15日培训部署开始")


def date_option(value: object, flag: str) -> pd.Timestamp:
    """A date given on the command line (``--due``, ``--deadline``): ConfigError naming the flag
    (Chinese first) when it is not a date.

    >>> date_option("2027-02-28", "--deadline").date().isoformat()
    '2027-02-28'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigError(f"{flag}: 未给出日期; give a date such as 2027-01-31")
    try:
        return as_of_date(value)
    except ConfigError as exc:
        raise ConfigError(f"{flag}: {value!r} 不是有效日期(例如 2027-01-31); not a date") from exc


def phase_of(as_of: object, phases: tuple[Phase, ...] = PHASES) -> Phase:
    """The phase containing ``as_of`` (a date, or None for today), else ``OUTSIDE``."""
    when = as_of_date(as_of)
    for phase in phases:
        if phase.contains(when):
            return phase
    return OUTSIDE


def phase_lines(as_of: object, phases: tuple[Phase, ...] = PHASES) -> dict[str, str]:
    """The first lines of a run's summary: the phase and what is due next."""
    phase = phase_of(as_of, phases)
    return {"campaign_phase": phase.name, "next_due": phase.next_due}
