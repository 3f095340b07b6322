"""Shared fixtures: the contract scenarios and tiny worlds built in code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import settings

from corridor_sim.scenario.loader import build_scenario

# property tests draw the same examples on every run, so a failure found once is found again
settings.register_profile("reproducible", derandomize=True)
settings.load_profile("reproducible")

FIXTURES = Path(__file__).parent / "fixtures"
CONTRACT = FIXTURES / "contract"
ROOT = Path(__file__).resolve().parent.parent


def doc_pages() -> list[Path]:
    """The documentation: the README (the front page) and every page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def doc_section(name: str) -> str:
    """The text between `<!-- section: NAME -->` and `<!-- /section: NAME -->`, on whichever page holds it."""
    start, end = f"<!-- section: {name} -->", f"<!-- /section: {name} -->"
    found = [text.split(start, 1)[1].split(end, 1)[0] for text in (p.read_text(encoding="utf-8") for p in doc_pages())
             if start in text]
    assert len(found) == 1, f"section {name!r} is on {len(found)} pages"
    return found[0]


@pytest.fixture
def contract_dir() -> Path:
    return CONTRACT


def tiny(**sections) -> dict:
    """A minimal valid scenario as plain data: origin -> post (bcp AA/BB) -> destination."""
    data = {
        "name": "tiny",
        "clock": {"start": "2026-01-05T00:00", "horizon": "10d", "warmup": "1d"},
        "experiment": {"replications": 2, "seed": 1},
        "drivers": {"rules": "none", "speed_kmh": 60},
        "risk_classes": {"low": {"noncompliance": 0.05}},
        "nodes": {
            "origin": {"kind": "terminal", "country": "AA"},
            "post": {"kind": "bcp", "border": ["AA", "BB"], "lanes": 2},
            "destination": {"kind": "terminal", "country": "BB"},
        },
        "links": {"origin -> post": {"km": 60}, "post -> destination": {"km": 60}},
        "traffic": {"main": {"route": ["origin", "post", "destination"], "per_day": 20}},
    }
    for key, value in sections.items():
        data[key] = value
    return data


@pytest.fixture
def tiny_data() -> dict:
    return tiny()


@pytest.fixture
def tiny_scenario():
    return build_scenario(tiny())


def uncited_numbers(text: str, keys: set[str], plain_keys: set[str], cited=None) -> list[str]:
    """Lines of a scenario file that set a number without naming a `sources:` key, ASSUMPTION or
    DERIVED in their comment (`cited(comment)` may accept more); keys in `plain_keys` are names
    and dates, not figures."""
    in_sources, uncited = False, []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("sources:"):
            in_sources = True
            continue
        if in_sources and line and not line.startswith(" "):
            in_sources = False
        if in_sources or not stripped or stripped.startswith("#"):
            continue
        code, _, comment = stripped.partition("#")
        key, _, value = code.partition(":")
        if not re.search(r"\d", value) or key.strip() in plain_keys:
            continue
        words = set(re.findall(r"[A-Za-z0-9_]+", comment))
        if not ({"ASSUMPTION", "DERIVED"} & words or keys & words or (cited and cited(comment))):
            uncited.append(f"{number}: {stripped}")
    return uncited
