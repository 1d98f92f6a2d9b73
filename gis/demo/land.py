"""Who owns each demo plot, what document its occupant holds, and its areas.

The owner follows the tenure zone a plot lies in (ALRO land is ALRO's, forest land the Royal
Forest Department's …) and the document and tenure follow the owner, with the distributions a
rural survey in eastern Thailand would show: titles (โฉนด, น.ส.3 ก) on private land, ส.ป.ก.4-01
on land-reform land, nothing or a tax receipt (ภ.บ.ท.5) in a reserved forest.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from gis.area import geodesic_area_m2
from gis.area import rai_ngan_wa_text as rai_ngan_wa

# The demo's own name for the text form; gis.demo.build_demo measures plots with the other.
__all__ = ["LandRecord", "geodesic_area_m2", "land_record", "rai_ngan_wa"]


@dataclass(frozen=True)
class LandRecord:
    """The land fields of one plot (everything but its id, village and measured area)."""

    land_document: str
    document_number: str | None
    land_owner: str
    occupant_tenure: str
    official_area: str | None
    notes: str | None


def _pick(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


# (document, tenure) distributions for each owner, by the agency of the zone a plot lies in.
_IN_ZONE: dict[str, tuple[str, Sequence[tuple[str, float]], Sequence[tuple[str, float]]]] = {
    # agency: (land_owner, documents, tenures)
    "alro": ("alro", (("sor_por_kor_4_01", 80), ("chanote_agri", 5), ("por_bor_tor_5", 7),
                      ("none", 8)),
             (("permission", 85), ("no_permission", 10), ("renter", 5))),
    "royal_forest_dept": ("royal_forest_dept", (("none", 55), ("por_bor_tor_5", 30),
                                                 ("kor_tor_chor_permit", 15)),
                          (("no_permission", 60), ("permission", 20), ("facing_eviction", 20))),
    "public_land": ("public_land", (("none", 70), ("por_bor_tor_5", 30)),
                    (("no_permission", 70), ("permission", 20), ("facing_eviction", 10))),
    "treasury": ("treasury", (("lease_contract", 60), ("none", 40)),
                 (("renter", 45), ("collective_lease", 20), ("no_permission", 35))),
    # The quarry company bought the land: residents rent or face eviction.
    "private_concession": ("private", (("lease_contract", 40), ("none", 60)),
                           (("renter", 40), ("facing_eviction", 45), ("permission", 15))),
}
_OUTSIDE_DOCS: tuple[tuple[str, float], ...] = (
    ("chanote", 55), ("nor_sor_3k", 22), ("nor_sor_3", 5), ("nor_sor_3kh", 2), ("sor_kor_1", 5),
    ("por_bor_tor_5", 5), ("none", 5), ("unknown", 1),
)
_OUTSIDE_TENURE: tuple[tuple[str, float], ...] = (
    ("owner", 76), ("renter", 10), ("permission", 12), ("unknown", 2),
)
# How far an official area may be from the measured one: surveyed titles are close, older
# certificates and declarations less so.
_AREA_ERROR = {"chanote": 0.03, "chanote_agri": 0.04, "nor_sor_3k": 0.05}
_NUMBERED = {"chanote", "chanote_agri", "nor_sor_3k", "nor_sor_3", "nor_sor_3kh", "sor_kor_1",
             "sor_por_kor_4_01", "kor_tor_chor_permit", "lease_contract"}


def land_record(
    rng: random.Random,
    *,
    agency: str | None,
    area_m2: float,
    is_farm: bool,
    community_type: str,
) -> LandRecord:
    """Plausible land fields for one plot.

    Parameters
    ----------
    rng
        The source of randomness.
    agency
        Agency of the tenure zone holding the plot's centroid, or None outside every zone.
    area_m2
        The plot's geodesic area; the official area is drawn near it.
    is_farm
        Farm plots get a note saying so.
    community_type
        Town communities have some municipal land.

    Returns
    -------
    LandRecord
        Codes from the land vocabularies; ``official_area`` only when there is a document.
    """
    if agency is not None:
        owner, docs, tenures = _IN_ZONE[agency]
        document, tenure = _pick(rng, docs), _pick(rng, tenures)
    elif community_type != "rural_village" and rng.random() < 0.08:
        owner, document, tenure = "municipality", "none", _pick(
            rng, (("permission", 60), ("no_permission", 40)))
    elif rng.random() < 0.02:
        owner, document, tenure = "temple", "none", "permission"  # living on temple land
    else:
        document, tenure = _pick(rng, _OUTSIDE_DOCS), _pick(rng, _OUTSIDE_TENURE)
        # The occupant owns the land they hold; renters and guests live on someone else's.
        owner = "occupant" if tenure == "owner" else "private"
        if document == "unknown":
            owner = "unknown"

    official_area = None
    number = None
    if document not in ("none", "unknown"):
        error = _AREA_ERROR.get(document, 0.15)
        official_area = rai_ngan_wa(area_m2 * (1.0 + rng.uniform(-error, error)))
        if document in _NUMBERED:
            number = str(rng.randint(1_000, 99_999))
    notes = None
    if is_farm:
        notes = rng.choice(("แปลงเกษตร นาข้าว", "แปลงเกษตร มันสำปะหลัง", "แปลงเกษตร อ้อย",
                            "สวนยางพารา"))
    elif tenure == "facing_eviction":
        notes = "ได้รับหนังสือแจ้งให้ออกจากพื้นที่"
    return LandRecord(document, number, owner, tenure, official_area, notes)
