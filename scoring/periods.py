"""Months and quarters in the office's timezone. Pure: no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2019-04' -> Month(2019, 4); ValueError with a Chinese message otherwise."""
        match = _MONTH.match(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"“{text}”不是有效的月份，应为 YYYY-MM，例如 2019-04")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, moment: datetime, tz: tzinfo) -> Month:
        local = moment.astimezone(tz)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def start(self, tz: tzinfo) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=tz)

    def end(self, tz: tzinfo) -> datetime:
        """Exclusive end: the first instant of the next month."""
        return self.next().start(tz)

    def quarter_months(self) -> tuple[Month, Month, Month]:
        first = (self.quarter - 1) * 3 + 1
        return (Month(self.year, first), Month(self.year, first + 1), Month(self.year, first + 2))
