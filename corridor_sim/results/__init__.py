"""Result tables, statistics and run directories."""
from ..lazy import lazy_exports

__all__ = ["RunResult", "load_results", "mean_ci", "paired_difference"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "RunResult": ".run_result", "load_results": ".run_result", "mean_ci": ".stats", "paired_difference": ".stats",
})
