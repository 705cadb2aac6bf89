"""The member directory: found by phone or member number, corrected with who and when."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from switchboard.screen.directory import DirectoryError, HttpDirectory, SqliteDirectory
from switchboard.screen.fnr import check_fnr
from switchboard.screen.member import Correction, IdentityRecord, Member
from switchboard.screen.sample import sample_members

KARI = Member("m1", "1000001", "Kari Nordmann", "+47 90595313", "", "Storgata 1, 0182 Oslo", True)
FNR = "31129956715"
AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def directory() -> SqliteDirectory:
    d = SqliteDirectory(":memory:", key=b"test-key")
    d.add(KARI, FNR)
    d.add(Member("m2", "1000008", "Ola Nordmann", "905 95 313", "ola@example.org", "x"), FNR)
    d.add(
        Member("m3", "1000015", "Per Berg", "+4741234567", "p@example.org", "y"), "0101700" + "0100"
    )
    return d


async def test_a_call_from_a_loop_finds_everyone_registered_on_that_number(
    directory: SqliteDirectory,
) -> None:
    # As delivered from the switchboard: the number with its three-digit loop suffix.
    found = await directory.by_phone("90595313-111")
    assert [m.name for m in found] == ["Kari Nordmann", "Ola Nordmann"]
    assert await directory.by_phone("+4790595313") == found
    assert await directory.by_phone("anonymous") == []


async def test_member_number_and_fnr_are_checked_against_the_record(
    directory: SqliteDirectory,
) -> None:
    kari = await directory.by_member_number("1000001")
    assert kari == KARI
    assert await directory.fnr_matches("m1", FNR)
    assert not await directory.fnr_matches("m1", "31129956723")
    assert not await directory.fnr_matches("nobody", FNR)


async def test_a_placeholder_personal_number_is_flagged_and_cleared_by_the_real_one(
    directory: SqliteDirectory,
) -> None:
    per = await directory.get("m3")
    assert per is not None
    assert per.placeholder_fnr
    fixed = await directory.correct(Correction("m3", "fnr", FNR, "anne", AT))
    assert not fixed.placeholder_fnr
    assert await directory.fnr_matches("m3", FNR)


async def test_a_new_address_clears_the_returned_magazine_mark_and_notes_who_and_when(
    directory: SqliteDirectory,
) -> None:
    fixed = await directory.correct(Correction("m1", "address", "Nygata 2, 0182 Oslo", "anne", AT))
    assert (fixed.address, fixed.returned_magazine) == ("Nygata 2, 0182 Oslo", False)
    await directory.correct(Correction("m1", "email", "kari@example.org", "bjorn", AT))
    assert directory.corrections("m1") == [("address", "anne", AT), ("email", "bjorn", AT)]


async def test_a_correction_to_an_unknown_member_is_refused(directory: SqliteDirectory) -> None:
    with pytest.raises(DirectoryError, match="no member 'm9'"):
        await directory.correct(Correction("m9", "email", "x@example.org", "anne", AT))


async def test_no_fodselsnummer_is_stored_in_clear(directory: SqliteDirectory) -> None:
    await directory.correct(Correction("m3", "fnr", FNR, "anne", AT))
    await directory.record_identity(IdentityRecord("c1", "m1", True, "fnr", "", "anne", AT))
    stored = repr(directory.raw_rows())
    assert FNR not in stored
    assert "00100" not in stored
    assert directory.identity_checks("c1") == [("m1", True, "fnr", "", "anne")]


def test_the_sample_is_invented_valid_and_has_every_kind_of_record_problem() -> None:
    members = sample_members(300)
    assert len({m.id for m, _ in members}) == 300
    real = [fnr for m, fnr in members if not fnr.endswith("00100")]
    assert all(check_fnr(fnr).ok for fnr in real)
    assert any(not m.email for m, _ in members)
    assert any(m.returned_magazine for m, _ in members)
    assert len(real) < 300  # some placeholders
    assert sample_members(300) == members  # same seed, same members


# --- the HTTP adapter against a CRM of the documented shape ---------------------------


def _crm() -> Starlette:
    members = {"m1": KARI}
    record = {"id": "m1", "member_number": "1000001", "name": "Kari Nordmann",
              "phone": "+47 90595313", "email": "", "address": "Storgata 1, 0182 Oslo",
              "returned_magazine": True, "placeholder_fnr": False}  # fmt: skip
    seen: list[object] = []

    async def search(request: Request) -> Response:
        if request.query_params.get("phone") == "90595313":
            return JSONResponse([record])
        if request.query_params.get("member_number") == "1000001":
            return JSONResponse([record])
        return JSONResponse([])

    async def one(request: Request) -> Response:
        if request.path_params["id"] not in members:
            return Response(status_code=404)
        if request.method == "PATCH":
            body = await request.json()
            seen.append(body)
            return JSONResponse({**record, body["field"]: body["value"]})
        return JSONResponse(record)

    async def verify(request: Request) -> Response:
        return JSONResponse({"matches": (await request.json())["fnr"] == FNR})

    async def checks(request: Request) -> Response:
        seen.append(await request.json())
        return Response(status_code=201)

    app = Starlette(
        routes=[
            Route("/members", search),
            Route("/members/{id}", one, methods=["GET", "PATCH"]),
            Route("/members/{id}/verify-fnr", verify, methods=["POST"]),
            Route("/identity-checks", checks, methods=["POST"]),
        ]
    )
    app.state.seen = seen
    return app


@pytest.fixture
async def crm() -> AsyncIterator[tuple[HttpDirectory, list[object]]]:
    app = _crm()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://crm") as client:
        yield HttpDirectory(client), app.state.seen


async def test_the_http_adapter_reads_and_writes_the_documented_shape(
    crm: tuple[HttpDirectory, list[object]],
) -> None:
    directory, seen = crm
    assert await directory.by_phone("90595313-111") == [KARI]
    assert await directory.by_member_number("1000001") == KARI
    assert await directory.get("m404") is None
    assert await directory.fnr_matches("m1", FNR)
    fixed = await directory.correct(Correction("m1", "email", "kari@example.org", "anne", AT))
    assert fixed.email == "kari@example.org"
    await directory.record_identity(IdentityRecord("c1", "m1", True, "fnr", "", "anne", AT))
    assert seen[0] == {"field": "email", "value": "kari@example.org", "by": "anne",
                       "at": AT.isoformat()}  # fmt: skip
    assert isinstance(seen[1], dict)
    assert seen[1]["verified"] is True


async def test_a_crm_that_is_down_gives_a_clear_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(refuse), base_url="http://crm"
    ) as client:
        with pytest.raises(DirectoryError, match="unreachable: ConnectError"):
            await HttpDirectory(client).by_phone("90595313")


async def test_identity_check_records_are_kept_for_the_configured_time_only() -> None:
    directory = SqliteDirectory(":memory:", key=b"k", keep_identity_checks=timedelta(days=30))
    old = IdentityRecord("c-old", "m1", True, "fnr", "", "anne", AT - timedelta(days=31))
    recent = IdentityRecord("c-new", "m1", True, "fnr", "", "anne", AT - timedelta(days=29))
    await directory.record_identity(old)
    await directory.record_identity(recent)
    await directory.record_identity(IdentityRecord("c-now", None, False, "", "", "bjorn", AT))
    assert directory.identity_checks("c-old") == []
    assert directory.identity_checks("c-new") != []
