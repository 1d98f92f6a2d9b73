"""Small summaries for the home page: the user's areas by name, and how much they may see."""

from __future__ import annotations

from gis.privacy import Audience, Scope, scope_of, scope_where, suppress
from gis.store.protocol import Store
from layers import LAYERS


def area_labels(store: Store, lang: str = "th") -> dict[str, str]:
    """Every area code a user can be assigned to (DOPA province … village, and villages of the
    villages layer) with its name in ``lang`` (Thai when there is no English name)."""
    column = "name_th" if lang == "th" else "name_en"
    names: dict[str, str] = {}
    for frame, key in ((store.read("admin"), "code"), (store.read("villages"), "village_code")):
        for row in frame.to_dict("records"):
            name = row.get(column) if isinstance(row.get(column), str) else row.get("name_th")
            names.setdefault(str(row[key]), str(name))
    return dict(sorted(names.items()))


def area_names(store: Store, audience: Audience, lang: str = "th") -> list[str]:
    """The audience's assigned areas as ``name (code)``; empty for an audience that sees
    every area."""
    if audience.everywhere:
        return []
    names = area_labels(store, lang)
    return [f"{names[a]} ({a})" if a in names else a for a in sorted(audience.areas)]


def layer_totals(
    store: Store, audience: Audience, scope: Scope | None = None
) -> dict[str, int | None]:
    """Live features per layer inside the audience's scope; small counts suppressed for
    outside audiences (None)."""
    scope = scope if scope is not None else scope_of(store, audience)
    totals: dict[str, int] = {}
    for name, spec in LAYERS.items():
        if spec.area_field is None or scope.everywhere:
            totals[name] = sum(store.count_by(name).values())
        elif spec.area_field == "village_code":
            totals[name] = sum(store.count_by(name, where=scope_where(spec, scope)).values())
        else:
            by_area = store.count_by(name, spec.area_field)
            totals[name] = sum(n for code, n in by_area.items()
                               if code is not None and scope.contains(str(code)))
    return suppress(totals, audience)
