"""corridor-sim: discrete-event simulation of road freight on the Middle Corridor.

The public API: load a scenario, simulate one replication, run, compare and sweep replications
(serially, in a process pool or on Dask), read results.
"""
from .errors import CorridorSimError, ScenarioError, SimulationError
from .experiment import Output, compare, resume_plan, run, run_many, run_plan, sweep
from .model import simulate
from .results import RunResult, load_results
from .scenario import Scenario, derive, load_scenario

__version__ = "0.1.0"

__all__ = [
    "load_scenario", "derive", "Scenario", "simulate", "run", "run_many", "compare", "sweep", "run_plan",
    "resume_plan", "Output", "RunResult", "load_results", "CorridorSimError", "ScenarioError", "SimulationError",
]
