"""The promise engine's shell: registers inquiries, applies agents' changes, escalates,
mails the inboxes. Decisions are the pure functions of `promises.promise`,
`promises.escalation` and `promises.mail`; this only fetches, stores and sends.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol
from zoneinfo import ZoneInfo

from switchboard.cluster.outage import Outage
from switchboard.cluster.periodic import every
from switchboard.ivr.hours import OpeningHours, callback_deadline
from switchboard.promises import promise as rules
from switchboard.promises.catalogue import EMPTY, Catalogue
from switchboard.promises.escalation import due_escalations
from switchboard.promises.mail import DEFAULT_SUBJECT, InquiryMail, MailError, message
from switchboard.promises.promise import Promise, PromiseError, PromiseKind
from switchboard.promises.reference import new_reference
from switchboard.promises.store import PendingPromises, PromiseStore

log = logging.getLogger("switchboard.promises")

DEFAULT_NOTICE = {
    "no": "Henvendelsen din med referanse {ref} tar lengre tid enn lovet: {reason}. "
    "Ny frist er {due}.",
    "en": "Your inquiry with reference {ref} takes longer than promised: {reason}. "
    "The new date is {due}.",
}


class Mailer(Protocol):
    async def send(self, msg: EmailMessage) -> None: ...


@dataclass(frozen=True, slots=True)
class PromiseRules:
    """The configured part: catalogue, subject template, texts, retention."""

    catalogue: Catalogue = EMPTY
    subject: str = DEFAULT_SUBJECT
    sender: str = "switchboard@localhost"
    notice: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_NOTICE))
    language: str = "no"  # the mails' and notices' language
    keep_days: int = 400  # done promises are deleted after this


@dataclass(frozen=True, slots=True)
class NewInquiry:
    """What the agent filled in on the card; member facts come from the directory."""

    topic: str
    loop: str
    agent_id: str
    agent_name: str
    call_id: str
    number: str  # the caller's number (to call back, and to find their history)
    member_id: str
    member_name: str
    member_number: str
    contact: str  # who calls whom, as agreed
    note: str


class PromiseKeeper:
    def __init__(
        self,
        store: PromiseStore,
        hours: OpeningHours,
        clock: Callable[[], datetime],
        *,
        promise_rules: PromiseRules | None = None,
        mailer: Mailer | None = None,
        rng: random.Random | None = None,
        on_change: Callable[[], None] = lambda: None,
        member_facts: Callable[[str], Awaitable[tuple[str, str]]] | None = None,
        agent_names: Mapping[str, str] | None = None,
        outage: Outage | None = None,  # the engine's shared Redis outage record
    ) -> None:
        self.member_facts = member_facts  # member id -> (name, member number)
        self.agent_names = agent_names or {}
        self.store = store
        self.pending = PendingPromises(store, outage=outage)
        self.hours = hours
        self.zone: ZoneInfo = hours.zone
        self.clock = clock
        self.rules = promise_rules or PromiseRules()
        self.mailer = mailer
        self.rng = rng or random.SystemRandom()
        self.on_change = on_change
        self.mails_sent = 0
        self.mail_errors = 0
        self.escalations = 0

    @property
    def catalogue(self) -> Catalogue:
        return self.rules.catalogue

    async def _changed(self) -> None:
        await self.pending.refresh(force=True)
        self.on_change()

    async def _get(self, ref: str) -> Promise:
        try:
            found = await self.store.get(ref)
        except Exception as exc:
            raise PromiseError(f"promise store: {exc}") from None
        if found is None:
            raise PromiseError(f"no promise with reference {ref}")
        return found

    async def change(self, ref: str, step: Callable[[Promise], Promise]) -> Promise:
        """Apply a pure change to the stored promise; refused when it changed meanwhile."""
        before = await self._get(ref)
        after = step(before)  # PromiseError when it does not apply
        stored = await self.store.swap(before, after)
        if stored is None:
            raise PromiseError("someone changed it just now: look again")
        await self._changed()
        return stored

    # --- agents' actions ------------------------------------------------------------------

    async def take(self, ref: str, agent: str) -> Promise:
        return await self.change(ref, lambda p: rules.take(p, agent, self.clock()))

    async def release(self, ref: str, agent: str) -> Promise:
        return await self.change(ref, lambda p: rules.release(p, agent, self.clock()))

    async def close(self, ref: str, agent: str, outcome: str = "") -> Promise:
        return await self.change(ref, lambda p: rules.close(p, agent, self.clock(), outcome))

    async def new_date(
        self, ref: str, agent: str, due: datetime, reason: str
    ) -> tuple[Promise, str]:
        """A later date with its reason; returns the notice the caller is given."""
        changed = await self.change(
            ref, lambda p: rules.new_date(p, agent, self.clock(), due, reason)
        )
        template = self.rules.notice.get(self.rules.language) or DEFAULT_NOTICE["en"]
        notice = template.format(
            ref=ref,
            reason=rules.note_text(reason, 200),
            due=f"{due.astimezone(self.zone):%d.%m.%Y}",
        )
        return changed, notice

    async def register(self, new: NewInquiry) -> Promise:
        """Store an inquiry with a fresh reference, then tell the department by mail."""
        topic = self.catalogue.topic(new.topic)
        if topic is None:
            raise PromiseError("pick a topic from the list")
        note = rules.note_text(new.note)
        now = self.clock()
        due = callback_deadline(self.hours, now, topic.promise_working_days)
        for _ in range(20):
            draft = rules.registered(
                Promise(
                    ref=new_reference(self.rng),
                    number=new.number,
                    loop=new.loop,
                    requested_at=now,
                    due=due,
                    call_id=new.call_id,
                    kind=PromiseKind.INQUIRY,
                    topic=topic.id,
                    member_id=new.member_id,
                    created_by=new.agent_id,
                    note=note,
                    outcome="",
                )
            )
            draft = rules.noted(draft, now, new.agent_id, "agreed", rules.bounded(new.contact, 80))
            stored = await self.store.add(draft)
            if stored is not None:
                break
        else:  # pragma: no cover - 20 collisions in 10^7 references
            raise PromiseError("no free reference found: try again")
        log.info("inquiry %s registered by %s (topic %s)", draft.ref, new.agent_id, topic.id)
        # One write, and one more noting the mail: the record as written is at hand, so
        # neither reads it back, nor does the list of open promises get read again.
        stored = await self._mail(stored, new, level=0)
        self.pending.took(stored)
        self.on_change()
        return stored

    # --- mail and escalation -------------------------------------------------------------

    async def _mail(self, p: Promise, facts: NewInquiry, level: int, heading: str = "") -> Promise:
        """Mail the level's inbox; the promise as it stands after noting what became of it."""
        where = self.catalogue.level(p.topic, level)
        topic = self.catalogue.topic(p.topic)
        if where is None or topic is None or self.mailer is None:
            return p
        name, inbox = where
        mail = InquiryMail(
            ref=p.ref,
            inbox=inbox,
            topic=topic.title(self.rules.language),
            action=topic.action,
            member_name=facts.member_name,
            member_number=facts.member_number,
            due=p.due,
            registered_by=facts.agent_name,
            registered_at=p.requested_at,
            contact=facts.contact,
            note=p.note,
            callback_number=facts.number if facts.contact.startswith("we-") else "",
            heading=heading,
        )
        try:
            msg = message(
                self.rules.subject, mail, self.rules.sender, self.zone, self.rules.language
            )
            await self.mailer.send(msg)
        except MailError as exc:
            self.mail_errors += 1
            log.error("inquiry %s: mail to %s not sent: %s", p.ref, name, exc)
            return await self._note(p, "mail-refused", f"level {level}: {exc}")
        except Exception as exc:  # SMTP down: the inquiry is stored; the next pass retries
            self.mail_errors += 1
            log.warning("inquiry %s: mail to %s not sent yet: %s", p.ref, name, exc)
            return p
        self.mails_sent += 1
        return await self._note(p, "mailed", f"level {level}: {name}")

    async def _note(self, p: Promise, action: str, detail: str) -> Promise:
        """Note what the engine did; the promise as it then stands."""
        current: Promise | None = p
        for _ in range(3):  # an agent may change it at the same moment: read again
            if current is None:
                return p
            stored = await self.store.swap(
                current, rules.noted(current, self.clock(), "engine", action, detail)
            )
            if stored is not None:
                return stored
            current = await self.store.get(p.ref)
        return current or p

    async def facts_of(self, p: Promise) -> NewInquiry:
        """The mail facts of a stored inquiry (retries, escalations): the member's name and
        number are asked of the directory again, never kept with the promise."""
        name, number = ("", "")
        if p.member_id and self.member_facts is not None:
            try:
                name, number = await self.member_facts(p.member_id)
            except Exception as exc:  # the directory is an adapter: mail without the name
                log.warning("inquiry %s: member not read from the directory: %s", p.ref, exc)
        contact = next((s.detail for s in p.steps if s.action == "agreed"), "")
        agent = self.agent_names.get(p.created_by, p.created_by)
        return NewInquiry(
            p.topic, p.loop, p.created_by, agent, p.call_id, p.number,
            p.member_id, name, number, contact, p.note,
        )  # fmt: skip

    async def escalate_due(self) -> int:
        """One pass: move overdue inquiries up a level and mail that level; retry mails."""
        now = self.clock()
        pending = await self.store.pending()
        moved = 0
        for esc in due_escalations(pending, self.catalogue, self.hours, now):
            try:
                p = await self.change(
                    esc.ref,
                    lambda p, e=esc: rules.escalated(p, now, e.level, e.react_by, e.name),  # type: ignore[misc]
                )
            except PromiseError:
                continue  # closed or changed meanwhile: the next pass decides again
            moved += 1
            self.escalations += 1
            log.info("inquiry %s escalated to level %d (%s)", p.ref, esc.level, esc.name)
            heading = f"Eskalert / escalated: {esc.name}"
            await self._mail(p, await self.facts_of(p), esc.level, heading)
        for p in await self.store.pending():  # mails the SMTP server did not take before
            if p.kind is PromiseKind.INQUIRY and not _mailed(p, p.level):
                await self._mail(p, await self.facts_of(p), p.level)
        return moved

    async def purge(self) -> int:
        return await self.store.purge(self.clock() - timedelta(days=self.rules.keep_days))

    async def run(self, may_act: Callable[[], bool], every_s: float = 60.0) -> None:
        """Escalate and apply retention, on the leading engine only."""
        await every(every_s, self._pass, failed="promise pass failed", may_act=may_act, logger=log)

    async def _pass(self) -> None:
        if await self.escalate_due():
            self.on_change()
        await self.purge()

    # --- reading -------------------------------------------------------------------------

    async def search(self, ref: str) -> Promise | None:
        return await self.store.get(ref.strip())

    async def history(self, member_ids: Iterable[str], number: str) -> list[Promise]:
        return await self.store.history(member_ids, number)


def _mailed(p: Promise, level: int) -> bool:
    return any(
        s.action in ("mailed", "mail-refused") and s.detail.startswith(f"level {level}:")
        for s in p.steps
    )
