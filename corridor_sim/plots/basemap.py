"""Land, sea and borders under a map of the corridor, from Natural Earth data shipped with the package.

`corridor_sim/data/basemap.json` holds the country outlines of Natural Earth's 1:110m Admin 0
Countries (public domain) around the corridor, written by `docs/make_basemap.py`; nothing is
downloaded at run time. Land is drawn pale over a blue-grey sea (the Caspian and the Black Sea
are what the coasts leave open), countries edged by their borders, under everything else.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from matplotlib.collections import PolyCollection

LAND, SEA, BORDER = "#f2f0eb", "#dce7ef", "#a8a39a"
BASEMAP_GID = "basemap"


@functools.cache
def country_rings() -> tuple[tuple[str, tuple[tuple[float, float], ...]], ...]:
    """(ISO code, ring of lon/lat points) for every outline ring in the shipped data."""
    text = (resources.files("corridor_sim") / "data" / "basemap.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return tuple((c["iso_a3"], tuple(map(tuple, ring))) for c in data["countries"] for ring in c["rings"])


def draw_basemap(ax: Any) -> PolyCollection:
    """Sea as the axes' background, land and borders as one collection below everything (zorder 0).
    Call after the limits are set: only the rings that reach them are drawn."""
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    rings = [ring for _, ring in country_rings()
             if max(p[0] for p in ring) >= x0 and min(p[0] for p in ring) <= x1
             and max(p[1] for p in ring) >= y0 and min(p[1] for p in ring) <= y1]
    land = PolyCollection(rings, facecolor=LAND, edgecolor=BORDER, linewidth=0.6, zorder=0, gid=BASEMAP_GID)
    ax.set_facecolor(SEA)
    ax.add_collection(land, autolim=False)
    ax.grid(False)
    return land
