"""The department is told in the structured form, on a real SMTP server; no national id ever
goes into a mail, and an inquiry is never lost because the mail server is down."""

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from switchboard.ivr.hours import OpeningHours, Span
from switchboard.promises.config import PromisesConfig
from switchboard.promises.keeper import NewInquiry, PromiseKeeper
from switchboard.promises.mail import InquiryMail, MailError, subject, template_problem
from switchboard.promises.promise import Promise, PromiseError
from switchboard.promises.redis_store import RedisPromiseStore
from switchboard.promises.sealing import Sealer
from switchboard.promises.smtp import SmtpMailer, SmtpSettings
from switchboard.promises.store import MemoryPromiseStore
from tests.promises.catalogue import CATALOGUE_YAML, RULES
from tests.support.smtp_server import smtp_server

OSLO = ZoneInfo("Europe/Oslo")
DAY = (Span(time(8, 30), time(12, 30)), Span(time(13, 0), time(16, 30)))
HOURS = OpeningHours((DAY,) * 5 + ((), ()), OSLO)
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=OSLO)
KARI_FNR = "31129956715"


def kari(note: str = "Faktura 2026-11 er trukket to ganger") -> NewInquiry:
    return NewInquiry(
        topic="invoice", loop="loop1", agent_id="anne", agent_name="Anne Aas", call_id="c1",
        number="90595313-111", member_id="m1", member_name="Kari Nordmann",
        member_number="1000001", contact="we-call-member", note=note,
    )  # fmt: skip


def mail(**kw: str) -> InquiryMail:
    base = dict(
        ref="12345674", inbox="forsikring@example.org", topic="Fakturaspørsmål",
        action="svar medlemmet", member_name="Kari Nordmann", member_number="1000001",
        due=MONDAY, registered_by="Anne Aas", registered_at=MONDAY, contact="we-call-member",
        note="",
    )  # fmt: skip
    return InquiryMail(**{**base, **kw})  # type: ignore[arg-type]


def test_the_subject_follows_the_seed_form_with_the_member_number_not_a_national_id() -> None:
    template = CATALOGUE_YAML["subject"]
    assert isinstance(template, str)
    assert (
        subject(template, mail(), OSLO) == "Nordmann Kari 1000001 Fakturaspørsmål + svar medlemmet"
    )
    with pytest.raises(MailError, match="eleven digits"):
        subject(template, mail(member_name=f"Kari {KARI_FNR}"), OSLO)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{surname} {fnr}", "unknown placeholder(s) fnr"),
        ("{surname} {bsn} {topic}", "unknown placeholder(s) bsn"),
        ("{surname", "does not parse"),
    ],
)
def test_a_subject_template_with_a_national_id_or_a_typo_is_refused(
    template: str, problem: str
) -> None:
    assert problem in template_problem(template)
    with pytest.raises(ValueError, match="subject"):
        PromisesConfig.model_validate({**CATALOGUE_YAML, "subject": template})


def test_a_topic_naming_an_unknown_department_is_refused() -> None:
    first = CATALOGUE_YAML["topics"][0]
    assert isinstance(first, dict)
    topics = [{**first, "department": "nowhere"}]
    with pytest.raises(ValueError, match="names department 'nowhere'"):
        PromisesConfig.model_validate({**CATALOGUE_YAML, "topics": topics})


async def test_a_registered_inquiry_is_mailed_to_the_department_inbox(redis: Redis) -> None:
    now = [MONDAY]
    with smtp_server() as smtp:
        store = RedisPromiseStore(redis, Sealer.generated())
        desk = PromiseKeeper(
            store, HOURS, lambda: now[0], promise_rules=RULES,
            mailer=SmtpMailer(SmtpSettings(smtp.host, smtp.port)),
        )  # fmt: skip
        p = await desk.register(kari())
        assert len(p.ref) == 8
        assert p.due == datetime(2026, 11, 25, 10, 0, tzinfo=OSLO)  # two working days
        [msg] = smtp.inbox.to("forsikring@example.org")
        assert msg["Subject"] == "Nordmann Kari 1000001 Fakturaspørsmål + svar medlemmet"
        assert msg["X-Switchboard-Reference"] == p.ref
        body = msg.get_content()
        assert f"Referanse: {p.ref}" in body
        assert "Nås på: 90595313-111" in body  # we call them: the department needs the number
        assert "Faktura 2026-11 er trukket to ganger" in body
        assert [s.action for s in p.steps] == ["registered", "agreed", "mailed"]
        raw = repr(await redis.hgetall(f"sb:promise:{p.ref}"))
        assert "90595313" not in raw
        assert "trukket" not in raw  # the note is sealed too

        # Not answered in time: the next level is told, marked as an escalation.
        desk.member_facts = _kari_facts
        now[0] = MONDAY + timedelta(days=3)
        assert await desk.escalate_due() == 1
        [up] = smtp.inbox.to("fag@example.org")
        assert up["Subject"].startswith("Eskalert / escalated: Fagavdeling økonomi: Nordmann Kari")
        stored = await store.get(p.ref)
        assert stored is not None
        assert stored.level == 1
        assert await desk.escalate_due() == 0  # nothing twice


