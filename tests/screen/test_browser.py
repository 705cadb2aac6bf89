"""The agent screen in real headless Chromium: a call rings agent A, A's screen shows the
caller, greeting and record flags, the identity check is walked on every path, and agent B's
screen never shows A's caller."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from switchboard.promises.callbacks import from_astdb
from switchboard.routing.policy import ManualStatus
from switchboard.screen.kid import mod10_digit
from tests.support import axe
from tests.support.proxy import relay_to
from tests.support.screen import (
    KARI_FNR,
    PASSWORDS,
    PER_FNR,
    ScreenRig,
    logged_in,
    screen_engine,
)
from tests.support.waiting import eventually

CALLER_NUMBER = "90595313-111"  # as the dialplan delivers it: the member's number + loop suffix
CALLER_NAME = "<img src=x id=pwned>Kari"  # caller-id text is never markup
KID = "1000015" + "2611" + mod10_digit("10000152611")  # Per's member number leads the KID


@pytest.fixture
async def rig() -> AsyncIterator[ScreenRig]:
    async with screen_engine(ring_s=3.0) as rig:
        yield rig


async def assert_never_shows_the_caller(page: Page) -> None:
    text = await page.locator("body").inner_text()
    assert "90595313" not in text
    assert "Kari" not in text
    assert await page.get_by_test_id("card").is_hidden()


async def identity_outcome(page: Page, expected: str) -> None:
    await expect(page.get_by_test_id("identity-outcome")).to_have_text(expected)


async def own_identity(page: Page, fnr: str, member_number: str) -> None:
    """Type a fødselsnummer and a member number (or mobile) and press Check."""
    await page.get_by_test_id("input-fnr").fill(fnr)
    await page.get_by_test_id("input-member_number").fill(member_number)
    await page.get_by_test_id("form-own-submit").click()


async def start_over(page: Page) -> None:
    await page.get_by_test_id("identity-restart").click()
    await expect(page.get_by_test_id("situation-own")).to_be_visible()


async def test_a_call_rings_agent_a_and_only_a_sees_the_caller(
    rig: ScreenRig, browser: Browser
) -> None:
    anne = await logged_in(browser, rig.base, "anne")
    bjorn = await logged_in(browser, rig.base, "bjorn")
    await expect(anne.get_by_test_id("me-name")).to_have_text("Anne Aas")

    channel = rig.sim.pbx.new_caller(CALLER_NUMBER, CALLER_NAME)
    call = asyncio.create_task(
        rig.sim.pbx.queue_call(channel, "loop1", "1", patience_s=120, talk_s=120)
    )
    try:
        # Before she picks up: who is calling, what to say, what to check.
        card = anne.get_by_test_id("card")
        await expect(anne.get_by_test_id("card-phase")).to_have_text("Ringing")
        await expect(anne.get_by_test_id("card-number")).to_have_text(CALLER_NUMBER)
        await expect(anne).to_have_title(f"☎ Ringing: {CALLER_NUMBER} — Switchboard — Agent screen")
        await expect(anne.locator("#card-caller")).to_have_text(CALLER_NAME)
        assert await anne.locator("#pwned").count() == 0
        await expect(anne.get_by_test_id("greeting")).to_have_text(
            "«Arbeidsmandsforbundet, du snakker med Anne Aas»"
        )
        await expect(anne.get_by_test_id("greeting-alt")).to_contain_text(
            "General Workers Union, may I help you?"
        )
        # ... and how to end it, in the caller's language (seed 001).
        await expect(anne.get_by_test_id("closing")).to_have_text(
            "«Er det noe mer jeg kan hjelpe deg med? … Da ønsker jeg deg en fin dag!»"
        )
        await expect(anne.get_by_test_id("card-facts")).to_contain_text("Insurance and invoices")
        kari = anne.locator("[data-member=m1]")
        await expect(kari).to_contain_text("Kari Nordmann · member 1000001")
        flags = kari.get_by_test_id("flag")
        await expect(flags).to_have_count(2)
        await expect(kari.locator("[data-flag=no-email]")).to_contain_text("offer to add one")
        await expect(kari.locator("[data-flag=returned-magazine]")).to_be_visible()
        await assert_never_shows_the_caller(bjorn)

        await expect(anne.get_by_test_id("card-phase")).to_have_text("In call", timeout=8000)
        await expect(card).to_have_class("card connected")
        await expect(bjorn.locator("[data-agent=anne]")).to_contain_text("in a call")
        await assert_never_shows_the_caller(bjorn)

        # Record corrections: written back, and the flag goes away.
        await kari.locator("input[name='m1:email']").fill("kari@example.org")
        await kari.locator("[data-field=email] button").click()
        await expect(kari.locator("[data-flag=no-email]")).to_have_count(0)
        await kari.locator("input[name='m1:address']").fill("Nygata 2, 0182 Oslo")
        await kari.locator("[data-field=address] button").click()
        await expect(kari.get_by_test_id("flag")).to_have_count(0)
        await expect(kari).to_contain_text("Nygata 2, 0182 Oslo")
        assert [f for f, by, _ in rig.directory.corrections("m1") if by == "anne"] == [
            "email",
            "address",
        ]

        await walk_every_identity_path(anne)

        call_id = await card.get_attribute("data-call-id")
        assert call_id
        records = rig.directory.identity_checks(call_id)
        assert [(verified, method) for _, verified, method, _, _ in records] == [
            (True, "recognised by the agent"),
            (True, "fødselsnummer and member number"),
            (True, "invoice KID, name and fødselsnummer"),
            (False, ""),
            (True, "the member's oral consent"),
        ]
        assert {by for *_, by in records} == {"anne"}
        stored = repr(rig.directory.raw_rows())
        assert KARI_FNR not in stored
        assert PER_FNR not in stored

        async with httpx.AsyncClient(base_url=rig.base) as http:
            scrape = (await http.get("/metrics")).text
        for line in (
            'switchboard_identity_checks_total{method="recognised",verified="true"} 1.0',
            'switchboard_identity_checks_total{method="kid_name_fnr",verified="true"} 1.0',
            'switchboard_identity_checks_total{method="none",verified="false"} 1.0',
            "switchboard_screen_sessions 2.0",
        ):
            assert line in scrape
        assert "Kari" not in scrape

        # B cannot reach A's caller through the API either.
        await bjorn_is_refused(bjorn, call_id)
        await assert_never_shows_the_caller(bjorn)
    finally:
        call.cancel()


async def walk_every_identity_path(anne: Page) -> None:
    # 1. The member calls and Anne knows them.
    await anne.get_by_test_id("situation-own-recognised").click()
    await identity_outcome(anne, "verified: recognised by the agent")
    await start_over(anne)

    # 2. Not recognised: fødselsnummer and member number; a typo is explained, not counted.
    await anne.get_by_test_id("situation-own").click()
    await own_identity(anne, "31129956716", "1000001")
    await expect(anne.get_by_test_id("identity-problem")).to_contain_text(
        "second check digit (11th) is wrong"
    )
    await expect(anne.get_by_test_id("input-member_number")).to_have_value("1000001")
    await anne.get_by_test_id("input-fnr").fill(KARI_FNR)
    await anne.get_by_test_id("form-own-submit").click()
    await identity_outcome(anne, "verified: fødselsnummer and member number")
    await start_over(anne)

    # 3. On behalf about an invoice: KID, then the name, then the fødselsnummer.
    await anne.get_by_test_id("situation-behalf-invoice").click()
    await anne.get_by_test_id("input-kid").fill(KID[:-1] + str((int(KID[-1]) + 1) % 10))
    await anne.get_by_test_id("form-kid-submit").click()
    await expect(anne.get_by_test_id("identity-problem")).to_contain_text("(MOD10)")
    await anne.get_by_test_id("input-kid").fill(KID)
    await anne.get_by_test_id("form-kid-submit").click()
    await expect(anne.get_by_test_id("invoice-member")).to_have_text(
        "Member on the invoice: Per Strand"
    )
    await anne.get_by_test_id("name-matches").click()
    # Per is now on the card, with his own record checks: other phone, placeholder number.
    per = anne.locator("[data-member=m3]")
    await expect(per.locator("[data-flag=phone-differs]")).to_be_visible()
    await expect(per.locator("[data-flag=placeholder-fnr]")).to_be_visible()
    await anne.get_by_test_id("input-fnr").fill(PER_FNR)
    await anne.get_by_test_id("form-fnr-submit").click()
    await expect(anne.get_by_test_id("identity-problem")).to_contain_text("placeholder")
    await per.locator("input[name='m3:fnr']").fill(PER_FNR)
    await per.locator("[data-field=fnr] button").click()
    await expect(per.locator("[data-flag=placeholder-fnr]")).to_have_count(0)
    await anne.get_by_test_id("form-fnr-submit").click()
    await identity_outcome(anne, "verified: invoice KID, name and fødselsnummer")
    await start_over(anne)

    # 4. On behalf about a case, no consent: nothing is said, a callback is agreed.
    await anne.get_by_test_id("situation-behalf-case").click()
    await expect(anne.get_by_test_id("identity-instruction")).to_contain_text("oral consent")
    await anne.get_by_test_id("consent-missing").click()
    await anne.get_by_test_id("agree-we-call-member").click()
    await identity_outcome(anne, "not verified: give no details; agreed: we call the member")
    await start_over(anne)

    # 5. On behalf about a case, the member on the phone agrees and identifies themself.
    await anne.get_by_test_id("situation-behalf-case").click()
    await anne.get_by_test_id("consent-given").click()
    await own_identity(anne, KARI_FNR, "1000001")
    await anne.get_by_test_id("agree-caller-calls-back").click()
    await identity_outcome(
        anne, "verified: the member's oral consent; agreed: the caller calls back"
    )


async def bjorn_is_refused(bjorn: Page, call_id: str) -> None:
    cookies = {c["name"]: c["value"] for c in await bjorn.context.cookies()}
    base = bjorn.url.removesuffix("/screen")
    async with httpx.AsyncClient(base_url=base, cookies=cookies) as http:
        csrf = (await http.get("/api/screen/me")).json()["csrf"]
        headers = {"X-Switchboard-CSRF": csrf}
        reply = await http.post(
            "/api/screen/identity",
            json={"call_id": call_id, "answer": {"situation": "own-recognised"}},
            headers=headers,
        )
        assert (reply.status_code, reply.json()) == (
            400,
            {"error": "that call is not on your screen"},
        )
        reply = await http.post(
            "/api/screen/correction",
            json={"call_id": call_id, "member_id": "m1", "field": "email", "value": "x@y.z"},
            headers=headers,
        )
        assert reply.status_code == 400
        no_token = await http.post("/api/screen/status", json={"status": "lunch"})
        assert no_token.status_code == 403


async def test_an_agent_sets_their_own_status_and_colleagues_see_it(
    rig: ScreenRig, browser: Browser
) -> None:
    anne = await logged_in(browser, rig.base, "anne")
    bjorn = await logged_in(browser, rig.base, "bjorn")
    await expect(bjorn.get_by_test_id("me-presence")).to_have_text("(queues: free)")
    await bjorn.locator("#status-buttons [data-status=lunch]").click()
    await expect(bjorn.get_by_test_id("me-status")).to_have_text("Lunch")
    await expect(bjorn.get_by_test_id("me-presence")).to_have_text("(queues: paused lunch)")
    await expect(anne.locator("[data-agent=bjorn]")).to_contain_text("paused")
    await expect(anne.locator("[data-agent=bjorn]")).to_contain_text("lunch")
    member = rig.sim.pbx.queues["loop2"].members["PJSIP/202"]
    await eventually(lambda: member.paused and member.paused_reason == "switchboard:lunch", 3)
    await bjorn.locator("#status-buttons [data-status=available]").click()
    await eventually(lambda: not member.paused, 3)
    await expect(anne.locator("[data-agent=bjorn]")).to_contain_text("free")
    await bjorn.locator("#status-buttons [data-status=leave]").click()
    await eventually(lambda: "PJSIP/202" not in rig.sim.pbx.queues["loop2"].members, 3)
    await expect(anne.locator("[data-agent=bjorn]")).to_contain_text("on leave")


async def test_an_agent_opts_in_to_be_rung_in_meetings_on_their_screen(
    rig: ScreenRig, browser: Browser
) -> None:
    router = rig.engine.router
    router._ring_opted_in = {"loop1"}  # as `when_all_in_meetings: ring_opted_in` gives it
    bjorn = await logged_in(browser, rig.base, "bjorn")  # loop 2 only: not offered
    await expect(bjorn.get_by_test_id("me-name")).to_have_text("Bjørn Berg")
    await expect(bjorn.get_by_test_id("ring-in-meetings")).to_be_hidden()
    anne = await logged_in(browser, rig.base, "anne")
    box = anne.get_by_test_id("ring-in-meetings")
    await expect(box).not_to_be_checked()
    await box.check()
    await eventually(lambda: router.opted_in == {"anne"}, 3)
    await box.uncheck()
    await eventually(lambda: router.opted_in == set(), 3)


async def test_a_wrong_password_is_refused_and_a_logged_out_screen_shows_nothing(
    rig: ScreenRig, browser: Browser
) -> None:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{rig.base}/screen")
    await page.fill("#login-agent", "anne")
    await page.fill("#login-password", "guess")
    await page.click("#login-submit")
    await expect(page.locator("#login-problem")).to_have_text("unknown agent or wrong password")
    assert await page.locator("#desk").is_hidden()
    async with httpx.AsyncClient(base_url=rig.base) as http:
        assert (await http.get("/api/screen/events")).status_code == 401
        page_reply = await http.get("/screen")
        assert "script-src 'self'" in page_reply.headers["content-security-policy"]


async def test_a_session_that_expires_sends_the_agent_back_to_the_login(
    rig: ScreenRig, browser: Browser
) -> None:
    anne = await logged_in(browser, rig.base, "anne")
    rig.engine.sessions.idle_s = 0.0  # the next look at the session finds it idle too long
    await expect(anne.locator("#login")).to_be_visible(timeout=5000)
    await expect(anne.locator("#login-problem")).to_contain_text("expired")


async def test_a_callback_is_taken_by_one_agent_and_done_removes_it_from_asterisk(
    rig: ScreenRig, browser: Browser
) -> None:
    settings = rig.engine.settings
    assert settings.ivr is not None
    epoch = int(time.time()) - 60
    rig.sim.pbx.astdb["/sb-callback/482913"] = f"+4741234567|loop2|{epoch}|1.7"
    await rig.callbacks.add(
        from_astdb("/sb-callback/482913", f"+4741234567|loop2|{epoch}|1.7", settings.ivr.hours, 2)
    )
    await rig.callbacks.add(  # a loop-1 request: not for Bjørn
        from_astdb("/sb-callback/111111", f"+4741234500|loop1|{epoch}|1.8", settings.ivr.hours, 2)
    )
    anne = await logged_in(browser, rig.base, "anne")
    bjorn = await logged_in(browser, rig.base, "bjorn")
    row_a = anne.locator("[data-ref='482913']")
    row_b = bjorn.locator("[data-ref='482913']")
    await expect(row_b).to_contain_text("Ref 482913 · Pay and work")
    await expect(bjorn.get_by_test_id("callback")).to_have_count(1)  # not loop 1's
    await expect(anne.get_by_test_id("callback")).to_have_count(2)
    assert "41234567" not in await bjorn.locator("body").inner_text()  # not before taking

    await row_b.get_by_test_id("callback-take").click()
    await expect(row_b.get_by_test_id("callback-number")).to_have_text("call +4741234567")
    await expect(row_a.get_by_test_id("callback-taken-by")).to_have_text("taken by Bjørn Berg")
    assert "41234567" not in await anne.locator("body").inner_text()  # the taker's only

    # Handed back, it is anyone's again; taken once more, then done.
    await row_b.get_by_test_id("callback-release").click()
    await expect(row_a.get_by_test_id("callback-take")).to_be_visible()
    await row_b.get_by_test_id("callback-take").click()
    await expect(row_b.get_by_test_id("callback-number")).to_be_visible()
    await row_b.get_by_test_id("callback-done").click()
    await expect(row_b).to_have_count(0)
    await expect(row_a).to_have_count(0)
    await eventually(lambda: "/sb-callback/482913" not in rig.sim.pbx.astdb, 3)
    done = await rig.callbacks.get("482913")
    assert done is not None
    assert (done.status.value, done.handled_by) == ("done", "bjorn")


async def test_the_screen_speaks_norwegian_when_configured(browser: Browser) -> None:
    async with screen_engine(ring_s=2.0, ui_language="no") as rig:
        page = await (await browser.new_context()).new_page()
        await page.goto(f"{rig.base}/screen")
        await expect(page.locator("#login-submit")).to_have_text("Logg inn")
        await page.fill("#login-agent", "anne")
        await page.fill("#login-password", "wrong")
        await page.click("#login-submit")
        await expect(page.locator("#login-problem")).to_have_text(
            "ukjent bruker eller feil passord"
        )
        await page.fill("#login-password", PASSWORDS["anne"])
        await page.click("#login-submit")
        await expect(page.get_by_test_id("me-status")).to_have_text("Tilgjengelig")
        channel = rig.sim.pbx.new_caller(CALLER_NUMBER, "Kari")
        call = asyncio.create_task(
            rig.sim.pbx.queue_call(channel, "loop1", "1", patience_s=60, talk_s=60)
        )
        try:
            await expect(page.get_by_test_id("card-phase")).to_have_text("Ringer")
            await expect(page.get_by_test_id("greeting")).to_have_text(
                "«Arbeidsmandsforbundet, du snakker med Anne Aas»"
            )
            await expect(page.locator("[data-flag=no-email]")).to_contain_text(
                "Ingen e-postadresse registrert"
            )
            await expect(page.get_by_test_id("identity-instruction")).to_contain_text(
                "Før noe om medlemskap"
            )
            await page.get_by_test_id("situation-own").click()
            await own_identity(page, "31129956716", "1000001")
            await expect(page.get_by_test_id("identity-problem")).to_have_text(
                "andre kontrollsiffer (11.) er feil: spør igjen"
            )
            await expect(page.get_by_test_id("card-phase")).to_have_text("I samtale")
            await expect(page.locator("[data-agent=anne]")).to_contain_text("i samtale")
            await page.locator("#status-buttons [data-status=lunch]").click()
            await expect(page.get_by_test_id("me-status")).to_have_text("Lunsj")
        finally:
            call.cancel()


async def test_an_open_screen_does_not_hold_up_stopping_the_engine(browser: Browser) -> None:
    async with screen_engine(ring_s=1.0) as rig:
        page = await logged_in(browser, rig.base, "anne")
        rig.engine.stop()  # with anne's event stream open: screen_engine waits 10 s at most
        await expect(page.get_by_test_id("me-name")).to_have_text("Anne Aas")


async def test_when_the_engine_is_out_of_reach_the_screen_says_so_and_greys_out_presence(
    rig: ScreenRig, browser: Browser
) -> None:
    assert rig.engine.web is not None
    async with relay_to(rig.engine.web.port) as relay:
        anne = await logged_in(browser, f"http://127.0.0.1:{relay.port}", "anne")
        notice = anne.get_by_test_id("connection")
        desk = anne.locator("#desk")
        await expect(anne.locator("[data-agent=bjorn]")).to_contain_text("free")
        await expect(notice).to_be_hidden()

        # The network goes: the stream breaks, the notice shows, the board is no longer live.
        relay.cut()
        await expect(notice).to_be_visible()
        await expect(notice).to_have_text("Connection lost, reconnecting…")
        await expect(desk).to_have_class("stale")
        found = await axe.violations(anne)  # greyed, yet still readable
        assert found == [], axe.described(found)

        # Back again: the screen reconnects by itself, and the board is live and current.
        rig.engine.router.set_manual_status("bjorn", ManualStatus.LUNCH)
        relay.restore()
        await expect(notice).to_be_hidden(timeout=10_000)
        await expect(desk).not_to_have_class("stale")
        await expect(anne.locator("[data-agent=bjorn]")).to_contain_text("paused")

        # The engine stops: the same notice, at once.
        rig.engine.stop()
        await expect(notice).to_be_visible()
        await expect(desk).to_have_class("stale")


async def test_login_screen_and_wallboard_meet_wcag_21_aa(rig: ScreenRig, browser: Browser) -> None:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{rig.base}/screen")
    await expect(page.locator("#login-submit")).to_be_visible()
    found = await axe.violations(page)
    assert found == [], "login page:\n" + axe.described(found)

    # The screen at its fullest: a ringing call with flags, callbacks, the colleagues board in
    # every state colour.
    settings = rig.engine.settings
    assert settings.ivr is not None
    epoch = int(time.time()) - 3 * 86400
    await rig.callbacks.add(
        from_astdb("/sb-callback/482913", f"+4741234567|loop1|{epoch}|1.7", settings.ivr.hours, 2)
    )
    anne = await logged_in(browser, rig.base, "anne")
    bjorn = await logged_in(browser, rig.base, "bjorn")
    await bjorn.locator("#status-buttons [data-status=lunch]").click()
    channel = rig.sim.pbx.new_caller(CALLER_NUMBER, "Kari")
    call = asyncio.create_task(
        rig.sim.pbx.queue_call(channel, "loop1", "1", patience_s=60, talk_s=60)
    )
    try:
        await expect(anne.get_by_test_id("card-phase")).to_have_text("Ringing")
        await expect(anne.get_by_test_id("flag")).to_have_count(2)
        await expect(anne.get_by_test_id("callback")).to_have_count(1)
        await expect(anne.locator("[data-agent=bjorn]")).to_contain_text("paused")
        found = await axe.violations(anne)
        assert found == [], "agent screen:\n" + axe.described(found)
    finally:
        call.cancel()

    wallboard = await (await browser.new_context()).new_page()
    await wallboard.goto(f"{rig.base}/wallboard")
    await expect(wallboard.locator("section.loop")).to_have_count(2)
    found = await axe.violations(wallboard)
    assert found == [], "wallboard:\n" + axe.described(found)


async def test_a_supervisor_closes_a_loop_with_a_message_and_reopens_it(
    rig: ScreenRig, browser: Browser
) -> None:
    anne = await logged_in(browser, rig.base, "anne")
    bjorn = await logged_in(browser, rig.base, "bjorn")  # holds the supervisor role
    await expect(bjorn.get_by_test_id("switch")).to_be_visible()
    await expect(anne.get_by_test_id("switch")).to_be_hidden()
    await bjorn.get_by_test_id("switch-scope").select_option("loop1")
    await bjorn.get_by_test_id("switch-message").select_option("emergency")
    await bjorn.get_by_test_id("switch-close").click()
    # The dialplan reads AstDB on every call; every screen says what is closed, and by whom.
    await eventually(lambda: rig.sim.pbx.astdb.get("/sb-closure/loop-loop1") == "emergency", 3)
    await expect(anne.get_by_test_id("closure")).to_have_text(
        "Insurance and invoices is closed (message: emergency) by bjorn"
    )
    assert await anne.get_by_test_id("closure-reopen").count() == 0
    # A request made by hand is refused for an agent without the role, and changes nothing.
    token = await anne.evaluate("csrf")
    refused = await anne.evaluate(
        """async (token) => (await fetch('/api/screen/closure/reopen', {method: 'POST',
           headers: {'Content-Type': 'application/json', 'X-Switchboard-CSRF': token},
           body: JSON.stringify({scope: 'loop1'})})).status""",
        token,
    )
    assert refused == 400
    assert rig.sim.pbx.astdb.get("/sb-closure/loop-loop1") == "emergency"
    await bjorn.get_by_test_id("closure-reopen").click()
    await eventually(lambda: "/sb-closure/loop-loop1" not in rig.sim.pbx.astdb, 3)
    await expect(anne.get_by_test_id("closure")).to_have_count(0)
