"""`report.html` of a saving card: one self-contained page, a section per measure.

The figures are the card's (summary.json's `uncertainty`); nothing is computed here. Every
name, group and sentence is escaped, since an assumptions file or a scenario carries them.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from .report import CSS, _ci, _num, _table
from .saving_card import plausible_words


def _measure_section(name: str, card: dict[str, Any], images: dict[str, bytes]) -> str:
    c, r = card["central"], card["range"]
    parts = [f"<h2>{html.escape(name)}</h2>",
             f"<p>Saving at the central values: <b>{_num(c['mean'], 2)} h</b> per truck "
             f"(paired 95% CI {_ci(c['ci_low'], c['ci_high'], 2)}, {c['n']} replications).</p>",
             f"<p>Over the assumptions ({r['n']} sampled points): 5–95% {_ci(r['p05'], r['p95'], 2)} h, "
             f"min–max {_ci(r['min'], r['max'], 2)} h.</p>"]
    plausible = card.get("range_plausible")
    if plausible is not None:
        parts.append(f"<p>Over the {plausible['n']} points that meet the targets: 5–95% "
                     f"{_ci(plausible['p05'], plausible['p95'], 2)} h, min–max "
                     f"{_ci(plausible['min'], plausible['max'], 2)} h.</p>")
    s, p = card["spread"], card["probability"]
    if s["assumptions_share"] is not None:
        parts.append(f"<p>Spread: {_num(100 * s['assumptions_share'], 0)}% the assumptions, "
                     f"{_num(100 * s['noise_share'], 0)}% simulation noise.</p>")
    if p["above_zero"] is not None:
        parts.append(f"<p>P(saving &gt; 0) = {_num(p['above_zero'], 2)}; P(saving &gt; "
                     f"{_num(card['threshold_h'], 2)} h) = {_num(p['above_threshold'], 2)}.</p>")
    indices = {row["group"]: row for row in card.get("indices") or []}
    evppi = (card.get("evppi") or {}).get("groups", {})
    rows = [[row["group"], _num(row["mu_star"], 2), _num(indices.get(row["group"], {}).get("S1"), 2),
             _num(indices.get(row["group"], {}).get("ST"), 2), _num(evppi.get(row["group"]), 2)]
            for row in card.get("screening") or []]
    if rows:
        parts.append(_table(f"drivers-{html.escape(name)}", ["group", "Morris μ*, h", "S1", "ST", "EVPPI, h"], rows))
    if card.get("emulator"):
        e = card["emulator"]
        parts.append(f'<p class="note">Sobol indices on a Gaussian-process emulator of {e["points"]} points; '
                     f"error by {e['folds']}-fold cross-validation: rmse {_num(e['rmse'], 2)} h, "
                     f"R² {_num(e['r2'], 2)}.</p>")
    if card.get("failure"):
        parts.append(f'<p class="takeaway">{html.escape(card["failure"]["words"])}</p>')
    for kind in ("range", "tornado"):
        data = images.get(f"{kind}-{name}")
        if data:
            parts.append(f'<figure><img alt="{kind} of {html.escape(name)}" '
                         f'src="data:image/png;base64,{base64.b64encode(data).decode("ascii")}"></figure>')
    return "\n".join(parts)


def render_card_report(summary: dict[str, Any], images: dict[str, bytes]) -> str:
    """The page: the design, then each measure's card."""
    section = summary["uncertainty"]
    design = section["design"]
    groups = ", ".join(html.escape(g["name"]) for g in section["groups"])
    body = [f"<h1>Saving card: {html.escape(summary['base'])}</h1>",
            '<p class="question">How much does each measure save, how sure are we, and what would change the '
            "answer?</p>",
            f"<p>{design['points']} design points ({design['morris']} Morris, {design['sample']} sampled, the "
            f"central one), {design['replications']} replications each, {design['model_runs']} model runs; "
            f"groups: {groups}.</p>"]
    counts = plausible_words(section.get("plausible"))
    if counts:
        body.append(f"<p>Targets: {html.escape(counts)}.</p>")
    body += [_measure_section(name, card, images) for name, card in section["measures"].items()]
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Saving card: '
            f"{html.escape(summary['base'])}</title><style>{CSS}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")


def write_card_report(summary: dict[str, Any], directory: Path, images: dict[str, bytes]) -> Path:
    """`directory/report.html`, with the PNGs in `images` (keyed range-NAME, tornado-NAME) inline."""
    out = directory / "report.html"
    out.write_text(render_card_report(summary, images), encoding="utf-8")
    return out
