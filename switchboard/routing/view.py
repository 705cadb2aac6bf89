"""The router as the agent screen meets it: what the screen may read, and the two things it
may ask. The screen's desk is typed against this, not against `Router`, so its reach into the
router is written down in one place and checked by mypy (mappings come back read-only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from datetime import datetime
from typing import Protocol

from switchboard.ivr.plan import IvrPlan
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import PresenceSource
from switchboard.routing.calls import CallBook
from switchboard.routing.policy import ManualStatus
from switchboard.routing.queue_state import QueueState
from switchboard.routing.roster import Roster
from switchboard.routing.staffing import LoopStaff


class RouterView(Protocol):
    @property
    def roster(self) -> Roster: ...

    @property
    def state(self) -> QueueState: ...

    @property
    def calls(self) -> CallBook: ...

    @property
    def presence(self) -> PresenceSource: ...

    @property
    def plan(self) -> IvrPlan | None: ...

    @property
    def busy(self) -> Mapping[str, Sequence[BusyInterval]]: ...

    @property
    def manual(self) -> Mapping[str, ManualStatus]: ...

    @property
    def back_early(self) -> Mapping[str, datetime]: ...

    @property
    def follow_ups(self) -> Mapping[str, datetime]: ...

    @property
    def opted_in(self) -> Set[str]: ...

    @property
    def ring_opted_in(self) -> Set[str]: ...

    def clock(self) -> datetime: ...

    def staff(self) -> Mapping[str, LoopStaff]: ...

    def set_manual_status(
        self, agent_id: str, status: ManualStatus, *, by_person: bool = False
    ) -> None: ...

    def set_ring_in_meetings(self, agent_id: str, on: bool) -> bool: ...
