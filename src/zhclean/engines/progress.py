"""The run's progress bar: records/s, kept share, and an ETA from the bytes read."""

from __future__ import annotations

import sys
import time
from typing import Any

# Workers report progress at most this often, so the message queue never becomes the
# bottleneck.
PROGRESS_INTERVAL_SECONDS = 0.25


class Progress:
    """Fed by `update(unit, records, kept, rejected, byte_position)` from every worker."""

    def __init__(self, total_bytes: int | None, description: str, enabled: bool) -> None:
        self.bar: Any = None
        if enabled:  # tqdm takes ~20 ms to import: not for a run without a bar
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked
            self.bar = tqdm(
                total=total_bytes,
                desc=description,
                unit="B",
                unit_scale=True,
                disable=None,  # shown only on a terminal
                file=sys.stderr,
                dynamic_ncols=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]",
            )
        self.records = 0
        self.kept = 0
        self.rejected = 0
        self.started = time.monotonic()
        self.unit_positions: dict[int, int] = {}

    def update(self, unit: int, records: int, kept: int, rejected: int, position: int) -> None:
        self.records += records
        self.kept += kept
        self.rejected += rejected
        if self.bar is None:
            return
        previous = self.unit_positions.get(unit, 0)
        if position > previous:
            self.bar.update(position - previous)
            self.unit_positions[unit] = position
        elapsed = max(1e-6, time.monotonic() - self.started)
        decided = self.kept + self.rejected
        kept_share = f"{100 * self.kept / decided:.0f}%" if decided else "-"
        self.bar.set_postfix_str(
            f"{self.records:,} rec, {self.records / elapsed:,.0f} rec/s, kept {kept_share}", refresh=False
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
