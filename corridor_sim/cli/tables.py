"""Terminal tables that fit 80 columns without cutting or folding a name.

Rich's default box spends three columns a column on borders and padding, and a table wider
than the terminal folds its names (`cn-tr-khorgos-aktau` became a second `cn-tr-khorgos` row)
or cuts its headers. These tables use a head rule only, no outer padding, and keep each name
on one line; numbers and short headers make up the rest.
"""
from __future__ import annotations

from typing import Any, Iterable

from rich import box
from rich.table import Table
from rich.text import Text

from .text import plain, printable


class PlainTable(Table):
    """A table whose title, headers and cells are text as written (a label, a sweep value, a
    targets file's source): a string is never read as markup; a styled cell is a Text."""

    def __init__(self, title: str, **options: Any) -> None:
        super().__init__(title=plain(title), **options)

    def add_column(self, header: Any = "", *args: Any, **options: Any) -> None:  # type: ignore[override]
        # rich's own signature, but a header is text as written
        super().add_column(header if isinstance(header, Text) else plain(header), *args, **options)

    def add_row(self, *cells: Any, **options: Any) -> None:
        super().add_row(*[plain(c) if isinstance(c, str) else c for c in cells], **options)


def plain_table(title: str, **options: Any) -> Table:
    """A table with rich's default box, of text as written."""
    return PlainTable(title, **options)


def text_table(title: str) -> Table:
    """A table with a rule under its header, two spaces between columns and no outer edge; at
    least as wide as its title, so a narrow table does not fold its title."""
    return PlainTable(title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                      title_justify="left", min_width=min(len(printable(title)), 80))


def add_name_column(table: Table, header: str, names: Iterable[str]) -> None:
    """The column of names: each kept whole on one line."""
    width = max([len(header), *(len(printable(n)) for n in names)])
    table.add_column(header, no_wrap=True, min_width=width, overflow="ignore")


def add_number_columns(table: Table, headers: Iterable[str]) -> None:
    for header in headers:
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
