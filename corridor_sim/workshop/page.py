"""The workshop kit as one HTML file: the data as JSON, the styles and the script inline.

Nothing in the page is fetched (no font, script, image or map tile; a Content-Security-Policy
of `default-src 'none'` says so to the browser as well), so it opens from `file://` on a
projector with no network. The JSON is escaped for a `<script>` element (`<`, `>`, `&` and the
two line separators as `\\u` escapes), and the script sets every text that a scenario carries
with `textContent`, so a name is shown as written and never read as markup. Numbers are rounded
by JavaScript's `toFixed` (half away from zero), which differs from the terminal's rounding only
on a value that lies exactly half-way in binary (2.25 to one decimal), which a mean of runs
rarely is.
"""
from __future__ import annotations

import html
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import OutputError

GENERATOR = "corridor-sim workshop kit"  # in every kit's head: --force replaces only a file that has it
ASSETS = ("kit.css", "kit.js", "i18n.json")

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="{generator}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
<header>
<h1 id="title">{title}</h1>
<label><span data-i18n="lang_label">Language</span>
<select id="lang"><option value="en">English</option><option value="ru">Русский</option><option value="tr">Türkçe</option></select></label>
<button id="mode" type="button" data-i18n="mode_label" aria-pressed="false">Workshop mode</button>
<button id="export" type="button" data-i18n="export_label">Export view as PNG</button>
</header>
<div class="layout">
<aside><h2 data-i18n="measures_heading">Measures</h2><div id="toggles"></div></aside>
<main>
<section id="workshop" class="workshop" hidden></section>
<section id="headline" class="headline"></section>
<h2 class="note" data-i18n="takeaway_heading">What it shows</h2>
<ul id="takeaway" class="takeaway"></ul>
<nav id="views" role="tablist"></nav>
<div id="view"></div>
<p id="stamp" class="stamp"></p>
</main>
</div>
<script type="application/json" id="kit-data">{data}</script>
<script type="application/json" id="kit-i18n">{i18n}</script>
<script>
{script}
</script>
</body>
</html>
"""


def script_json(data: Any) -> str:
    """JSON that a `<script>` element holds as it is: no `</script>`, no markup, no line separators."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _asset(name: str) -> str:
    return (resources.files("corridor_sim") / "data" / "workshop" / name).read_text(encoding="utf-8")


def render_kit(data: dict[str, Any]) -> str:
    """The page's HTML for the kit's data (kit_data.kit_data)."""
    script = _asset("kit.js")
    if "</script" in script.lower():
        raise AssertionError("kit.js may not contain a closing script tag")
    return TEMPLATE.format(generator=GENERATOR, title=html.escape(f"Workshop kit: {data['title']}"),
                           css=_asset("kit.css"), data=script_json(data),
                           i18n=script_json(json.loads(_asset("i18n.json"))), script=script)


def is_kit(path: Path) -> bool:
    """A page this command wrote (its head names the generator)."""
    try:
        with path.open("rb") as f:
            head = f.read(2048)
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">'.encode() in head


def check_kit_path(path: Path, force: bool) -> None:
    """Refuse, before anything runs, a path that cannot take the kit: a directory, an existing
    file without --force, or with it a file that is not a kit (only a kit is ever replaced)."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise OutputError(f"-o {path}: the kit is an HTML file; give a name ending in .html")
    if path.is_dir():
        raise OutputError(f"-o {path} is a directory; give the kit's file name, e.g. {path / 'kit.html'}")
    if path.exists() or path.is_symlink():
        if not force:
            raise OutputError(f"{path} exists; use --force to replace it")
        if not is_kit(path):
            raise OutputError(f"{path} exists and is not a workshop kit; --force replaces only a kit this command "
                              "wrote: move it away or choose another -o")


def write_kit(data: dict[str, Any], path: Path, force: bool = False) -> Path:
    """Write the page to `path` whole: a temporary file beside it, renamed into place."""
    check_kit_path(path, force)
    text = render_kit(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
