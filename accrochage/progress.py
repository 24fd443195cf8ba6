"""A dependency-free progress bar on standard error, for long runs."""

from __future__ import annotations

import sys
import time


class Progress:
    """Redraw at most a few times a second; silent when disabled or tiny."""

    def __init__(self, label, total, *, enabled=True, stream=None, min_total=1000):
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled and total >= min_total
        self._last = 0.0
        self._drawn = False

    def update(self, done, total=None):
        if not self.enabled:
            return
        total = total or self.total
        now = time.monotonic()
        if done < total and now - self._last < 0.2:
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        percent = int(100 * done / total) if total else 100
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d} % {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def close(self):
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
