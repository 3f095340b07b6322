"""Tables written as CSV text (`results/csv_text.py`): the same bytes as pandas' `to_csv`."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor_sim.results import csv_text
from corridor_sim.results.csv_text import write_csv

FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([0.0, -0.0, 1e-5, 1e-4, 1e15, 1e16, 1.5e300, 5e-324, 0.1 + 0.2]))
TEXT = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
                 st.sampled_from(["", '"', ",", "a,b", 'say "x"', "line\nbreak", "cr\r", " "]))


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 6))
    columns = {}
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["float", "int", "int8", "bool", "object", "string"]))
        name = draw(st.sampled_from([f"c{i}", f"c {i}", f'c"{i}', f"c,{i}"]))
        if kind == "float":
            columns[name] = np.array(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype=float)
        elif kind in ("int", "int8"):
            bound = 127 if kind == "int8" else 2**62
            columns[name] = np.array(draw(st.lists(st.integers(-bound, bound), min_size=n, max_size=n)),
                                     dtype=np.int8 if kind == "int8" else np.int64)
        elif kind == "bool":
            columns[name] = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        else:
            values = draw(st.lists(TEXT, min_size=n, max_size=n))
            columns[name] = pd.array(values, dtype="string") if kind == "string" else pd.Series(values, dtype=object)
    return pd.DataFrame(columns)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(frame=frames())
def test_the_text_is_pandas_to_the_byte(frame, tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    frame.to_csv(folder / "pandas.csv", index=False)
    write_csv(frame, folder / "ours.csv")
    assert (folder / "ours.csv").read_bytes() == (folder / "pandas.csv").read_bytes()
    chunk = csv_text.CHUNK
    csv_text.CHUNK = 2  # rows a few at a time, as a large table is written
    try:
        write_csv(frame, folder / "chunks.csv")
    finally:
        csv_text.CHUNK = chunk
    assert (folder / "chunks.csv").read_bytes() == (folder / "pandas.csv").read_bytes()


def test_an_object_column_with_other_values_further_down_is_written_as_pandas_writes_it(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_text, "CHUNK", 2)
    frame = pd.DataFrame({"label": pd.Series(["a", "b", 3.5, None, "e"], dtype=object), "x": [0.1, 2.0, 3.0, 4.0, 5.0]})
    write_csv(frame, tmp_path / "ours.csv")
    frame.to_csv(tmp_path / "pandas.csv", index=False)
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_a_column_of_another_kind_leaves_the_table_to_pandas(tmp_path):
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-03-04", "2024-03-05"]), "x": [1.5, math.nan],
                          "mixed": pd.Series([1, "a"], dtype=object), "small": np.array([0.1, 0.2], dtype=np.float32)})
    for name in frame.columns:
        assert csv_text._python_columns(frame[[name]]) is None or name == "x"
        write_csv(frame[[name, "x"]], tmp_path / "ours.csv")
        frame[[name, "x"]].to_csv(tmp_path / "pandas.csv", index=False)
        assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes(), name
    assert csv_text._python_columns(frame[["x"]]) == [[1.5, None]]
