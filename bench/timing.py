"""The benchmarks' one timing loop: wall times of repeated calls after a warm-up, and the peak
Python memory (tracemalloc) of one more call."""

from __future__ import annotations

import time
import tracemalloc


def timed(fn, repeat: int, *, warm_up: bool = True, memory: bool = True, before=None):
    """Wall times (ms) of ``repeat`` calls of ``fn`` (after one warm-up call unless not
    ``warm_up``), the peak traced memory in bytes of one further call (None unless ``memory``),
    and the last call's result. ``before``, if given, runs untimed before each call (a write
    whose consequences ``fn`` computes)."""
    result = None
    if warm_up:
        if before:
            before()
        result = fn()
    times = []
    for _ in range(repeat):
        if before:
            before()
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    peak = None
    if memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return times, peak, result
