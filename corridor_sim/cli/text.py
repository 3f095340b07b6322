"""Free text on a terminal: what a scenario, a targets file or the command line carries (a
description, a label, a name, a sweep value, a path) is shown as written, never read as Rich
markup, an emoji code or a terminal control sequence."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# C0 and C1 controls (ESC starts a sequence that can retitle, clear or rewrite a terminal), and the
# marks that reorder a line's text (right-to-left overrides, isolates, separators)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """`text` with each control character written as its escape (`\\x1b`, `\\n`): one line, inert."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def plain(text: object, style: str = "") -> "Text":
    """`text` as a Rich Text (for a table cell, title or header): printable, no markup, no emoji."""
    from rich.text import Text

    return Text(printable(text), style=style)
