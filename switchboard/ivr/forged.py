"""Dialplan events that name what our dialplan never would: a loop the plan does not have.

The decoder (routing.ami.events) already refused fields out of shape; this is the part only
the plan can answer. An event refused here changes nothing: no call facts, no step counts
(whose loop label would otherwise grow with every made-up name), no callback collection.
"""

from __future__ import annotations

from switchboard.ami.events import CallbackRequested, Event, IvrStep
from switchboard.ivr.plan import CALLBACK, IvrPlan


def forged_problem(event: Event, plan: IvrPlan | None) -> str | None:
    """Why a dialplan event cannot be ours, or None (also None for every other event)."""
    if not isinstance(event, IvrStep | CallbackRequested):
        return None
    if plan is None:  # no menu of ours: nothing to hold the names against
        return None
    loops = plan.routes.keys()
    if event.loop and event.loop not in loops:
        return f"{_name(event)} names a loop the plan does not have"
    if isinstance(event, IvrStep) and event.to and event.to != CALLBACK and event.to not in loops:
        return f"{_name(event)} overflows to a loop the plan does not have"
    return None


def _name(event: IvrStep | CallbackRequested) -> str:
    return "SwitchboardIvr" if isinstance(event, IvrStep) else "SwitchboardCallback"
