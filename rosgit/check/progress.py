"""A one-line progress indicator on stderr, shown only when stderr is a terminal (never in CI logs)."""

from __future__ import annotations

import os
import sys
import threading
from typing import TextIO


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        # TERM=dumb (Emacs shells, some CI runners) cannot move the cursor: no progress line there either
        self.enabled = (self.stream.isatty() and os.environ.get("TERM") != "dumb") if enabled is None else enabled
        self.total = max(total, 1)
        self.done_steps = 0
        self._lock = threading.Lock()

    def step(self, label: str) -> None:
        """Announce the next unit of work; safe to call from worker threads."""
        with self._lock:
            self.done_steps = min(self.done_steps + 1, self.total)
            if self.enabled:
                self.stream.write(f"\r\033[Krosgit check [{self.done_steps}/{self.total}] {label}")
                self.stream.flush()

    def finish(self) -> None:
        with self._lock:
            if self.enabled:
                self.stream.write("\r\033[K")
                self.stream.flush()
