"""The vocabulary of declarations: fields, vocabularies, privacy classes, styles, layers.

Every other part of Landmap (store schema, forms, validation, exports, reports, the map legend)
reads these objects; nothing re-types a field name, label or code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Literal


class PrivacyClass(StrEnum):
    """Who may see a field (DESIGN.md §3); ordered from least to most protected."""

    PUBLIC = "public"
    INTERNAL = "internal"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"

    @property
    def rank(self) -> int:
        """0 for public … 3 for sensitive, so that classes can be compared."""
        return list(PrivacyClass).index(self)


class DType(StrEnum):
    """Storage types of fields; each backend maps them to its own column types."""

    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    JSON = "json"


GeometryType = Literal["MultiPolygon", "Point"]


@dataclass(frozen=True)
class Term:
    """One allowed value: a stable code (never shown, never translated) and its two labels."""

    code: str
    label_th: str
    label_en: str


@dataclass(frozen=True)
class Vocabulary:
    """A named, ordered list of terms."""

    name: str
    terms: tuple[Term, ...]

    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def term(self, code: str) -> Term:
        for t in self.terms:
            if t.code == code:
                return t
        raise KeyError(f"{code!r} is not a code of vocabulary {self.name!r}")

    def label(self, code: str, lang: str = "th") -> str:
        t = self.term(code)
        return t.label_th if lang == "th" else t.label_en

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)


@dataclass(frozen=True)
class Field:
    """One attribute of a layer, declared once.

    ``synonyms`` are header spellings (Thai and English) that the import field mapper accepts.
    ``derived`` fields are computed by Landmap (e.g. priority score), not typed by users.
    """

    name: str
    dtype: DType
    label_th: str
    label_en: str
    privacy: PrivacyClass
    required: bool = False
    vocabulary: Vocabulary | None = None
    synonyms: tuple[str, ...] = ()
    derived: bool = False
    system: bool = False

    def label(self, lang: str = "th") -> str:
        return self.label_th if lang == "th" else self.label_en


@dataclass(frozen=True)
class Style:
    """How a layer is drawn: colours by the codes of one field, or a single colour."""

    color: str
    by_field: str | None = None
    colors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    fill_opacity: float = 0.35
    weight: float = 1.5
    radius: float = 5.0

    def color_for(self, code: str | None) -> str:
        if code is None:
            return self.color
        return self.colors.get(code, self.color)


# Carried by every stored feature (DESIGN.md §3); maintained by the store, never by users.
SYSTEM_FIELDS: tuple[Field, ...] = (
    Field("uid", DType.STR, "รหัสถาวร", "Stable id", PrivacyClass.PUBLIC, required=True,
          system=True),
    Field("version", DType.INT, "ฉบับที่", "Version", PrivacyClass.PUBLIC, required=True,
          system=True),
    Field("updated_at", DType.DATETIME, "แก้ไขเมื่อ", "Updated at", PrivacyClass.INTERNAL,
          required=True, system=True),
    Field("updated_by", DType.STR, "แก้ไขโดย", "Updated by", PrivacyClass.INTERNAL,
          required=True, system=True),
    # Deletes are soft: a deleted feature leaves every view but stays, with its history.
    Field("deleted", DType.BOOL, "ลบแล้ว", "Deleted", PrivacyClass.INTERNAL, required=True,
          system=True),
)


@dataclass(frozen=True)
class LayerSpec:
    """A layer: its geometry, its fields in display order, and how it is drawn.

    ``geometry_privacy`` is the class of the shapes themselves: an exact house point of a
    named person is personal, a tenure zone is public.
    """

    name: str
    label_th: str
    label_en: str
    geometry: GeometryType | None
    fields: tuple[Field, ...]
    key: str
    geometry_privacy: PrivacyClass = PrivacyClass.PUBLIC
    style: Style | None = None
    # The field holding the DOPA-style area code (village, tambon …) a feature belongs to; a
    # user assigned to areas sees only features inside them. None: not tied to an area.
    area_field: str | None = None

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"layer {self.name!r} declares a field twice: {names}")
        if self.key not in names:
            raise ValueError(f"layer {self.name!r}: key {self.key!r} is not a declared field")
        if self.area_field is not None and self.area_field not in names:
            raise ValueError(
                f"layer {self.name!r}: area field {self.area_field!r} is not a declared field"
            )
        clash = {f.name for f in SYSTEM_FIELDS} & set(names)
        if clash:
            raise ValueError(f"layer {self.name!r} redeclares system fields {sorted(clash)}")

    def field(self, name: str) -> Field:
        for f in self.all_fields:
            if f.name == name:
                return f
        raise KeyError(f"layer {self.name!r} has no field {name!r}")

    @property
    def all_fields(self) -> tuple[Field, ...]:
        """System fields first, then the declared ones."""
        return SYSTEM_FIELDS + self.fields

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def label(self, lang: str = "th") -> str:
        return self.label_th if lang == "th" else self.label_en
