"""The one gate between stored data and anyone who looks at it (DESIGN.md §3).

Every map popup, table, download, report and CLI export asks this module what its audience may
see: which rows (the areas a user is assigned to), which fields (the user's role sets a ceiling
on privacy classes), whether the shapes themselves (an exact house point of a named person is
personal), and whether small counts must be suppressed (outside audiences never see a count
below three, which could identify a family).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from gis.errors import InputError
from gis.store.protocol import BBox, Store
from layers import LAYERS
from layers.schema import Field, LayerSpec, PrivacyClass
from layers.vocab import ROLE

SMALL_COUNT = 3  # counts below this are suppressed for outside audiences


class Role(StrEnum):
    """What a user does; the codes are those of the ``role`` vocabulary in ``layers/``."""

    ADMIN = "admin"
    PLANNER = "planner"
    SURVEYOR = "surveyor"
    NEGOTIATOR = "negotiator"
    AGENCY_VIEWER = "agency_viewer"

    def label(self, lang: str = "th") -> str:
        return ROLE.label(self.value, lang)


# The most protected class each role may see. Negotiators work with land and counts, not with
# names: they take evidence to agencies, so they see internal data (plots, tenure, house
# condition) but no personal or sensitive values.
CEILING: Mapping[Role, PrivacyClass] = {
    Role.ADMIN: PrivacyClass.SENSITIVE,
    Role.PLANNER: PrivacyClass.SENSITIVE,
    Role.SURVEYOR: PrivacyClass.PERSONAL,
    Role.NEGOTIATOR: PrivacyClass.INTERNAL,
    Role.AGENCY_VIEWER: PrivacyClass.PUBLIC,
}


@dataclass(frozen=True)
class Audience:
    """Who is looking: a user's name, role and assigned areas (DOPA codes or village codes).

    An admin sees every area; everyone else sees only the areas they are assigned to.
    """

    username: str
    role: Role
    areas: frozenset[str] = field(default_factory=frozenset)

    @property
    def ceiling(self) -> PrivacyClass:
        return CEILING[self.role]

    @property
    def everywhere(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def outside(self) -> bool:
        """An audience outside the community: public data only, small counts suppressed."""
        return self.ceiling is PrivacyClass.PUBLIC

    def may_see(self, privacy: PrivacyClass) -> bool:
        return privacy.rank <= self.ceiling.rank


def public_audience(username: str = "public") -> Audience:
    """The audience of anything that leaves the community (agency packs, public exports)."""
    return Audience(username, Role.AGENCY_VIEWER, frozenset())


def visible_fields(spec: LayerSpec, audience: Audience) -> tuple[Field, ...]:
    """The declared fields of ``spec`` the audience may see, in display order."""
    return tuple(f for f in spec.fields if audience.may_see(f.privacy))


def shows_geometry(spec: LayerSpec, audience: Audience) -> bool:
    """Whether the audience may see individual shapes of this layer (not only aggregates)."""
    return spec.geometry is not None and audience.may_see(spec.geometry_privacy)


# --------------------------------------------------------------------------------- areas
@dataclass(frozen=True)
class Scope:
    """The areas an audience may see, resolved against the villages layer.

    ``prefixes`` are the assigned codes (a tambon code covers its villages by DOPA prefix);
    ``villages`` adds village codes whose tambon is assigned even when the village code does not
    share the prefix (urban communities often carry municipal codes). ``None`` means everywhere.
    """

    prefixes: tuple[str, ...] | None
    villages: frozenset[str] = frozenset()

    @property
    def everywhere(self) -> bool:
        return self.prefixes is None

    def mask(self, codes: pd.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """True for each area code inside the scope (vectorised; missing codes are outside)."""
        if self.prefixes is None:
            return np.ones(len(codes), dtype=bool)
        text = codes.astype("string")
        inside = text.str.startswith(self.prefixes) if self.prefixes else text.isna() & False
        inside = inside | text.isin(self.villages)
        return inside.fillna(False).to_numpy(dtype=bool)

    def contains(self, code: str | None) -> bool:
        return bool(self.mask(pd.Series([code], dtype="object"))[0])


def resolve_scope(audience: Audience, villages: pd.DataFrame | None) -> Scope:
    """The audience's scope; ``villages`` (the villages layer) lists the villages it covers.

    A village is in scope when its code or its tambon code starts with an assigned code, or
    when the assigned code is the village code itself (a village not drawn yet).
    """
    if audience.everywhere:
        return Scope(None)
    prefixes = tuple(sorted(audience.areas))
    inside = {a for a in prefixes if len(a) >= 8}
    if villages is not None and len(villages) and prefixes:
        codes = villages["village_code"].astype("string")
        by_code = codes.str.startswith(prefixes).fillna(False)
        by_tambon = villages["tambon_code"].astype("string").str.startswith(prefixes)
        chosen = codes[(by_code | by_tambon.fillna(False)).to_numpy(dtype=bool)]
        inside |= set(chosen.dropna().astype(str))
    return Scope(prefixes, frozenset(inside))


def scope_of(store: Store, audience: Audience) -> Scope:
    """Resolve the audience's scope against the store's villages layer."""
    if audience.everywhere:
        return Scope(None)
    return resolve_scope(audience, store.read("villages"))


def scope_where(spec: LayerSpec, scope: Scope) -> dict[str, list[str]] | None:
    """A ``where`` restricting a village-coded layer to the villages in scope (pushed into SQL),
    or None when no restriction applies."""
    if scope.everywhere or spec.area_field != "village_code":
        return None
    return {"village_code": sorted(scope.villages)}


# --------------------------------------------------------------------------------- frames
def redact(frame: pd.DataFrame, spec: LayerSpec, audience: Audience,
           scope: Scope | None = None) -> pd.DataFrame:
    """The rows and columns of ``frame`` the audience may see.

    Rows outside the audience's scope are dropped (when ``scope`` is given and the layer has an
    area field). Columns whose privacy class is above the audience's ceiling are dropped, not
    blanked, so nothing downstream can print them by accident. The geometry column is dropped
    (a plain DataFrame is returned) when the audience may not see individual shapes.
    """
    out = frame
    if scope is not None and spec.area_field and spec.area_field in out.columns:
        out = out.loc[scope.mask(out[spec.area_field])]
    keep = ["uid", "version"]
    if audience.may_see(PrivacyClass.INTERNAL):
        keep += ["updated_at", "updated_by"]
    keep += [f.name for f in visible_fields(spec, audience)]
    geometry = shows_geometry(spec, audience) and "geometry" in out.columns
    if geometry:
        keep.append("geometry")
    columns = [c for c in keep if c in out.columns]
    result = out[columns].copy()
    if not geometry:
        result = pd.DataFrame(result)
    return result.reset_index(drop=True)


def read_visible(
    store: Store,
    layer: str,
    audience: Audience,
    *,
    bbox: BBox | None = None,
    where: Mapping[str, Any] | None = None,
    scope: Scope | None = None,
) -> pd.DataFrame:
    """Read ``layer`` through the gate: only rows in scope, only columns the audience may see.

    ``where`` filters may only name fields the audience may see (otherwise a filter on, say,
    income would reveal it by the rows it returns).
    """
    spec = LAYERS[layer]
    hidden = [name for name in (where or {}) if not _field_visible(spec, name, audience)]
    if hidden:
        raise InputError(
            f"ไม่มีสิทธิ์กรองข้อมูลด้วยช่อง {', '.join(hidden)}",
            f"not allowed to filter by {', '.join(hidden)}",
            field=hidden[0],
        )
    scope = scope if scope is not None else scope_of(store, audience)
    combined = dict(where or {})
    pushed = scope_where(spec, scope)
    if pushed is not None:
        wanted = set(pushed["village_code"])
        if "village_code" in combined:
            asked = combined["village_code"]
            asked_list = list(asked) if isinstance(asked, list | tuple | set) else [asked]
            wanted &= {str(a) for a in asked_list}
        combined["village_code"] = sorted(wanted)
    frame = store.read(layer, bbox=bbox if spec.geometry else None, where=combined or None)
    return redact(frame, spec, audience, scope)


def _field_visible(spec: LayerSpec, name: str, audience: Audience) -> bool:
    try:
        return audience.may_see(spec.field(name).privacy)
    except KeyError:
        return False


# --------------------------------------------------------------------------------- counts
def suppress(counts: Mapping[str, int], audience: Audience) -> dict[str, int | None]:
    """Counts as the audience may see them: below ``SMALL_COUNT`` becomes None for outsiders."""
    if not audience.outside:
        return dict(counts)
    return {k: (None if 0 < v < SMALL_COUNT else v) for k, v in counts.items()}


def count_by_area(
    frame: pd.DataFrame, area_field: str, audience: Audience, scope: Scope | None = None
) -> dict[str, int | None]:
    """Features per area code, inside the scope, suppressed for outside audiences."""
    if scope is not None:
        frame = frame.loc[scope.mask(frame[area_field])]
    raw = frame[area_field].astype("string").value_counts(dropna=True)
    return suppress({str(k): int(v) for k, v in raw.items()}, audience)


def describe(audience: Audience, lang: str = "th") -> str:
    """A one-line statement of what this audience sees, for footers and audit entries."""
    ceiling = audience.ceiling
    areas = "ทุกพื้นที่" if audience.everywhere else ", ".join(sorted(audience.areas)) or "-"
    areas_en = "all areas" if audience.everywhere else ", ".join(sorted(audience.areas)) or "-"
    if lang == "th":
        return (f"{audience.role.label('th')} · ชั้นความลับสูงสุด: {_CLASS_TH[ceiling.value]} "
                f"· {areas}")
    return f"{audience.role.label('en')} · up to {ceiling.value} data · {areas_en}"


# The privacy classes in Thai, for the statement above (the class codes are English words).
_CLASS_TH = {"public": "ข้อมูลสาธารณะ", "internal": "ข้อมูลภายใน",
             "personal": "ข้อมูลส่วนบุคคล", "sensitive": "ข้อมูลอ่อนไหว"}


def parse_roles(values: Iterable[str]) -> list[Role]:
    """Roles from their codes, with a bilingual error naming the allowed codes."""
    out = []
    for value in values:
        try:
            out.append(Role(value))
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise InputError(
                f"ไม่รู้จักบทบาท {value!r} (ใช้ได้: {allowed})",
                f"unknown role {value!r} (allowed: {allowed})",
                field="role",
            ) from None
    return out


__all__: Sequence[str] = (
    "CEILING", "SMALL_COUNT", "Audience", "Role", "Scope", "count_by_area", "describe",
    "parse_roles", "public_audience", "read_visible", "redact", "resolve_scope", "scope_of",
    "scope_where",
    "shows_geometry", "suppress", "visible_fields",
)