class CountingStore(MemoryPromiseStore):
    """The promise store, noting each call (a call is a round trip to Redis)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def add(self, promise: Promise) -> Promise | None:
        self.calls.append("add")
        return await super().add(promise)

    async def get(self, ref: str) -> Promise | None:
        self.calls.append("get")
        return await super().get(ref)

    async def swap(self, before: Promise, after: Promise) -> Promise | None:
        self.calls.append("swap")
        return await super().swap(before, after)

    async def pending(self) -> list[Promise]:
        self.calls.append("pending")
        return await super().pending()


async def test_registering_an_inquiry_writes_it_once_and_notes_the_mail_without_reading() -> None:
    with smtp_server() as smtp:
        store = CountingStore()
        desk = PromiseKeeper(
            store, HOURS, lambda: MONDAY, promise_rules=RULES,
            mailer=SmtpMailer(SmtpSettings(smtp.host, smtp.port)),
        )  # fmt: skip
        await desk.pending.refresh()  # a screen is open: the open promises are listed
        store.calls.clear()
        p = await desk.register(kari())
        assert store.calls == ["add", "swap"]
        assert [s.action for s in p.steps] == ["registered", "agreed", "mailed"]
        assert desk.pending.requests == [p]  # listed at once, without a re-read


async def _kari_facts(member_id: str) -> tuple[str, str]:
    return ("Kari Nordmann", "1000001") if member_id == "m1" else ("", "")


async def test_with_the_mail_server_down_the_inquiry_is_kept_and_mailed_later() -> None:
    with smtp_server() as smtp:
        port = smtp.port
    store = MemoryPromiseStore()
    desk = PromiseKeeper(
        store, HOURS, lambda: MONDAY, promise_rules=RULES,
        mailer=SmtpMailer(SmtpSettings("127.0.0.1", port, timeout_s=2)),
    )  # fmt: skip
    p = await desk.register(kari())
    assert desk.mail_errors == 1
    assert await store.get(p.ref) is not None  # stored first, whatever the mail server does
    with smtp_server() as smtp:
        desk.mailer = SmtpMailer(SmtpSettings(smtp.host, smtp.port))
        desk.member_facts = _kari_facts
        await desk.escalate_due()  # the periodic pass retries what was not sent
        [msg] = smtp.inbox.to("forsikring@example.org")
        assert msg["Subject"].startswith("Nordmann Kari 1000001")
        await desk.escalate_due()
        assert len(smtp.inbox.messages) == 1


async def test_a_national_id_is_neither_kept_in_a_note_nor_sent_in_a_mail() -> None:
    with smtp_server() as smtp:
        store = MemoryPromiseStore()
        desk = PromiseKeeper(
            store, HOURS, lambda: MONDAY, promise_rules=RULES,
            mailer=SmtpMailer(SmtpSettings(smtp.host, smtp.port)),
        )  # fmt: skip
        with pytest.raises(PromiseError, match="no fødselsnummer in a note"):
            await desk.register(kari(note=f"fnr {KARI_FNR[:6]} {KARI_FNR[6:]}"))
        assert store.promises == {}
        # A name field that carries one (a directory typo) stops the mail, not the inquiry.
        odd = replace(kari(), member_name=f"Kari {KARI_FNR}")
        p = await desk.register(odd)
        assert smtp.inbox.messages == []
        assert p.steps[-1].action == "mail-refused"
        await desk.escalate_due()
        assert smtp.inbox.messages == []  # refused once, not retried
