"""A one-line progress display on stderr, so the collector needs no extras (no tqdm)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`12/300 4% · 1.9/min · eta 2h31m · note` redrawn in place on a terminal; on a pipe or
    file, one line every `every` steps (and on notes) so logs stay short."""

    def __init__(self, total: int, label: str, stream: TextIO = sys.stderr, every: int = 25):
        self.total, self.label, self.stream, self.every = total, label, stream, every
        self.done = 0
        self.started = time.monotonic()
        self.tty = stream.isatty()

    def step(self, note: str = "") -> None:
        self.done += 1
        if self.tty or note or self.done % self.every == 0 or self.done == self.total:
            self.show(note)

    def show(self, note: str = "") -> None:
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed * 60 if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate * 60 if rate else 0.0
        pct = 100 * self.done // self.total if self.total else 100
        line = f"{self.label} {self.done}/{self.total} {pct}% · {rate:.1f}/min · eta {_hm(left)}"
        if note:
            line += f" · {note}"
        end = "" if self.tty else "\n"
        self.stream.write(("\r\x1b[K" if self.tty else "") + line + end)
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def _hm(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
