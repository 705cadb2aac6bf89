"""Settle the heap once the engine is up, so the collector's full passes stay short.

A full collection walks every object alive: at 2,000-10,000 agents (roster, member
state, directory, sessions) one took over 300 ms, and the event loop, with the AMI link
and every screen, stands still meanwhile (the tail of screen pop and of boundary ->
QueuePause). What exists once everyone is logged in lives as long as the engine: frozen
(gc.freeze) it is never walked again; what comes later is collected as before.

After a fresh snapshot (start-up, an Asterisk restart) the router holds the collector
until its first pass's actions are answered, then settles (routing.catch_up).
"""

from __future__ import annotations

import gc


def hold() -> None:
    """No collection until the next `settle` (the engine is catching up)."""
    gc.disable()


def settle() -> int:
    """Collect what is garbage now, freeze the rest, and collect as before from here on;
    returns the objects frozen."""
    gc.collect()
    gc.freeze()
    gc.enable()
    return gc.get_freeze_count()
