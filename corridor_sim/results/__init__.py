"""Result tables, statistics and run directories."""
from .run_result import RunResult, load_results
from .stats import mean_ci, paired_difference

__all__ = ["RunResult", "load_results", "mean_ci", "paired_difference"]
