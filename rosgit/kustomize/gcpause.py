"""Pausing Python's cycle collector while the engine allocates.

Building and parsing allocate many small acyclic objects; the collector would rescan the growing
heap again and again (superlinear in the number of objects), so both pause it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """The collector off for the block, then back to how it was (nested pauses keep it off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
