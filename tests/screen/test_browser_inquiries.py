"""Inquiries in real headless Chromium: Anne registers one from Kari's card and reads out
the reference, the department inbox gets the mail on a real SMTP server, Anne hands it over
to Bjørn (insurance desk), it escalates when nobody answered in time, gets a new date with
a reason, and Bjørn closes it; the next time Kari calls, her card shows it."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from playwright.async_api import Browser, expect

from switchboard.promises.promise import PromiseStatus
from switchboard.promises.smtp import SmtpMailer, SmtpSettings
from tests.support.screen import ScreenRig, logged_in, screen_engine
from tests.support.smtp_server import SmtpServer, smtp_server

CALLER_NUMBER = "90595313-111"  # Kari's registered number, through loop 1


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@contextlib.asynccontextmanager
async def kari_calls(rig: ScreenRig, talk_s: float = 120) -> AsyncIterator[None]:
    """Kari calls loop 1 and talks for `talk_s` (or until the block ends)."""
    channel = rig.sim.pbx.new_caller(CALLER_NUMBER, "Kari")
    call = asyncio.create_task(
        rig.sim.pbx.queue_call(channel, "loop1", "1", patience_s=120, talk_s=talk_s)
    )
    try:
        yield
    finally:
        call.cancel()


async def test_an_inquiry_is_registered_handed_over_escalated_and_closed(
    browser: Browser, smtp: SmtpServer
) -> None:
    mailer = SmtpMailer(SmtpSettings(smtp.host, smtp.port))
    async with screen_engine(ring_s=1.0, catalogue=True, mailer=mailer) as rig:
        anne = await logged_in(browser, rig.base, "anne")
        bjorn = await logged_in(browser, rig.base, "bjorn")
        async with kari_calls(rig, talk_s=1.0):
            await expect(anne.get_by_test_id("card-phase")).to_have_text("In call", timeout=8000)
            await expect(anne.get_by_test_id("no-history")).to_be_visible()
            # Registered in the wrap-up, from the card that stays after the call.
            await expect(anne.get_by_test_id("card-phase")).to_have_text("Call ended")
            form = anne.get_by_test_id("inquiry-form")
            await expect(form.get_by_test_id("inquiry-topic")).to_have_value("invoice")
            await expect(form.get_by_test_id("inquiry-member")).to_have_value("m1")  # Kari
            await form.get_by_test_id("inquiry-contact").select_option("we-call-member")

            # A fødselsnummer in the note is refused before anything is stored or sent.
            await form.get_by_test_id("inquiry-note").fill("fnr 311299 56715, invoice twice")
            await form.get_by_test_id("inquiry-submit").click()
            await expect(anne.locator("#action-problem")).to_contain_text("no fødselsnummer")
            assert rig.callbacks.promises == {}

            await form.get_by_test_id("inquiry-note").fill("November invoice charged twice")
            await form.get_by_test_id("inquiry-submit").click()
            result = anne.get_by_test_id("inquiry-result")
            await expect(result).to_contain_text("Read out the reference:")
            await expect(result).to_contain_text("department told by mail")
            ref = await result.get_attribute("data-ref")
            assert ref is not None
            assert re.fullmatch(r"\d{8}", ref)

        # The department's inbox: one mail, the seed's subject form, no national id.
        [mail] = smtp.inbox.to("forsikring@example.org")
        assert mail["Subject"] == "Nordmann Kari 1000001 Invoice question + answer the member"
        body = mail.get_content()
        assert f"Reference: {ref}" in body
        assert "November invoice charged twice" in body
        assert "31129956715" not in mail.as_string()

        # Both see it: Anne through loop 1, Bjørn through the insurance desk.
        row_a = anne.locator(f"[data-testid=inquiry-row][data-ref='{ref}']")
        row_b = bjorn.locator(f"[data-testid=inquiry-row][data-ref='{ref}']")
        await expect(row_a).to_contain_text("Invoice question · Insurance and invoices")
        await expect(row_b).to_contain_text("with Insurance desk")
        assert "charged twice" not in await bjorn.locator("body").inner_text()  # taker's only

        # Anne takes it, then hands it over (she is off tomorrow); Bjørn takes it.
        await row_a.get_by_test_id("inquiry-take").click()
        await expect(row_a.get_by_test_id("inquiry-note-shown")).to_contain_text("charged twice")
        await expect(row_b.get_by_test_id("inquiry-taken-by")).to_have_text("taken by Anne Aas")
        await row_a.get_by_test_id("inquiry-release").click()
        await row_b.get_by_test_id("inquiry-take").click()
        await expect(row_a.get_by_test_id("inquiry-taken-by")).to_have_text("taken by Bjørn Berg")

        # Four days later nobody has answered: overdue (red), and the next level is told.
        rig.clock_offset[0] = timedelta(days=4)
        assert rig.engine.promises is not None
        assert await rig.engine.promises.escalate_due() == 1
        await expect(row_b).to_have_class(re.compile("overdue"))
        await expect(row_b.get_by_test_id("inquiry-level")).to_have_text(
            "escalated to Finance specialists · "
        )
        [up] = smtp.inbox.to("fag@example.org")
        assert up["Subject"] == (
            "Eskalert / escalated: Finance specialists: Nordmann Kari 1000001 "
            "Invoice question + answer the member"
        )

        # It cannot be kept: a new date with the reason, and the words for the caller.
        later = (rig.engine.clock() + timedelta(days=7)).astimezone(rig.engine.promises.zone)
        await row_b.get_by_test_id("inquiry-date").fill(f"{later:%Y-%m-%d}")
        await row_b.get_by_test_id("inquiry-reason").fill("waiting for the bank's statement")
        await row_b.get_by_test_id("inquiry-new-date").click()
        await expect(bjorn.get_by_test_id("notice")).to_have_text(
            f"Tell the caller: Your inquiry with reference {ref} takes longer than promised: "
            f"waiting for the bank's statement. The new date is {later:%d.%m.%Y}."
        )
        await expect(row_b).not_to_have_class(re.compile("overdue"))

        # Closing needs an outcome; then it leaves both lists.
        await row_b.get_by_test_id("inquiry-done").click()
        await expect(bjorn.locator("#action-problem")).to_contain_text("outcome")
        await row_b.get_by_test_id("inquiry-outcome").fill("Credited; member phoned")
        await row_b.get_by_test_id("inquiry-done").click()
        await expect(row_b).to_have_count(0)
        await expect(row_a).to_have_count(0)
        done = await rig.callbacks.get(ref)
        assert done is not None
        assert (done.status, done.handled_by, done.kept()) == (PromiseStatus.DONE, "bjorn", False)
        assert [s.action for s in done.steps] == [
            "registered", "agreed", "mailed", "taken", "released", "taken", "escalated",
            "mailed", "new-date", "done",
        ]  # fmt: skip

        # Status by reference: the caller reads it out, any colleague of the loop looks it up.
        await anne.get_by_test_id("search-ref").fill(ref)
        await anne.get_by_test_id("search-submit").click()
        await expect(anne.get_by_test_id("search-status")).to_contain_text(
            f"Ref {ref} · Invoice question · Insurance and invoices · done"
        )
        await anne.get_by_test_id("search-ref").fill(ref[:-1] + str((int(ref[-1]) + 1) % 10))
        await anne.get_by_test_id("search-submit").click()
        await expect(anne.locator("#action-problem")).to_contain_text("no such")

        # Kari calls again: her card shows the inquiry, so she need not repeat herself.
        async with kari_calls(rig):
            await expect(anne.get_by_test_id("card-phase")).to_have_text("In call", timeout=8000)
            history = anne.get_by_test_id("history-row")
            await expect(history).to_have_count(1, timeout=8000)
            await expect(history).to_contain_text("Insurance and invoices")
            await expect(history).to_contain_text("Invoice question")
            await expect(history).to_contain_text("done")
            await expect(history).to_contain_text("Credited; member phoned")
        assert len(smtp.inbox.messages) == 2  # one per level told, nothing twice
