"""Conventions every declaration must keep (STYLE.md habit 4): one source of truth, complete."""

from __future__ import annotations

import re

import pytest

from layers import LAYERS, SYSTEM_FIELDS, PrivacyClass
from layers.schema import Field, LayerSpec
from layers.vocab import ALL_VOCABULARIES

THAI = re.compile(r"[\u0E00-\u0E7F]")
IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
ALL_FIELDS = [(spec.name, f) for spec in LAYERS.values() for f in spec.all_fields]
VOCABS = {v.name: v for v in ALL_VOCABULARIES} | {
    f.vocabulary.name: f.vocabulary for _, f in ALL_FIELDS if f.vocabulary is not None
}


def test_the_seven_layers_are_declared() -> None:
    assert list(LAYERS) == [
        "admin", "villages", "plots", "households", "tenure_zones", "repairs", "budgets"]


@pytest.mark.parametrize(("layer", "field"), ALL_FIELDS, ids=lambda x: getattr(x, "name", x))
def test_every_field_has_thai_and_english_labels_and_a_privacy_class(
    layer: str, field: Field
) -> None:
    assert IDENT.match(field.name), f"{layer}.{field.name}: not a snake_case identifier"
    assert field.label_th.strip() and THAI.search(field.label_th), \
        f"{layer}.{field.name} lacks a Thai label"
    assert field.label_en.strip() and not THAI.search(field.label_en), \
        f"{layer}.{field.name} lacks an English label"
    assert isinstance(field.privacy, PrivacyClass), f"{layer}.{field.name} lacks a privacy class"


@pytest.mark.parametrize("vocab", list(VOCABS.values()), ids=lambda v: v.name)
def test_vocabularies_have_unique_codes_and_both_labels(vocab: object) -> None:
    codes = vocab.codes()  # type: ignore[attr-defined]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    assert not repeated, f"vocabulary {vocab.name} repeats codes {repeated}"  # type: ignore[attr-defined]
    for term in vocab:  # type: ignore[attr-defined]
        assert IDENT.match(term.code), term
        assert THAI.search(term.label_th), f"{term.code}: no Thai label"
        assert term.label_en.strip() and not THAI.search(term.label_en), term


def test_layers_carry_labels_and_styles_only_use_declared_codes() -> None:
    for spec in LAYERS.values():
        assert THAI.search(spec.label_th) and spec.label_en
        style = spec.style
        if style is None or style.by_field is None:
            continue
        vocab = spec.field(style.by_field).vocabulary
        assert vocab is not None, f"{spec.name} is styled by a field without vocabulary"
        unknown = set(style.colors) - set(vocab.codes())
        assert not unknown, f"{spec.name} style colours unknown codes {unknown}"


@pytest.mark.parametrize(
    ("layer", "field", "at_least"),
    [
        ("households", "head_name", PrivacyClass.PERSONAL),
        ("households", "phone", PrivacyClass.PERSONAL),
        ("households", "house_no", PrivacyClass.PERSONAL),
        ("households", "national_id", PrivacyClass.SENSITIVE),
        ("households", "monthly_income", PrivacyClass.SENSITIVE),
        ("households", "disabled", PrivacyClass.SENSITIVE),
        ("households", "bedridden", PrivacyClass.SENSITIVE),
        ("plots", "document_number", PrivacyClass.PERSONAL),
    ],
)
def test_personal_data_is_classed_as_such(layer: str, field: str, at_least: PrivacyClass) -> None:
    assert LAYERS[layer].field(field).privacy.rank >= at_least.rank


def test_house_points_of_named_people_are_personal() -> None:
    assert LAYERS["households"].geometry_privacy is PrivacyClass.PERSONAL


def test_system_fields_come_first_everywhere() -> None:
    for spec in LAYERS.values():
        assert spec.all_fields[: len(SYSTEM_FIELDS)] == SYSTEM_FIELDS


def test_a_layer_that_declares_a_field_twice_is_refused() -> None:
    f = LAYERS["plots"].fields[0]
    with pytest.raises(ValueError, match="twice"):
        LayerSpec("x", "ทดสอบ", "test", None, (f, f), key=f.name)


def test_dopa_codes_in_the_admin_vocabulary_order() -> None:
    assert LAYERS["admin"].field("level").vocabulary.codes() == (  # type: ignore[union-attr]
        "province", "amphoe", "tambon", "village")
