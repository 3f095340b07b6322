"""Terminal tables that fit 80 columns without cutting or folding a name.

Rich's default box spends three columns a column on borders and padding, and a table wider
than the terminal folds its names (`cn-tr-khorgos-aktau` became a second `cn-tr-khorgos` row)
or cuts its headers. These tables use a head rule only, no outer padding, and keep each name
on one line; numbers and short headers make up the rest.
"""
from __future__ import annotations

from typing import Iterable

from rich import box
from rich.table import Table


def text_table(title: str) -> Table:
    """A table with a rule under its header, two spaces between columns and no outer edge; at
    least as wide as its title, so a narrow table does not fold its title."""
    return Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                 title_justify="left", min_width=min(len(title), 80))


def add_name_column(table: Table, header: str, names: Iterable[str]) -> None:
    """The column of names: each kept whole on one line."""
    width = max([len(header), *map(len, names)])
    table.add_column(header, no_wrap=True, min_width=width, overflow="ignore")


def add_number_columns(table: Table, headers: Iterable[str]) -> None:
    for header in headers:
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
