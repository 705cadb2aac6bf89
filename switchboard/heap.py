"""Settle the heap once the engine is up, so the collector's full passes stay short.

A full collection walks every object alive: at 2,000-10,000 agents (roster, member
state, directory, sessions) one took over 300 ms, and the event loop, with the AMI link
and every screen, stands still meanwhile (the tail of screen pop and of boundary ->
QueuePause). What exists once everyone is logged in lives as long as the engine: frozen
(gc.freeze) it is never walked again; what comes later is collected as before.
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collect what is garbage now, then freeze the rest; returns the objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
