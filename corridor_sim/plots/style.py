"""The look shared by every plot: the packaged style, the palette, and reproducible files.

Plots use matplotlib's object API on an Agg canvas (never pyplot's global state), so they can
be drawn in any process, any number of times, without a display. The style is applied with
`rc_context` only while a figure is drawn and saved.
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ..model.truck import COMPONENTS

STYLE_FILE = Path(str(resources.files("corridor_sim") / "data" / "corridor.mplstyle"))

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Scenarios take them in this order (yellow last: weak on white).
OKABE_ITO = {
    "blue": "#0072B2", "vermillion": "#D55E00", "bluish_green": "#009E73", "reddish_purple": "#CC79A7",
    "orange": "#E69F00", "sky_blue": "#56B4E9", "black": "#000000", "yellow": "#F0E442",
}
# Past eight scenarios, Paul Tol's muted colours that differ from Okabe–Ito's, then the cycle repeats.
TOL_MUTED_EXTRA = ("#882255", "#332288", "#999933", "#44AA99", "#AA4499", "#DDCC77", "#117733", "#661100")
SCENARIO_COLOURS = tuple(OKABE_ITO.values()) + TOL_MUTED_EXTRA

# Where the time goes: moving (blues), waiting at controls (warm colours), the sea (greens/yellow).
COMPONENT_COLOURS = {
    "drive": OKABE_ITO["blue"], "rest": OKABE_ITO["sky_blue"], "closed": "#999999",
    "queue": OKABE_ITO["vermillion"], "document": OKABE_ITO["orange"], "inspection": OKABE_ITO["reddish_purple"],
    "ferry_wait": OKABE_ITO["bluish_green"], "ferry_sail": OKABE_ITO["yellow"], "booking": TOL_MUTED_EXTRA[0],
    "permit": TOL_MUTED_EXTRA[1],
}
COMPONENT_LABELS = {
    "drive": "driving", "rest": "rest (AETR)", "closed": "control closed", "queue": "queueing",
    "document": "document check", "inspection": "inspection", "ferry_wait": "waiting for the ferry",
    "ferry_sail": "on the ferry", "booking": "e-queue (daily cap)", "permit": "waiting for a road permit",
}
assert set(COMPONENT_COLOURS) == set(COMPONENTS)

# Reproducible files: no creation date, the same bytes for the same figure.
SAVE_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}
FORMATS = tuple(SAVE_METADATA)
PNG_COLOURS = 256

F = TypeVar("F", bound=Callable)


@contextmanager
def style() -> Iterator[None]:
    """The package style, for as long as a figure is drawn or saved."""
    with matplotlib.rc_context(fname=str(STYLE_FILE)):
        yield


def styled(function: F) -> F:
    """Draw `function`'s figure under the package style (artists read rcParams when made)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with style():
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(width: float = 8.0, height: float = 4.5) -> Figure:
    """A figure on an Agg canvas; call under `style()`."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def figure_and_axes(ax: Axes | Figure | None, width: float = 8.0, height: float = 4.5) -> tuple[Figure, Axes]:
    """The caller's axes, a single axes on the caller's figure, or a new figure with one axes."""
    if isinstance(ax, Axes):
        return ax.figure, ax  # type: ignore[return-value]
    fig = ax if isinstance(ax, Figure) else new_figure(width, height)
    return fig, fig.add_subplot()


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """Each scenario keeps its colour in every plot of a result."""
    return {name: SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)] for i, name in enumerate(names)}


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    from ..errors import OutputError

    out = tuple(f.strip().lower().lstrip(".") for f in formats if f.strip())
    unknown = [f for f in out if f not in SAVE_METADATA]
    if unknown or not out:
        raise OutputError(f"unknown plot format {', '.join(unknown) or '(none)'}; expected one or more of: "
                          f"{', '.join(FORMATS)}")
    return out


def save_figure(fig: Figure, path: Path, fmt: str, dpi: int | None = None) -> Path:
    """Write `fig` as `path` with suffix `fmt` (at `dpi`, default the style's); the same figure
    always gives the same bytes."""
    file = Path(path).with_suffix(f".{fmt}")
    file.write_bytes(figure_bytes(fig, fmt, dpi))
    return file


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int | None = None) -> bytes:
    """The figure as file bytes, encoded once per format and resolution (a plot is both saved
    and embedded in the report); `dpi` None: the style's."""
    encoded: dict[tuple[str, int | None], bytes] = fig.__dict__.setdefault("_corridor_sim_bytes", {})
    key = (fmt, dpi)
    if key not in encoded:
        buffer = io.BytesIO()
        with style():
            fig.savefig(buffer, format=fmt, metadata=SAVE_METADATA[fmt], dpi=dpi)
        encoded[key] = _palette_png(buffer.getvalue()) if fmt == "png" else buffer.getvalue()
    return encoded[key]


def _palette_png(data: bytes) -> bytes:
    """A plot's PNG with a 256-colour palette: a third of the size, no visible change (flat colours, text)."""
    with Image.open(io.BytesIO(data)) as image:
        palette = image.convert("RGB").quantize(colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT,
                                                dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


WHOLE_HOURS_FROM = 10.0  # below this a label keeps one decimal: 0.28 h is "0.3", not "0"


def hours_text(hours: float) -> str:
    """Hours as a label on a bar or a stop: one decimal below 10 h, whole hours above (a short
    wait written "0" reads as none, a long one written "251.4" is noise)."""
    return f"{hours:.1f}" if abs(hours) < WHOLE_HOURS_FROM - 0.05 else f"{hours:.0f}"


def hours_to_days_axis(ax: Axes, which: str = "x") -> None:
    """A secondary axis in days opposite an axis in hours (long journeys read better in days)."""
    functions = (lambda h: h / 24.0, lambda d: d * 24.0)
    if which == "x":
        ax.secondary_xaxis("top", functions=functions).set_xlabel("days")
    else:
        ax.secondary_yaxis("right", functions=functions).set_ylabel("days")
