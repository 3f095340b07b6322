"""Result tables, statistics and run directories."""
from .io import load_results
from .run_result import RunResult
from .stats import mean_ci, paired_difference

__all__ = ["RunResult", "load_results", "mean_ci", "paired_difference"]
