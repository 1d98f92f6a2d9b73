"""Every Landmap layer, declared once. Import ``LAYERS`` or ``get_layer``; never re-type a field."""

from __future__ import annotations

from types import MappingProxyType

from layers.admin import ADMIN
from layers.budgets import BUDGETS
from layers.households import HOUSEHOLDS
from layers.plots import PLOTS
from layers.repairs import REPAIRS
from layers.schema import (
    SYSTEM_FIELDS,
    DType,
    Field,
    LayerSpec,
    PrivacyClass,
    Style,
    Term,
    Vocabulary,
)
from layers.tenure import TENURE_ZONES
from layers.villages import VILLAGES

LAYERS: MappingProxyType[str, LayerSpec] = MappingProxyType({
    spec.name: spec
    for spec in (ADMIN, VILLAGES, PLOTS, HOUSEHOLDS, TENURE_ZONES, REPAIRS, BUDGETS)
})


def get_layer(name: str) -> LayerSpec:
    """The declaration of layer ``name``; ``KeyError`` naming the known layers otherwise."""
    try:
        return LAYERS[name]
    except KeyError:
        raise KeyError(f"unknown layer {name!r}; known layers: {', '.join(LAYERS)}") from None


__all__ = [
    "LAYERS",
    "SYSTEM_FIELDS",
    "DType",
    "Field",
    "LayerSpec",
    "PrivacyClass",
    "Style",
    "Term",
    "Vocabulary",
    "get_layer",
]
