"""Bucketed observations (waits, durations) kept as plain data, exported as histograms."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

WAIT_BUCKETS_S = (5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
DURATION_BUCKETS_S = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0)


@dataclass(slots=True)
class Buckets:
    """Counts of observations at or below each bound (Prometheus `le`), plus sum and count."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)  # per bound, not cumulative
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * len(self.bounds)

    def observe(self, value: float) -> None:
        index = bisect_left(self.bounds, value)
        if index < len(self.bounds):
            self.counts[index] += 1
        self.total += value
        self.count += 1

    def cumulative(self) -> list[tuple[str, int]]:
        """[(le, count)] with the +Inf bucket last, as the exposition format wants."""
        out, running = [], 0
        for bound, n in zip(self.bounds, self.counts, strict=True):
            running += n
            out.append((repr(bound), running))
        out.append(("+Inf", self.count))
        return out
