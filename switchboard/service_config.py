"""Config blocks for the contact-centre craft (docs/craft.md): what callers hear besides
the menu, what the phones and supervisors can do, and how the call ends on the card."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from switchboard.ivr.closure import DEFAULT_MESSAGES
from switchboard.screen.closing import DEFAULT_CLOSINGS

CODE = r"^\*[0-9]{1,4}$"
MessageKey = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=32)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnnounceConfig(_Strict):
    position: bool = False  # "you are number 3 in line" (app_queue, the caller's language)
    wait: bool = False  # estimated wait
    every_s: int = Field(default=60, ge=15, le=600)
    position_limit: int = Field(default=0, ge=0, le=50)  # above it: "more than N" (0: the number)


class FeatureCodesConfig(_Strict):
    enabled: bool = True
    pause: str = Field(default="*45", pattern=CODE)
    resume: str = Field(default="*46", pattern=CODE)
    reason: str = Field(default="phone", pattern=r"^[A-Za-z0-9 _-]{1,32}$")


class RecordingConfig(_Strict):
    directory: str = Field(default="/var/spool/asterisk/monitor/switchboard", pattern=r"^/\S+$")
    consent_digit: str = Field(default="1", pattern=r"^[0-9]$")
    keep_days: int = Field(default=30, ge=1, le=3650)
    # Only agents holding this role may list or fetch recordings (seed 002: confidential).
    access_role: str = Field(default="supervisor", pattern=r"^[a-z0-9][a-z0-9_.-]*$")


class RatingConfig(_Strict):
    scale: int = Field(default=5, ge=2, le=9)
    store: str = Field(default="ratings.db", min_length=1)  # SQLite file; relative: state dir


class SupervisorConfig(_Strict):
    role: str = Field(default="supervisor", pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    messages: tuple[MessageKey, ...] = Field(default=DEFAULT_MESSAGES, min_length=1)
    offer_callback: bool = True  # after the closure message, the callback offer
    holiday_notice_days: int = Field(default=0, ge=0, le=14)  # 0: no notice before public holidays


class ClosingConfig(_Strict):
    lines: dict[str, str] = dict(DEFAULT_CLOSINGS)  # by language: no, en

    @field_validator("lines")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        for language in value:
            if language not in ("no", "en"):
                raise ValueError(f"language {language!r}: use no or en")
        return value


# What each key means, for the generated configuration reference (switchboard.config_reference).
MEANINGS: dict[str, str] = {
    "presence.subject_codes.enabled": "Read calendar codes at the start of subjects (inside "
    "the calendar reader; subjects go no further). Off: show-as alone decides.",
    "presence.subject_codes.busy": "Prefixes that take the person out of the queue even when "
    "the event is shown as free.",
    "presence.subject_codes.info": "Prefixes that make an event information only: it never "
    "takes the person out of the queue, and they are told so.",
    "loops[].wrapup_s": "Asterisk's `wrapuptime`: after each call it offers the agent no call "
    "for this long; the screen counts it down. 0: none.",
    "loops[].follow_up_s": "Instead of wrapup_s: the engine pauses the agent (follow-up) this "
    "long after each call, with a countdown they can end early. 0: none.",
    "loops[].announce.position": "Tell waiting callers their place in line (app_queue's own "
    "announcement, in the caller's language).",
    "loops[].announce.wait": "Tell waiting callers the estimated wait.",
    "loops[].announce.every_s": "How often (`announce-frequency`).",
    "loops[].announce.position_limit": 'Above this place say only "more than N"; 0: always '
    "the number.",
    "loops[].record": "Ask callers whether the call may be recorded; only a keypress (yes) "
    "records (MixMonitor), service is the same either way.",
    "loops[].rating": "After the agent hangs up, ask for a rating by keypress; kept by loop "
    "and week only.",
    "loops[].autopause_after": "Calls rung out in a row before the agent is paused "
    "(`Auto-Pause`, lifted by the agent); 1 is app_queue's own autopause; 0: never.",
    "loops[].keep_place": "A caller moved on enters the next loop ahead of those who called "
    "later (QUEUE_PRIO by original call time).",
    "loops[].when_all_in_meetings": "When every member is in a meeting: `wait` (the unstaffed "
    "rule applies as always), `move_on` (waiting callers move on at once) or `ring_opted_in` "
    "(members who opted in are offered calls while nobody else in the loop is available).",
    "loops[].heads_up_min": "Stop offering this loop's calls this many minutes before a "
    "member's meeting (a call in progress goes on); null: `presence.heads_up_min`.",
    "presence.heads_up_min": "The heads-up before meetings for every loop that sets none; 0: "
    "off (the board still shows the next meeting).",
    "ivr.feature_codes.enabled": "Generate the phone feature codes (context `sb-features`).",
    "ivr.feature_codes.pause": "Code that pauses the person in every loop: their own pause, "
    "never lifted by the engine.",
    "ivr.feature_codes.resume": "Code that resumes them.",
    "ivr.feature_codes.reason": "The pause reason the queues report (the board shows it).",
    "ivr.recording.directory": "Where Asterisk writes recordings (on the Asterisk host).",
    "ivr.recording.consent_digit": "The key that says yes to recording.",
    "ivr.recording.keep_days": "Recordings older than this are deleted.",
    "ivr.recording.access_role": "Only agents with this role may list or fetch recordings.",
    "ivr.rating.scale": "Keys 1 to this count as a rating.",
    "ivr.rating.store": "SQLite file for ratings per loop and week (relative: in the state "
    "directory).",
    "screen.closing.lines": "The card's closing line per language (`no`, `en`).",
    "supervisor.role": "Agents with this role may close and reopen loops or the whole line.",
    "supervisor.messages": "Message keys a supervisor chooses from; each plays "
    "`custom/sb-closure-<key>`.",
    "supervisor.offer_callback": "After the closure message, offer a callback (else goodbye).",
    "supervisor.holiday_notice_days": "Days before a public holiday or closed date that callers "
    "first hear the holiday notice; 0: none.",
}
