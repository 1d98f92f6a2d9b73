"""Thai national ID numbers (เลขประจำตัวประชาชน): the checksum and synthetic numbers that pass it.

A Thai ID has 13 digits. The first is the person type (1–8), digits 2–5 the civil registration
office (province + amphoe, e.g. ``2704`` for Wang Nam Yen), digits 6–12 a book and sequence
number, and the last a check digit: ``(11 - sum(d[i] * (13 - i) for i in 0..11) % 11) % 10``.
The demo's numbers are random apart from that structure; they pass the checksum so that the
import validators accept them, and belong to nobody.
"""

from __future__ import annotations

import random

# Weights 13, 12, …, 2 for the first 12 digits.
_WEIGHTS: tuple[int, ...] = tuple(range(13, 1, -1))


def check_digit(first12: str) -> int:
    """The check digit of a Thai national ID from its first 12 digits.

    Parameters
    ----------
    first12
        Exactly 12 ASCII digits.

    Returns
    -------
    int
        ``(11 - (Σ digit × weight) mod 11) mod 10`` with weights 13 down to 2.

    Raises
    ------
    ValueError
        If ``first12`` is not 12 ASCII digits.
    """
    if len(first12) != 12 or not (first12.isascii() and first12.isdigit()):
        raise ValueError(f"first12 must be 12 ASCII digits, received {first12!r}")
    total = sum(int(d) * w for d, w in zip(first12, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_thai_id(national_id: str) -> bool:
    """Whether ``national_id`` is 13 ASCII digits, starts with 1–8 and has the right check digit.

    Parameters
    ----------
    national_id
        The number as written, without dashes or spaces.

    Returns
    -------
    bool
        True when the number is well formed and its last digit matches :func:`check_digit`.
    """
    if len(national_id) != 13 or not (national_id.isascii() and national_id.isdigit()):
        return False
    if national_id[0] not in "12345678":
        return False
    return check_digit(national_id[:12]) == int(national_id[12])


def random_thai_id(rng: random.Random, *, office_code: str) -> str:
    """A synthetic, checksum-valid Thai national ID registered at ``office_code``.

    Parameters
    ----------
    rng
        The source of randomness (the demo's seeded generator).
    office_code
        Four digits: province and amphoe of the registration office, e.g. ``"2704"``.

    Returns
    -------
    str
        13 digits. The person type is 3 (registered at the first census, i.e. older adults) or
        1 (born since 1984) most of the time, like the heads of rural households it stands for.
    """
    if len(office_code) != 4 or not office_code.isdigit():
        raise ValueError(f"office_code must be 4 digits, received {office_code!r}")
    person_type = rng.choices("31285", weights=(58, 34, 3, 3, 2))[0]
    serial = "".join(str(rng.randrange(10)) for _ in range(7))
    first12 = person_type + office_code + serial
    return first12 + str(check_digit(first12))
