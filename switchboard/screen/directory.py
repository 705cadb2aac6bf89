"""The member directory: one interface, an embedded SQLite default, and an HTTP adapter shape.

The embedded directory keeps a keyed hash (HMAC-SHA256) of each fødselsnummer, never the
number: all the screen needs is "is this the member's number?".
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import httpx

from switchboard.screen.fnr import is_placeholder
from switchboard.screen.member import Correction, IdentityRecord, Member
from switchboard.screen.record_checks import caller_key, national_number

DEFAULT_PLACEHOLDERS = frozenset({"00100", "00000", "99999"})


class DirectoryError(Exception):
    """The directory could not answer (down, refused, or answered nonsense)."""


class MemberDirectory(Protocol):
    async def by_phone(self, number: str) -> list[Member]:
        """Members registered on a phone number (the loop suffix is ignored)."""
        ...

    async def by_member_number(self, member_number: str) -> Member | None: ...

    async def get(self, member_id: str) -> Member | None: ...

    async def fnr_matches(self, member_id: str, fnr: str) -> bool:
        """Whether `fnr` (11 validated digits) is the member's registered number."""
        ...

    async def correct(self, correction: Correction) -> Member:
        """Write a correction back, noting who made it and when."""
        ...

    async def record_identity(self, record: IdentityRecord) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS members (
    id TEXT PRIMARY KEY,
    member_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    phone_key TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    returned_magazine INTEGER NOT NULL DEFAULT 0,
    fnr_hash TEXT NOT NULL DEFAULT '',
    placeholder_fnr INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS members_phone ON members(phone_key);
CREATE TABLE IF NOT EXISTS corrections (
    member_id TEXT NOT NULL, field TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identity_checks (
    call_id TEXT NOT NULL, member_id TEXT, verified INTEGER NOT NULL, method TEXT NOT NULL,
    agreement TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL
);
"""
_COLUMNS = "id, member_number, name, phone, email, address, returned_magazine, placeholder_fnr"


class SqliteDirectory:
    """The embedded directory: one SQLite file (or `:memory:`), queries of a millisecond."""

    def __init__(
        self,
        path: Path | str,
        key: bytes,
        placeholders: frozenset[str] = DEFAULT_PLACEHOLDERS,
        keep_identity_checks: timedelta = timedelta(days=400),
    ) -> None:
        self.keep_identity_checks = keep_identity_checks
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
        # Two engines on one host may share the file: WAL lets one read while the other writes.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._key = key
        self.placeholders = placeholders

    def fnr_hash(self, fnr: str) -> str:
        return hmac.new(self._key, fnr.encode(), hashlib.sha256).hexdigest()

    def _fnr_columns(self, fnr: str) -> list[object]:
        """What the members table keeps of a fødselsnummer: its keyed hash, placeholder or not."""
        return [self.fnr_hash(fnr), int(is_placeholder(fnr, self.placeholders))]

    def add(self, member: Member, fnr: str) -> None:
        """Register a member (the sample generator and imports use this)."""
        self.add_all([(member, fnr)])

    def add_all(self, members: Iterable[tuple[Member, str]]) -> None:
        """Register members in one transaction (an import of thousands commits once)."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        m.id, m.member_number, m.name, m.phone, national_number(m.phone),
                        m.email, m.address, int(m.returned_magazine), *self._fnr_columns(fnr),
                    )
                    for m, fnr in members
                ),
            )  # fmt: skip

    def _one(self, where: str, *args: str) -> Member | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM members WHERE {where}", args).fetchone()
        return None if row is None else _member(row)

    async def by_phone(self, number: str) -> list[Member]:
        key = caller_key(number)
        if not key:
            return []
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM members WHERE phone_key = ? ORDER BY name", (key,)
        ).fetchall()
        return [_member(r) for r in rows]

    async def by_member_number(self, member_number: str) -> Member | None:
        return self._one("member_number = ?", member_number.strip().lstrip("0"))

    async def get(self, member_id: str) -> Member | None:
        return self._one("id = ?", member_id)

    async def fnr_matches(self, member_id: str, fnr: str) -> bool:
        row = self._db.execute("SELECT fnr_hash FROM members WHERE id = ?", (member_id,)).fetchone()
        return row is not None and hmac.compare_digest(row[0], self.fnr_hash(fnr))

    async def correct(self, correction: Correction) -> Member:
        c = correction
        if c.field == "fnr":
            sets, args = "fnr_hash = ?, placeholder_fnr = ?", self._fnr_columns(c.value)
        elif c.field == "address":  # a new address clears the returned-magazine mark
            sets, args = "address = ?, returned_magazine = 0", [c.value]
        elif c.field == "phone":
            sets, args = "phone = ?, phone_key = ?", [c.value, national_number(c.value)]
        else:
            sets, args = "email = ?", [c.value]
        with self._db:
            changed = self._db.execute(
                f"UPDATE members SET {sets} WHERE id = ?", (*args, c.member_id)
            ).rowcount
            if not changed:
                raise DirectoryError(f"no member {c.member_id!r} to correct")
            self._db.execute(
                "INSERT INTO corrections VALUES (?, ?, ?, ?)",
                (c.member_id, c.field, c.by, c.at.isoformat()),
            )
        member = await self.get(c.member_id)
        assert member is not None
        return member

    async def record_identity(self, record: IdentityRecord) -> None:
        """Note an outcome; outcomes older than `keep_identity_checks` are deleted meanwhile."""
        r = record
        cutoff = (r.at - self.keep_identity_checks).astimezone(UTC).isoformat()
        with self._db:
            self._db.execute("DELETE FROM identity_checks WHERE at < ?", (cutoff,))
            self._db.execute(
                "INSERT INTO identity_checks VALUES (?, ?, ?, ?, ?, ?, ?)",
                (r.call_id, r.member_id, int(r.verified), r.method, r.agreement, r.by,
                 r.at.astimezone(UTC).isoformat()),
            )  # fmt: skip

    def corrections(self, member_id: str) -> list[tuple[str, str, datetime]]:
        """(field, by, at) of every correction to a member, oldest first."""
        rows = self._db.execute(
            "SELECT field, by, at FROM corrections WHERE member_id = ? ORDER BY rowid",
            (member_id,),
        ).fetchall()
        return [(f, b, datetime.fromisoformat(a)) for f, b, a in rows]

    def identity_checks(self, call_id: str) -> list[tuple[str | None, bool, str, str, str]]:
        """(member, verified, method, agreement, by) recorded for a call."""
        rows = self._db.execute(
            "SELECT member_id, verified, method, agreement, by FROM identity_checks "
            "WHERE call_id = ? ORDER BY rowid",
            (call_id,),
        ).fetchall()
        return [(m, bool(v), me, a, b) for m, v, me, a, b in rows]

    def raw_rows(self) -> list[tuple[object, ...]]:
        """Every stored value (tests use it to prove no number is kept in clear)."""
        out: list[tuple[object, ...]] = []
        for table in ("members", "corrections", "identity_checks"):
            out += self._db.execute(f"SELECT * FROM {table}").fetchall()
        return out


