"""Shared fixtures: the contract scenarios and tiny worlds built in code."""
from __future__ import annotations

from pathlib import Path

import pytest

from corridor_sim.scenario.loader import build_scenario

FIXTURES = Path(__file__).parent / "fixtures"
CONTRACT = FIXTURES / "contract"
ROOT = Path(__file__).resolve().parent.parent


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
