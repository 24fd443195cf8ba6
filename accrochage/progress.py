"""A dependency-free progress bar on standard error, for long runs.

``Progress`` draws ``label [####......]  42 % 12/29 Mo``; it is called with
``update(done, total)`` or, as the pipeline does, with the fraction of the
whole job done (``bar(0.42)``).

>>> import io
>>> out = io.StringIO()
>>> bar = Progress("Dépôt", total=5_000_000, stream=out, unit="Mo")
>>> bar(1.0); bar.close()
>>> out.getvalue().strip()
'Dépôt [##############################] 100 % 5,0/5,0 Mo'
"""

from __future__ import annotations

import sys
import time

#: units the counts can be shown in: divisor and how many decimals
UNITS = {None: (1, 0), "Mo": (1_000_000, 1)}


class Progress:
    """Redraw at most a few times a second; silent when disabled or tiny."""

    def __init__(self, label, total, *, enabled=True, stream=None, min_total=1000, unit=None):
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled and (total or 0) >= min_total
        self.unit = unit
        self._last = 0.0
        self._drawn = False

    def __call__(self, fraction):
        """Report the fraction (0 to 1) of the job done."""
        if self.enabled:
            self.update(round(self.total * min(max(fraction, 0.0), 1.0)))

    def _amount(self, value):
        divisor, decimals = UNITS[self.unit]
        text = f"{value / divisor:.{decimals}f}".replace(".", ",")
        return text

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
        counts = f"{self._amount(done)}/{self._amount(total)}" + (
            f" {self.unit}" if self.unit else ""
        )
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d} % {counts}")
        self.stream.flush()
        self._drawn = True

    def close(self):
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
