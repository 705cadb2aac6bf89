"""What the agent's screen shows of their call, as plain data for the browser (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from switchboard.ivr.plan import IvrPlan
from switchboard.routing.calls import CallFacts
from switchboard.screen.agent_calls import AgentCall, Phase
from switchboard.screen.closing import Closings
from switchboard.screen.greeting import Greetings
from switchboard.screen.identity import INSTRUCTIONS, IdentityCheck, Step, outcome_text
from switchboard.screen.member import Member
from switchboard.screen.record_checks import record_flags

Json = dict[str, object]


@dataclass(frozen=True, slots=True)
class CallContext:
    """Everything the card is built from: the call, the IVR's facts, the directory's answer."""

    call: AgentCall
    agent_name: str
    facts: CallFacts | None
    members: Sequence[Member]
    lookup_problem: str  # "" when the directory answered
    check: IdentityCheck
    checked_member: Member | None  # the member the identity check is about


def language_of(call: AgentCall, facts: CallFacts | None, plan: IvrPlan | None) -> str:
    """The caller's language: their menu choice, else their loop's language, else Norwegian."""
    if facts is not None and facts.digit:
        return facts.language
    route = plan.route_for_queue(call.queue) if plan else None
    return route.language if route else "no"


def member_json(member: Member, calling_number: str) -> Json:
    return {
        "id": member.id,
        "name": member.name,
        "member_number": member.member_number,
        "phone": member.phone,
        "email": member.email,
        "address": member.address,
        "flags": [
            {"flag": f.flag.value, "text": f.text, "field": f.field}
            for f in record_flags(member, calling_number)
        ],
    }


def identity_json(check: IdentityCheck, member: Member | None) -> Json:
    return {
        "step": check.step.value,
        "situation": check.situation.value if check.situation else None,
        "instruction": INSTRUCTIONS[check.step],
        "problem": check.problem,
        "verified": check.verified,
        "done": check.done,
        "outcome": outcome_text(check),
        # On the invoice path the agent compares the name the caller gives with this one.
        "member_name": member.name if member and check.step is Step.NAME else None,
    }


def card_json(
    ctx: CallContext,
    plan: IvrPlan | None,
    greetings: Greetings,
    titles: dict[str, str],
    closings: Closings | None = None,
) -> Json:
    """The card; the browser counts the wait up from `joined_at` until the call is answered."""
    call, facts = ctx.call, ctx.facts
    language = language_of(call, facts, plan)
    members = list(ctx.members)
    if ctx.checked_member is not None and ctx.checked_member.id not in {m.id for m in members}:
        members.insert(0, ctx.checked_member)
    return {
        "call_id": call.call_id,
        "phase": call.phase.value,
        "number": call.number,
        "caller_name": call.caller_name,
        "queue": call.queue,
        "loop": titles.get(call.queue, call.queue),
        "digit": facts.digit if facts else "",
        "invalid_keys": facts.invalid_keys if facts else 0,
        "levels": list(facts.levels) if facts else [],
        "language": language,
        "waited_s": None if call.waited_s is None else round(call.waited_s),
        "joined_at": call.joined_at,
        "greeting": greetings.say(language, ctx.agent_name),
        "greeting_alternative": greetings.alternative(language, ctx.agent_name),
        "members": [member_json(m, call.number) for m in members],
        "lookup_problem": ctx.lookup_problem,
        "identity": identity_json(ctx.check, ctx.checked_member),
        "closable": call.phase is Phase.ENDED,
        # The card ends as the call should: anything else, then a good day (seed 001).
        "closing": (closings or Closings()).say(language),
    }
