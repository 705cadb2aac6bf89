"""Invented members for the demo and the tests: valid-looking records, none of them real.

Numbers are drawn from ranges no operator hands out to the public where possible, names are
random pairs, and a share of records carries each problem the record checks look for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from switchboard.screen.fnr import with_check_digits
from switchboard.screen.member import Member

FIRST = ("Kari", "Ola", "Ingrid", "Per", "Astrid", "Nils", "Sigrid", "Lars", "Mona", "Tor",
         "Aisha", "Tomasz", "Linh", "Jonas", "Fatima", "Eirik", "Marta", "Nora", "Ali")  # fmt: skip
LAST = ("Nordmann", "Hansen", "Berg", "Lie", "Dahl", "Moen", "Strand", "Vik", "Holm", "Lund",
        "Nowak", "Nguyen", "Haugen", "Bakke", "Rahimi", "Solberg")  # fmt: skip
STREETS = ("Storgata", "Kirkeveien", "Fjordveien", "Bakkegata", "Skolegata", "Elvegata")
PLACES = (("0182", "Oslo"), ("5003", "Bergen"), ("7010", "Trondheim"), ("9008", "Tromsø"),
          ("4006", "Stavanger"), ("3015", "Drammen"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class SampleShares:
    no_email: float = 0.25
    returned_magazine: float = 0.12
    placeholder_fnr: float = 0.08
    shared_phone: float = 0.05  # a household: two members on one number


def _fnr(rng: random.Random) -> str:
    while True:
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
        individual = rng.randrange(0, 500) if born.year < 2000 else rng.randrange(500, 1000)
        number = with_check_digits(f"{born:%d%m%y}{individual:03d}")
        if number is not None:
            return number


def sample_members(
    count: int = 300, seed: int = 7, shares: SampleShares = SampleShares()
) -> list[tuple[Member, str]]:
    """(member, registered fødselsnummer) pairs; the same seed gives the same members."""
    rng = random.Random(seed)
    out: list[tuple[Member, str]] = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if out and rng.random() < shares.shared_phone:
            phone = out[-1][0].phone
        else:
            phone = f"+47 {rng.choice((4, 9))}{rng.randrange(10_000_000):07d}"
        fnr = _fnr(rng)
        if rng.random() < shares.placeholder_fnr:
            fnr = fnr[:6] + "00100"
        postcode, place = rng.choice(PLACES)
        member = Member(
            id=f"m{n + 1:05d}",
            member_number=str(1_000_001 + n * 7),
            name=f"{first} {last}",
            phone=phone,
            email=""
            if rng.random() < shares.no_email
            else f"{first}.{last}{n}@example.org".lower(),
            address=f"{rng.choice(STREETS)} {rng.randrange(1, 90)}, {postcode} {place}",
            returned_magazine=rng.random() < shares.returned_magazine,
        )
        out.append((member, fnr))
    return out