def _member(row: tuple[object, ...]) -> Member:
    i, number, name, phone, email, address, returned, placeholder = row
    return Member(
        str(i), str(number), str(name), str(phone), str(email), str(address),
        bool(returned), bool(placeholder),
    )  # fmt: skip


class HttpDirectory:
    """A CRM behind HTTP, in the shape this adapter expects (README: "Member directory").

    GET  /members?phone=<8 digits>            -> [member, ...]
    GET  /members?member_number=<n>           -> [member] or []
    GET  /members/<id>                        -> member (404: none)
    POST /members/<id>/verify-fnr  {"fnr"}    -> {"matches": bool}
    PATCH /members/<id> {"field","value","by","at"} -> member
    POST /identity-checks {record}            -> 201
    A member is {"id","member_number","name","phone","email","address",
    "returned_magazine","placeholder_fnr"}.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._http = client

    async def _call(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            raise DirectoryError(f"member directory unreachable: {type(exc).__name__}") from None
        if response.status_code >= 400 and response.status_code != 404:
            raise DirectoryError(f"member directory answered {response.status_code} to {method}")
        return response

    async def _members(self, **params: str) -> list[Member]:
        response = await self._call("GET", "/members", params=params)
        try:
            return [_from_json(m) for m in response.json()]
        except (ValueError, KeyError, TypeError):
            raise DirectoryError("member directory sent a list we cannot read") from None

    async def by_phone(self, number: str) -> list[Member]:
        key = caller_key(number)
        return await self._members(phone=key) if key else []

    async def by_member_number(self, member_number: str) -> Member | None:
        found = await self._members(member_number=member_number.strip())
        return found[0] if found else None

    async def get(self, member_id: str) -> Member | None:
        response = await self._call("GET", f"/members/{member_id}")
        return None if response.status_code == 404 else _from_json(response.json())

    async def fnr_matches(self, member_id: str, fnr: str) -> bool:
        response = await self._call("POST", f"/members/{member_id}/verify-fnr", json={"fnr": fnr})
        return response.status_code == 200 and response.json().get("matches") is True

    async def correct(self, correction: Correction) -> Member:
        c = correction
        body = {"field": c.field, "value": c.value, "by": c.by, "at": c.at.isoformat()}
        response = await self._call("PATCH", f"/members/{c.member_id}", json=body)
        if response.status_code == 404:
            raise DirectoryError(f"no member {c.member_id!r} to correct")
        return _from_json(response.json())

    async def record_identity(self, record: IdentityRecord) -> None:
        r = record
        body = {
            "call_id": r.call_id, "member_id": r.member_id, "verified": r.verified,
            "method": r.method, "agreement": r.agreement, "by": r.by, "at": r.at.isoformat(),
        }  # fmt: skip
        await self._call("POST", "/identity-checks", json=body)


def _from_json(data: dict[str, object]) -> Member:
    return Member(
        id=str(data["id"]),
        member_number=str(data["member_number"]),
        name=str(data["name"]),
        phone=str(data.get("phone") or ""),
        email=str(data.get("email") or ""),
        address=str(data.get("address") or ""),
        returned_magazine=bool(data.get("returned_magazine")),
        placeholder_fnr=bool(data.get("placeholder_fnr")),
    )
