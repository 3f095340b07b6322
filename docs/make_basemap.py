"""Write corridor_sim/data/basemap.json: the country outlines that maps and animations draw under the corridor.

Source: Natural Earth 1:110m Admin 0 Countries (public domain, https://www.naturalearthdata.com/),
as shipped in the `geopandas` 0.14.4 wheel (`geopandas/datasets/naturalearth_lowres/`). Only the
rings that reach the corridor's part of the world are kept, rounded to 0.01 degrees, so the
package ships about a hundred kilobytes and never downloads anything at run time. The Caspian
Sea is the space the coasts of Kazakhstan, Turkmenistan, Iran, Azerbaijan and Russia leave open.

    pip download geopandas==0.14.4 --no-deps -d /tmp/gp && (cd /tmp/gp && unzip -o geopandas-*.whl 'geopandas/datasets/*')
    pip install pyshp
    python docs/make_basemap.py /tmp/gp/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp, only for this script

REGION = (5.0, 100.0, 20.0, 62.0)  # lon min, lon max, lat min, lat max: from the EU border to western China
OUT = Path(__file__).resolve().parent.parent / "corridor_sim" / "data" / "basemap.json"


def _rings(shape) -> list[list[tuple[float, float]]]:
    parts = list(shape.parts) + [len(shape.points)]
    return [shape.points[a:b] for a, b in zip(parts[:-1], parts[1:])]


def _reaches_region(ring: list[tuple[float, float]]) -> bool:
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    x0, x1, y0, y1 = REGION
    return max(lons) >= x0 and min(lons) <= x1 and max(lats) >= y0 and min(lats) <= y1


def main(source: str) -> None:
    reader = shapefile.Reader(source)
    names = [f[0] for f in reader.fields[1:]]
    countries = []
    for record, shape in zip(reader.records(), reader.shapes()):
        fields = dict(zip(names, record))
        rings = [[[round(x, 2), round(y, 2)] for x, y in ring] for ring in _rings(shape) if _reaches_region(ring)]
        if rings:
            countries.append({"name": fields["name"], "iso_a3": fields["iso_a3"], "rings": rings})
    countries.sort(key=lambda c: c["name"])
    data = {
        "source": "Natural Earth 1:110m Admin 0 Countries (public domain), https://www.naturalearthdata.com/, "
                  "from the geopandas 0.14.4 wheel (geopandas/datasets/naturalearth_lowres)",
        "region": REGION,
        "countries": countries,
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(countries)} countries, {OUT.stat().st_size / 1000:.0f} kB -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
