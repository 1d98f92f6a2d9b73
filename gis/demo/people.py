"""Synthetic households: who lives in each occupied plot, how many, how well off, how housed.

Rates follow the brief and rural Thai surveys: about a third of households with an elderly
member, 8 % with a disabled member, 3 % with a bedridden one, 30 % with young children; household
income log-normal around a 9,000-baht median; house condition 40/30/20/10 % good/fair/poor/
dilapidated. Every name, ID number and phone number is random.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from gis.demo.names import random_head_name
from gis.demo.thai_id import random_thai_id

_MEMBERS = (1, 2, 3, 4, 5, 6, 7, 8, 9)
_MEMBER_WEIGHTS = (6, 14, 24, 24, 15, 9, 4, 2, 1)
_CONDITIONS = (("good", 40), ("fair", 30), ("poor", 20), ("dilapidated", 10))
# Registration offices of household heads: mostly born here, some moved from elsewhere in Sa
# Kaeo, a few from Bangkok (10xx) or the northeast.
_ID_OFFICES = (("2704", 70), ("2701", 8), ("2707", 6), ("2705", 4), ("1001", 4), ("3101", 4),
               ("4001", 4))


@dataclass(frozen=True)
class Household:
    """The survey answers of one household (everything but ids, location and links)."""

    house_no: str
    head_name: str
    national_id: str
    phone: str | None
    members: int
    elderly: int
    disabled: int
    bedridden: int
    children: int
    monthly_income: float
    dwelling_status: str
    house_condition: str
    needs_repair: bool
    consent: bool
    survey_date: dt.date
    surveyor: str


def house_numbers(rng: random.Random) -> Iterator[str]:
    """House numbers in the order houses are passed along the village roads: ``"12"``, ``"12/1"``.

    Numbers rise with small skips (demolished or unregistered houses); about one house in eight
    is a later split of the previous number (``/1``, ``/2`` …), as rural house registers show.
    """
    number, sub = rng.randint(1, 5), 0
    yield str(number)
    while True:
        if rng.random() < 0.12:
            sub += 1
            yield f"{number}/{sub}"
        else:
            number += rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
            sub = 0
            yield str(number)


def _phone(rng: random.Random) -> str | None:
    if rng.random() < 0.08:  # no phone, or declined to give one
        return None
    return rng.choice(("08", "09")) + "".join(str(rng.randrange(10)) for _ in range(8))


def household(
    rng: random.Random,
    *,
    house_no: str,
    tenure: str,
    survey_window: tuple[dt.date, dt.date],
    surveyors: tuple[str, ...],
    used_ids: set[str],
) -> Household:
    """One synthetic household.

    Parameters
    ----------
    rng
        The source of randomness.
    house_no
        From :func:`house_numbers`.
    tenure
        The plot's occupant tenure; renters mostly live in rented houses.
    survey_window
        First and last day of the village's survey; the survey date falls within it.
    surveyors
        The volunteers who surveyed this village.
    used_ids
        National IDs already given out; the new one is added (IDs are unique).

    Returns
    -------
    Household
        Counts never exceed ``members``; elderly and children together fit in it too.
    """
    members = rng.choices(_MEMBERS, weights=_MEMBER_WEIGHTS)[0]
    elderly = 0
    if rng.random() < 0.35:
        elderly = min(members, rng.choices((1, 2), weights=(70, 30))[0])
    children = 0
    # Young children need an adult besides the elderly; single-person households have none.
    room = members - elderly - 1
    if room >= 1 and rng.random() < 0.36:
        children = min(room, rng.choices((1, 2, 3), weights=(60, 32, 8))[0])
    disabled = min(members, 1 if rng.random() < 0.08 else 0)
    # Bedridden members are mostly elderly ones.
    bedridden = 1 if rng.random() < (0.07 if elderly else 0.01) else 0

    # Log-normal around a 9,000-baht median: about 6 % under 3,000 baht.
    income = round(9_000.0 * math.exp(rng.gauss(0.0, 0.7)), -2)
    income = max(income, 300.0)

    if tenure == "renter":
        dwelling = rng.choices(("rented", "own_house"), weights=(70, 30))[0]
    else:
        dwelling = rng.choices(
            ("own_house", "living_with_others", "rented", "with_employer", "no_fixed_home"),
            weights=(84, 9, 3, 3, 1))[0]
    condition = rng.choices([c for c, _ in _CONDITIONS], weights=[w for _, w in _CONDITIONS])[0]

    office = rng.choices([o for o, _ in _ID_OFFICES], weights=[w for _, w in _ID_OFFICES])[0]
    national_id = random_thai_id(rng, office_code=office)
    while national_id in used_ids:
        national_id = random_thai_id(rng, office_code=office)
    used_ids.add(national_id)

    first, last = survey_window
    return Household(
        house_no=house_no,
        head_name=random_head_name(rng),
        national_id=national_id,
        phone=_phone(rng),
        members=members,
        elderly=elderly,
        disabled=disabled,
        bedridden=bedridden,
        children=children,
        monthly_income=float(income),
        dwelling_status=dwelling,
        house_condition=condition,
        needs_repair=condition in ("poor", "dilapidated"),
        consent=rng.random() < 0.97,
        survey_date=first + dt.timedelta(days=rng.randint(0, (last - first).days)),
        surveyor=rng.choice(surveyors),
    )
