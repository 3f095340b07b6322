"""Tables written as CSV text as pandas writes them, without pandas' slower path to the text.

`DataFrame.to_csv` turns every float column into an array of strings (`astype(str)`, the
shortest text that reads back as the same float) and hands the rows to Python's `csv.writer`.
Handing that writer the Python values themselves gives the same text (a float's `repr` is
that same shortest text; a missing value is an empty field, as pandas' empty `na_rep`) in
about half the time: the trucks table is most of a large run's writing. A column of any other
kind (dates, categories, nullable integers, mixed objects) leaves the whole table to pandas.
Tests compare the two byte for byte.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd


CHUNK = 20_000  # rows made Python values at a time: a million-row table never is all at once


def write_csv(frame: pd.DataFrame, file: Path) -> None:
    """`frame.to_csv(file, index=False)`, the same bytes."""
    if _python_columns(frame.iloc[:1]) is None:
        frame.to_csv(file, index=False)
        return
    with open(file, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator=os.linesep)  # pandas' defaults: QUOTE_MINIMAL, '"', doubled
        writer.writerow([str(label) for label in frame.columns])
        for start in range(0, len(frame), CHUNK):
            columns = _python_columns(frame.iloc[start:start + CHUNK])
            if columns is None:  # an object column with other values further down: pandas' text for these
                frame.iloc[start:start + CHUNK].to_csv(out, index=False, header=False)
                continue
            writer.writerows(zip(*columns))


def _python_columns(frame: pd.DataFrame) -> list[list] | None:
    """Each column's values as Python objects that `csv.writer` writes as pandas would, or None
    if a column is of a kind left to pandas."""
    if frame.columns.nlevels != 1:
        return None
    out = []
    for _, series in frame.items():
        values = _python_values(series)
        if values is None:
            return None
        out.append(values)
    return out


def _python_values(series: pd.Series) -> list | None:
    dtype = series.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind in "iub":  # integers and booleans: str() is pandas' text
            return series.to_numpy().tolist()
        if dtype == np.float64:
            array = series.to_numpy()
            values = array.tolist()
            missing = np.flatnonzero(np.isnan(array))
            for i in missing.tolist():
                values[i] = None  # an empty field
            return values
        if dtype.kind != "O":
            return None
    elif not isinstance(dtype, pd.StringDtype):
        return None
    values = series.to_numpy(dtype=object, na_value=None).tolist()
    if not all(v is None or type(v) is str for v in values):
        return None
    return values
