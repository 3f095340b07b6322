"""The file formats of result tables (kept apart from the writers, which need pandas)."""
from __future__ import annotations

from ..errors import OutputError

FORMATS = ("csv", "parquet")


def check_format(fmt: str) -> None:
    """Refuse an unknown format, or Parquet without pyarrow, before any work is done."""
    if fmt not in FORMATS:
        raise OutputError(f"unknown table format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise OutputError("--format parquet needs pyarrow: pip install 'corridor-sim[parquet]'") from None
