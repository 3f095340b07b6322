"""The scenario format: schema, units, distributions, overlays and validation."""
from .dists import Dist
from .hours import WeeklyHours
from .json_schema import scenario_json_schema
from .loader import build_scenario, derive, format_path, load_scenario, merge
from .schema import REGIMES, CustomsPolicy, Scenario

__all__ = ["Dist", "WeeklyHours", "Scenario", "CustomsPolicy", "REGIMES", "load_scenario", "derive", "merge",
           "format_path", "build_scenario", "scenario_json_schema"]
