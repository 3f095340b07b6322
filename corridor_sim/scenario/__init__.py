"""The scenario format: schema, units, distributions, overlays and validation."""
from ..lazy import lazy_exports

__all__ = ["Dist", "WeeklyHours", "Scenario", "CustomsPolicy", "REGIMES", "load_scenario", "derive", "merge",
           "format_path", "build_scenario", "scenario_json_schema"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "Dist": ".dists", "WeeklyHours": ".hours", "scenario_json_schema": ".json_schema",
    "build_scenario": ".loader", "derive": ".loader", "format_path": ".loader", "load_scenario": ".loader",
    "merge": ".overlay", "REGIMES": ".schema", "CustomsPolicy": ".schema", "Scenario": ".schema",
})
