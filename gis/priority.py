"""Priority scoring: which households a programme should reach first (issue 8).

A household scores the points of every factor it meets (``Rules``; all configurable, every
version kept in the store). The score only *suggests*: the planner's own mark
(``priority_flag``, with ``priority_note``) is the decision, made through the normal versioned
update so that who marked whom, and when, stays in the feature's history. Baan Por Piang leaves
the choice of the poorest members to their own network; a score helps the network see, it does
not choose for it.

Factors and defaults (points):

- **Young children, elderly, disabled, bedridden members** — NESDC's vulnerable household
  (DESIGN.md §11): each counts from ``*_min`` members (1). Bedridden (3) and disabled (3) weigh
  most among the people: they need a safe, accessible house and cannot leave a failing one;
  elderly 2; young children 1, because they are common in community households and add need
  without making a house unsafe for them by itself.
- **Low income** (2) — yearly income per person, ``monthly_income`` × 12 / ``members``, at or
  below ``income_per_person_year`` (NESDC: 100,000 baht, the same rule as ``gis.overlay``). Most
  community households are under it, so it is a modest weight: it separates little by itself.
- **House condition** — dilapidated (ทรุดโทรมมาก) 3, poor (ชำรุด, the "damaged" of Thai forms) 1:
  the repair is what Baan Por Piang and rural Baan Mankong pay for.
- **Insecure tenure** (2) — the household's plot (by ``plot_id``) has an ``occupant_tenure`` in
  ``insecure_occupant_tenure`` (renter, permission, no permission, facing eviction: each can be
  ended at someone else's will, which secure tenure — ``layers.vocab.SECURE_TENURE``, owner or a
  collective long-term lease — cannot), or the household's ``dwelling_status`` is in
  ``insecure_dwelling`` (rented house, someone else's house, the employer's, no fixed home).
  Unknown tenure is not evidence. Baan Mankong exists for exactly these households; a programme
  that only repairs houses on land the family may keep can set the weight to 0.

A household is **suggested** at ``suggest_at`` (7) points or more: e.g. a dilapidated house
with low income and an elderly member (7), or a bedridden member in a poor house on rented land
with low income (8), but not an elderly member with low income on rented land in a fair house
(6), nor low income alone (2). The line is set for a short list, not a census of need: most
community households meet some NESDC criterion. In the Wang Nam Yen demo about one household in
five is suggested (one in three at 6).

Missing values never raise and never score: an unknown count, income, member count (or 0
members, which has no income per person), condition or tenure gives no points, so a household
is never ranked up for what nobody recorded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from gis.errors import InputError, StoreError
from gis.privacy import Audience, Role, read_visible, scope_of
from gis.store.protocol import ChangeResult, Store
from layers.schema import PrivacyClass
from layers.vocab import DWELLING_STATUS, HOUSE_CONDITION, OCCUPANT_TENURE

NESDC_INCOME = 100_000.0  # baht per person per year (NESDC vulnerable household)
INSECURE_OCCUPANT_TENURE = frozenset({"renter", "permission", "no_permission", "facing_eviction"})
INSECURE_DWELLING = frozenset({"rented", "living_with_others", "with_employer", "no_fixed_home"})
MARK_ROLES = frozenset({Role.ADMIN, Role.PLANNER})
FACTORS = ("bedridden", "disabled", "elderly", "children", "low_income", "house_condition",
           "insecure_tenure")
# (factor, Thai word, English singular, English plural) of the member counts.
_MEMBERS = (
    ("bedridden", "ผู้ป่วยติดเตียง", "bedridden member", "bedridden members"),
    ("disabled", "ผู้พิการ", "disabled member", "disabled members"),
    ("elderly", "ผู้สูงอายุ", "elderly member", "elderly members"),
    ("children", "เด็กเล็ก", "young child", "young children"),
)
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]


# ------------------------------------------------------------------------------- rules
@dataclass(frozen=True)
class Rules:
    """Points per factor, the thresholds that decide when a factor counts, and the score at or
    above which a household is suggested (see the module docstring for why these defaults)."""

    bedridden_points: float = 3.0
    bedridden_min: int = 1
    disabled_points: float = 3.0
    disabled_min: int = 1
    elderly_points: float = 2.0
    elderly_min: int = 1
    children_points: float = 1.0
    children_min: int = 1
    low_income_points: float = 2.0
    income_per_person_year: float = NESDC_INCOME
    dilapidated_points: float = 3.0
    poor_condition_points: float = 1.0
    insecure_tenure_points: float = 2.0
    insecure_occupant_tenure: frozenset[str] = INSECURE_OCCUPANT_TENURE
    insecure_dwelling: frozenset[str] = INSECURE_DWELLING
    suggest_at: float = 7.0

    def __post_init__(self) -> None:
        problems: list[tuple[str, str, str]] = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_min"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    problems.append((f.name, "ต้องเป็นจำนวนเต็มตั้งแต่ 1", "must be a whole number "
                                     "from 1"))
            elif isinstance(value, frozenset):
                vocab = OCCUPANT_TENURE if f.name == "insecure_occupant_tenure" else \
                    DWELLING_STATUS
                unknown = sorted(str(v) for v in value - set(vocab.codes()))
                if unknown:
                    allowed = ", ".join(vocab.codes())
                    problems.append((f.name, f"ไม่รู้จักรหัส {', '.join(unknown)} (ใช้ได้: {allowed})",
                                     f"unknown codes {', '.join(unknown)} (allowed: {allowed})"))
            elif isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value < 0:
                problems.append((f.name, "ต้องเป็นตัวเลขไม่ติดลบ", "must be a number, not negative"))
            elif f.name in ("income_per_person_year", "suggest_at") and value <= 0:
                problems.append((f.name, "ต้องมากกว่า 0", "must be more than 0"))
        if problems:
            raise InputError(
                "เกณฑ์ใช้ไม่ได้: " + "; ".join(f"{n} {th} (ได้ {getattr(self, n)!r})"
                                          for n, th, _ in problems),
                "the rules cannot be used: " + "; ".join(
                    f"{n} {en} (got {getattr(self, n)!r})" for n, _, en in problems),
                field=problems[0][0])

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (code sets as sorted lists), as the store keeps each version."""
        return {f.name: sorted(v) if isinstance(v := getattr(self, f.name), frozenset) else v
                for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, strict: bool = True) -> Rules:
        """Rules from JSON; names left out keep their defaults (a version saved before a
        factor existed still loads). Unknown names are refused when ``strict``, ignored
        otherwise (reading stored versions)."""
        if not isinstance(data, Mapping):
            raise InputError("เกณฑ์ต้องเป็นชุดชื่อและค่า (JSON object)",
                             f"the rules must be a JSON object, got {type(data).__name__}")
        names = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(names))
        if unknown and strict:
            raise InputError(f"ไม่รู้จักเกณฑ์ {', '.join(unknown)}",
                             f"unknown rule(s) {', '.join(unknown)}", field=unknown[0],
                             fix_th=f"ใช้: {', '.join(names)}", fix_en=f"use: {', '.join(names)}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name not in names:
                continue
            if isinstance(names[name].default, frozenset):
                if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
                    raise InputError(f"{name} ต้องเป็นรายการรหัส", f"{name} must be a list of codes",
                                     field=name)
                value = frozenset(str(v) for v in value)
            values[name] = value
        return cls(**values)


def changed_rules(old: Rules, new: Rules) -> dict[str, tuple[Any, Any]]:
    """The rules that differ between two versions: ``{name: (old, new)}`` (JSON values)."""
    a, b = old.to_json(), new.to_json()
    return {k: (a[k], b[k]) for k in a if a[k] != b[k]}


# ----------------------------------------------------------------------------- scoring
def score_households(households: pd.DataFrame, plots: pd.DataFrame | None,
                     rules: Rules | None = None) -> pd.DataFrame:
    """Score every household by ``rules`` (defaults when None).

    Parameters
    ----------
    households
        The households layer (or part of it): ``uid`` and any of ``household_id``,
        ``village_code``, ``plot_id``, ``members``, ``elderly``, ``disabled``, ``bedridden``,
        ``children``, ``monthly_income``, ``house_condition``, ``dwelling_status``,
        ``priority_flag``. A column left out scores nothing.
    plots
        Plots with ``plot_id`` and ``occupant_tenure`` (None: tenure from ``dwelling_status``
        only).

    Returns
    -------
    DataFrame
        One row per household, highest score first (ties by ``household_id``, then ``uid``):
        ``uid``, ``household_id``, ``village_code``, ``score``, ``reasons`` (a list of
        ``{"factor", "points", "reason_th", "reason_en"}``), ``priority_flag`` (the planner's
        mark), ``suggested`` (score ≥ ``rules.suggest_at``) and ``rank`` (1, 2, …).
    """
    rules = rules or Rules()
    if "uid" not in households.columns:
        raise InputError("ตารางครัวเรือนไม่มีช่อง uid", "the households have no uid column",
                         field="uid")
    frame = households.reset_index(drop=True)
    n = len(frame)
    parts = [*_member_parts(frame, rules), _income_part(frame, rules),
             _condition_part(frame, rules), _tenure_part(frame, plots, rules)]
    score = np.zeros(n, dtype=np.float64)
    reasons: list[list[dict[str, Any]]] = [[] for _ in range(n)]
    for factor, points, th, en in parts:
        score += points
        # Assembling the reasons visits only the households a factor applies to.
        for i in np.flatnonzero(points > 0):
            reasons[i].append({"factor": factor, "points": float(points[i]),
                               "reason_th": th[i], "reason_en": en[i]})
    out = pd.DataFrame({
        "uid": frame["uid"].astype("string"),
        "household_id": _text(frame, "household_id"),
        "village_code": _text(frame, "village_code"),
        "score": score,
        "reasons": pd.Series(reasons, dtype=object),
        "priority_flag": (frame["priority_flag"].astype("boolean").fillna(False).astype(bool)
                          if "priority_flag" in frame.columns else np.zeros(n, dtype=bool)),
        "suggested": score >= rules.suggest_at,
    })
    out = out.sort_values(["score", "household_id", "uid"], ascending=[False, True, True],
                          na_position="last", kind="mergesort").reset_index(drop=True)
    out["rank"] = np.arange(1, n + 1)
    return out


_Part = tuple[str, Floats, npt.NDArray[np.object_], npt.NDArray[np.object_]]


def _number(frame: pd.DataFrame, name: str) -> Floats:
    """A numeric column as floats: missing, unreadable and negative values become NaN."""
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    values = pd.to_numeric(frame[name], errors="coerce").astype("Float64")
    out = np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.where(out >= 0, out, np.nan)


def _text(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series([None] * len(frame), dtype="string")
    return frame[name].astype("string")


def _strings(n: int) -> npt.NDArray[np.object_]:
    return np.full(n, "", dtype=object)


def _member_parts(frame: pd.DataFrame, rules: Rules) -> list[_Part]:
    parts = []
    for factor, word_th, one_en, many_en in _MEMBERS:
        count = _number(frame, factor)
        hit = count >= getattr(rules, f"{factor}_min")  # NaN compares False: no points
        th, en = _strings(len(frame)), _strings(len(frame))
        shown = pd.Series(count[hit]).astype("int64").astype(str).to_numpy(dtype=object)
        th[hit] = word_th + " " + shown + " คน"
        en[hit] = shown + " " + np.where(count[hit] == 1, one_en, many_en)
        parts.append((factor, np.where(hit, getattr(rules, f"{factor}_points"), 0.0), th, en))
    return parts


def _income_part(frame: pd.DataFrame, rules: Rules) -> _Part:
    members = _number(frame, "members")
    with np.errstate(divide="ignore", invalid="ignore"):
        yearly = _number(frame, "monthly_income") * 12.0 / np.where(members > 0, members, np.nan)
    limit = rules.income_per_person_year
    hit = yearly <= limit
    th, en = _strings(len(frame)), _strings(len(frame))
    # Shown rounded down, so that a shown amount is never above the line it is said to be under.
    shown = pd.Series(np.floor(yearly[hit])).map("{:,.0f}".format).to_numpy(dtype=object)
    below = yearly[hit] < limit
    th[hit] = ("รายได้ " + shown + " บาท/คน/ปี "
               + np.where(below, "ต่ำกว่าเกณฑ์", "เท่ากับเกณฑ์") + f" {limit:,.0f}")
    en[hit] = ("income " + shown + " baht per person per year, "
               + np.where(below, "below", "at") + f" {limit:,.0f}")
    return "low_income", np.where(hit, rules.low_income_points, 0.0), th, en


def _condition_part(frame: pd.DataFrame, rules: Rules) -> _Part:
    condition = _text(frame, "house_condition")
    points = np.select([(condition == "dilapidated").fillna(False).to_numpy(dtype=bool),
                        (condition == "poor").fillna(False).to_numpy(dtype=bool)],
                       [rules.dilapidated_points, rules.poor_condition_points], 0.0)
    th = ("สภาพบ้าน: " + condition.map(_labels(HOUSE_CONDITION, "th"))).fillna("")
    en = ("house condition: " + condition.map(_labels(HOUSE_CONDITION, "en"))).fillna("")
    return "house_condition", points, th.to_numpy(dtype=object), en.to_numpy(dtype=object)


def _tenure_part(frame: pd.DataFrame, plots: pd.DataFrame | None, rules: Rules) -> _Part:
    n = len(frame)
    tenure = pd.Series([None] * n, dtype="string")
    if plots is not None and "plot_id" in frame.columns and \
            {"plot_id", "occupant_tenure"} <= set(plots.columns) and len(plots):
        # A plot id repeated by mistake: the insecure entry wins, so none is hidden.
        table = plots[["plot_id", "occupant_tenure"]].astype("string").dropna(subset="plot_id")
        table = table.assign(insecure=table["occupant_tenure"].isin(
            rules.insecure_occupant_tenure)).sort_values("insecure", ascending=False,
                                                         kind="mergesort")
        lookup = table.drop_duplicates("plot_id").set_index("plot_id")["occupant_tenure"]
        tenure = frame["plot_id"].astype("string").map(lookup).astype("string")
    dwelling = _text(frame, "dwelling_status")
    on_land = tenure.isin(rules.insecure_occupant_tenure).fillna(False).to_numpy(dtype=bool)
    at_home = dwelling.isin(rules.insecure_dwelling).fillna(False).to_numpy(dtype=bool)
    land_th = np.where(on_land, "ที่ดิน: " + tenure.map(_labels(OCCUPANT_TENURE, "th"))
                       .fillna("").to_numpy(dtype=object), "")
    land_en = np.where(on_land, "land: " + tenure.map(_labels(OCCUPANT_TENURE, "en"))
                       .fillna("").to_numpy(dtype=object), "")
    home_th = np.where(at_home, "ที่อยู่: " + dwelling.map(_labels(DWELLING_STATUS, "th"))
                       .fillna("").to_numpy(dtype=object), "")
    home_en = np.where(at_home, "dwelling: " + dwelling.map(_labels(DWELLING_STATUS, "en"))
                       .fillna("").to_numpy(dtype=object), "")
    both = np.where(on_land & at_home, "; ", "")
    hit = on_land | at_home
    th = np.where(hit, "ถือครองไม่มั่นคง — " + land_th + both + home_th, "")
    en = np.where(hit, "insecure tenure — " + land_en + both + home_en, "")
    return ("insecure_tenure", np.where(hit, rules.insecure_tenure_points, 0.0),
            th.astype(object), en.astype(object))


def _labels(vocab: Any, lang: str) -> dict[str, str]:
    return {t.code: (t.label_th if lang == "th" else t.label_en.lower()) for t in vocab}


def ranking_change(households: pd.DataFrame, plots: pd.DataFrame | None, old: Rules,
                   new: Rules) -> pd.DataFrame:
    """How the ranking changes from ``old`` to ``new`` rules, before the new ones are saved.

    One row per household, in the new order: ``uid``, ``household_id``, ``village_code``,
    ``old_score``, ``new_score``, ``old_rank``, ``new_rank``, ``moved`` (places up; negative:
    down), ``direction`` (``up``, ``down``, ``same``), ``old_suggested``, ``new_suggested``,
    ``entering`` and ``leaving`` (the suggested list), ``priority_flag`` and ``reasons`` (new).
    """
    before = score_households(households, plots, old)
    after = score_households(households, plots, new)
    merged = after.merge(before[["uid", "score", "rank", "suggested"]], on="uid",
                         suffixes=("", "_old"), validate="one_to_one")
    moved = (merged["rank_old"] - merged["rank"]).astype("int64")
    return pd.DataFrame({
        "uid": merged["uid"], "household_id": merged["household_id"],
        "village_code": merged["village_code"],
        "old_score": merged["score_old"], "new_score": merged["score"],
        "old_rank": merged["rank_old"], "new_rank": merged["rank"], "moved": moved,
        "direction": np.select([moved > 0, moved < 0], ["up", "down"], "same"),
        "old_suggested": merged["suggested_old"], "new_suggested": merged["suggested"],
        "entering": merged["suggested"] & ~merged["suggested_old"],
        "leaving": merged["suggested_old"] & ~merged["suggested"],
        "priority_flag": merged["priority_flag"], "reasons": merged["reasons"],
    })


def as_records(scored: pd.DataFrame) -> list[dict[str, Any]]:
    """``score_households``' table as plain JSON: the ``landmap priority --json`` items."""
    return [
        {"household_uid": str(uid), "score": float(score), "reasons": list(reasons),
         "priority_flag": bool(flag), "household_id": None if pd.isna(hid) else str(hid),
         "village_code": None if pd.isna(village) else str(village),
         "suggested": bool(suggested), "rank": int(rank)}
        for uid, score, reasons, flag, hid, village, suggested, rank in zip(
            scored["uid"], scored["score"], scored["reasons"], scored["priority_flag"],
            scored["household_id"], scored["village_code"], scored["suggested"],
            scored["rank"], strict=True)
    ]


# --------------------------------------------------------------------- rules in the store
@dataclass(frozen=True)
class RulesVersion:
    """One version of the rules: 0 is the built-in defaults (nothing saved yet)."""

    version: int
    rules: Rules
    saved_by: str | None = None
    saved_at: dt.datetime | None = None
    note: str = ""


def current_rules(store: Store) -> RulesVersion:
    """The newest saved rules with their version (the defaults, version 0, when none)."""
    latest = store.latest_priority_rules()
    if latest is None:
        return RulesVersion(0, Rules())
    return RulesVersion(latest.version, Rules.from_json(latest.rules, strict=False),
                        latest.saved_by, latest.saved_at, latest.note)


def load_rules(store: Store) -> Rules:
    """The rules in force: the newest saved version, or the defaults."""
    return current_rules(store).rules


def rules_history(store: Store) -> list[RulesVersion]:
    """Every saved version, oldest first (empty when only the defaults were ever used)."""
    return [RulesVersion(r.version, Rules.from_json(r.rules, strict=False), r.saved_by,
                         r.saved_at, r.note) for r in store.priority_rules_history()]


def save_rules(store: Store, rules: Rules, *, user: str, expected_version: int,
               note: str = "") -> RulesVersion:
    """Save ``rules`` as the next version, with an audit entry, in one transaction.

    ``expected_version`` is the version the planner started from (``current_rules(store)
    .version``; 0 for the defaults). When someone saved meanwhile, ``RulesConflictError`` (a
    ``ConflictError``, Thai and English) is raised and nothing is written.
    """
    record = store.save_priority_rules(rules.to_json(), user=user,
                                       expected_version=expected_version, note=note)
    return RulesVersion(record.version, rules, record.saved_by, record.saved_at, record.note)


# --------------------------------------------------------------------- planner decisions
def mark_priority(store: Store, *, uid: str, flag: bool, note: str, user: Audience,
                  version: int) -> ChangeResult:
    """The planner's decision on one household: ``priority_flag`` and ``priority_note``,
    written with ``store.update`` from ``version`` (``ConflictError`` when someone changed the
    household meanwhile), so the feature history keeps who decided and when.

    ``user`` is the audience deciding: only planners and admins, inside their areas; anyone
    else gets a Thai and English refusal and nothing is written.
    """
    if user.role not in MARK_ROLES:
        raise InputError(
            f"บทบาท{user.role.label('th')}ไม่มีสิทธิ์จัดครัวเรือนเร่งด่วน (เฉพาะผู้วางแผนและผู้ดูแลระบบ)",
            f"the {user.role.label('en').lower()} role may not mark priority households "
            "(planners and administrators only)", field="priority_flag")
    if not isinstance(flag, bool | np.bool_):
        raise InputError("ต้องระบุว่าเร่งด่วนหรือไม่ (จริง/เท็จ)", f"flag must be true or false, got "
                         f"{flag!r}", field="priority_flag")
    current = store.get("households", uid)
    if current is None or current["deleted"]:
        raise StoreError(f"ไม่พบครัวเรือน {uid}", f"no household {uid}")
    if not scope_of(store, user).contains(current.get("village_code")):
        raise InputError(f"ครัวเรือน {uid} อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                         f"household {uid} is outside your areas", field="village_code")
    text = (note or "").strip() or None
    return store.update("households", {uid: {"priority_flag": bool(flag), "priority_note": text}},
                        {uid: version}, user=user.username)


def store_scores(store: Store, rules: Rules, *, user: str) -> ChangeResult | None:
    """Write the derived ``priority_score`` of every live household whose score changed, in one
    versioned write (``ConflictError`` when a household changed while scoring, nothing
    written). Returns None when no score changed."""
    households = store.read("households")
    scored = score_households(households, store.read("plots"), rules)
    stored = households.set_index(households["uid"].astype("string"))
    new = scored.set_index("uid")["score"]
    old = pd.to_numeric(stored["priority_score"], errors="coerce").reindex(new.index)
    changed = new[old.isna() | ((old - new).abs() > 1e-9)]
    if changed.empty:
        return None
    versions = stored["version"].reindex(changed.index)
    return store.update("households",
                        {str(u): {"priority_score": float(s)} for u, s in changed.items()},
                        {str(u): int(v) for u, v in versions.items()}, user=user)


def score_store(store: Store, *, audience: Audience, village: str | None = None,
                rules: Rules | None = None) -> pd.DataFrame:
    """``score_households`` over the households the audience may see (``gis.privacy``), of one
    village or all, with the rules in force unless given. The reasons tell income and
    disability, so only roles that see sensitive data may score."""
    if not audience.may_see(PrivacyClass.SENSITIVE):
        raise InputError(
            f"บทบาท{audience.role.label('th')}ดูคะแนนความจำเป็นไม่ได้ เพราะเหตุผลเปิดเผยรายได้และความพิการ",
            f"the {audience.role.label('en').lower()} role may not see priority scores: their "
            "reasons reveal income and disability", field="priority_score")
    where = None
    if village is not None:
        # Households are often surveyed before their village is drawn: either one will do.
        if not store.count_by("villages", where={"village_code": village}) and \
                not store.count_by("households", where={"village_code": village}):
            raise InputError(f"ไม่พบหมู่บ้าน/ชุมชนรหัส {village}", f"no village with code {village}",
                             field="village_code", fix_th="ดูรหัสบนหน้าแผนที่ หรือในชั้นข้อมูลหมู่บ้าน",
                             fix_en="look the code up on the map page or in the villages layer")
        where = {"village_code": village}
    scope = scope_of(store, audience)
    households = read_visible(store, "households", audience, where=where, scope=scope)
    plots = read_visible(store, "plots", audience, where=where, scope=scope)
    return score_households(households, plots, rules or load_rules(store))


__all__ = ["FACTORS", "INSECURE_DWELLING", "INSECURE_OCCUPANT_TENURE", "MARK_ROLES",
           "NESDC_INCOME", "Rules", "RulesVersion", "as_records", "changed_rules",
           "current_rules", "load_rules", "mark_priority", "ranking_change", "rules_history",
           "save_rules", "score_households", "score_store", "store_scores"]
