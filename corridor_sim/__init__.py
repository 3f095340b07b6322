"""corridor-sim: discrete-event simulation of road freight on the Middle Corridor.

The public API: load a scenario, simulate one replication, run, compare and sweep replications
(serially, in a process pool or on Dask), read results. Names are imported when first used.
"""
from .lazy import lazy_exports

__version__ = "0.1.0"

__all__ = [
    "load_scenario", "derive", "Scenario", "simulate", "run", "run_many", "compare", "sweep", "run_plan",
    "resume_plan", "Output", "RunResult", "load_results", "CorridorSimError", "ScenarioError", "SimulationError",
]
__getattr__, __dir__ = lazy_exports(__name__, {
    "CorridorSimError": ".errors", "ScenarioError": ".errors", "SimulationError": ".errors",
    "Output": ".experiment", "compare": ".experiment", "resume_plan": ".experiment", "run": ".experiment",
    "run_many": ".experiment", "run_plan": ".experiment", "sweep": ".experiment",
    "simulate": ".model", "RunResult": ".results", "load_results": ".results",
    "Scenario": ".scenario", "derive": ".scenario", "load_scenario": ".scenario",
})
