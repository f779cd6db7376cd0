"""The vectorised paths of the cell readers give what the per-value functions give.

A national investment list has a distinct code and distinct amounts on nearly every
row, so ``number_cells`` and ``code_cells`` parse plain cells at once and leave the
rest to :func:`~ntmgis.core.text.parse_number` and
:func:`~ntmgis.core.text.normalise_code`. These tests compare both paths on cells
written every way an office writes them, including the ones that must not take the
fast path.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import numpy as np
import pandas as pd
import pytest

from ntmgis.core.issue_log import IssueLog
from ntmgis.core.text import fold, nfc, normalise_code, parse_number
from ntmgis.inputs.cells import code_cells, number_cells
from ntmgis.inputs.columns import ROW
from ntmgis.inputs.legacy_text import per_unique

NUMBERS = ["1250", "62,071", "62.071", "1.234", "1,234", "1.234.567", "1.234,5", "1,234.5",
           "0062,5", " 7,5 ", "7 500", "12%", "abc", "1,2,3", "", None, np.nan, "٣٤",
           "1e3", "inf", "nan", "-5", "+5", "5,", ",5", "1\u00a0234", "12,5", "3.0",
           "19.868,437", "1.234.567,5", "12.34,5", "1.23", "0.001,5", "1234.567", "1.234,"]


def _reference(cells, decimal):
    return per_unique(cells, lambda v: parse_number(v, decimal=decimal))


@pytest.mark.parametrize("decimal", [",", "."])
def test_number_cells_equal_parse_number(decimal):
    rng = np.random.default_rng(7)
    cells = list(rng.choice(np.array(NUMBERS, dtype=object), 400))
    cells += [f"{x:.3f}".replace(".", decimal) for x in rng.uniform(0, 1e5, 300)]
    got, got_bad = number_cells(cells, decimal=decimal)
    ref, ref_bad = _reference(cells, decimal)
    assert got_bad.tolist() == ref_bad.tolist()
    for g, r, c in zip(got, ref, cells, strict=True):
        if r is None or (isinstance(r, float) and np.isnan(r)):
            assert g is None or np.isnan(g), c
        else:
            assert g == r, c
    # the plain cells really took the fast path: the same values, as floats
    assert got[-1] == float(cells[-1].replace(",", "."))


def test_number_cells_mixed_types_fall_back():
    cells = [1250, "62,071", 3.5, None, True]
    got, bad = number_cells(cells, decimal=",")
    assert list(got) == [1250.0, 62.071, 3.5, None, 1.0]
    assert not bad.any()


CODES = ["00004", "4", "3436", "03436", "3436.0", "DA000001", "da-01/2", "  12 ", "Ａ12",
         "12 34", "", None, np.nan, "0000407", "407", "x.y", "٣٤٣٦"]


@pytest.mark.parametrize("width", [None, 5, 7])
def test_code_cells_equal_normalise_code(width, tmp_path):
    rng = np.random.default_rng(3)
    cells = list(rng.choice(np.array(CODES, dtype=object), 300)) + CODES
    df = pd.DataFrame({ROW: np.arange(2, len(cells) + 2), "code": pd.Series(cells, dtype=object)})
    log = IssueLog(lang="vi", root=tmp_path)
    got = code_cells(df, "code", None, log, tmp_path / "x.csv", width)
    for g, c in zip(got, cells, strict=True):
        assert g == normalise_code(c, width), c
    lost = [i.value for i in log.warnings]
    expect = [c for c in cells if normalise_code(c) is not None
              and normalise_code(c, width) != normalise_code(c)]
    assert lost == expect


_SPACES = re.compile(r"\s+")


def test_nfc_spaces_as_the_regular_expression():
    """nfc and fold collapse spaces with str.split, which must be the regex ``\\s+``."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if _SPACES.fullmatch(chr(c))]
    assert spaces == [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    for s in ["  Xã\u00a0 Mường\tTè \n", "Bản\u2003Nậm\u3000Khao", "a\x1cb", "", " "]:
        decomposed = unicodedata.normalize("NFD", s)
        assert nfc(decomposed) == _SPACES.sub(" ", unicodedata.normalize("NFC", s)).strip()
        assert fold(s) == fold(_SPACES.sub(" ", s))
