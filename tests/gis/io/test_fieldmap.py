"""Field conversion takes shortcuts for speed (each distinct value once; text columns in one
pass); they must give exactly what converting each cell on its own gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.io.fieldmap import FieldMap, _plain_text, convert, value_for
from layers import LAYERS

SPEC = LAYERS["households"]
# Text as surveys have it: Thai and Latin letters, Thai digits, blanks and the words for none.
CELL = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "nan", "NULL", "n/a", " None ", "๑๒/๓", "ก ข", "\tx "]),
    st.text(alphabet="กขค abc๐๑๙0-9\t/", max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CELL, max_size=30))
def test_text_in_one_pass_is_value_for_of_each_cell(cells: list[str | None]) -> None:
    field = SPEC.field("head_name")
    assert _plain_text(np.array(cells, dtype=object)) == [value_for(field, c) for c in cells]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(CELL, st.sampled_from(["ดี", "good", "ทรุดโทรมมาก", "สวย", "1", "๔"])),
                min_size=1, max_size=30))
def test_converting_distinct_values_once_is_converting_each_cell(cells: list[str | None]) -> None:
    frame = pd.DataFrame({"c": pd.Series(cells, dtype=object), "n": pd.Series(cells, dtype=object),
                          "h": pd.Series(cells, dtype=object)})
    mapping = FieldMap({"house_condition": "c", "members": "n", "head_name": "h"})
    out, found = convert(SPEC, frame, mapping)
    for name, column in mapping.columns.items():
        field = SPEC.field(name)
        expected, bad_rows = [], []
        for i, cell in enumerate(cells):
            try:
                expected.append(value_for(field, cell))
            except ValueError:
                expected.append(None)
                bad_rows.append(i + 1)
        assert out[name].tolist() == expected
        assert sorted(f.row for f in found if f.field == column) == bad_rows
