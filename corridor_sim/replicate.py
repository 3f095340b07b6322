"""One task of an experiment: replications of one scenario, run in whichever process gets it.

Kept apart from `experiment` (which plans, gathers and writes) so that a worker process imports
only the model and the per-replication records: no pandas, which would double a new worker's
start-up. The tables go back as `TablePiece`s and become DataFrames where they are kept.
"""
from __future__ import annotations

from typing import Any, Sequence

from .model import simulate
from .results.ledger import Ledger
from .results.replication import replication_stats
from .results.tables import TablePiece, replication_pieces
from .scenario import Scenario
from .scenario.budget import wall_limit


def run_replication(scenario: Scenario, replication: int, seed: int, trace: bool = False,
                    record_queues: bool = False, engine: str = "auto", ledger: Ledger | None = None,
                    limit: float | None = None) -> tuple[dict[str, Any], dict[str, TablePiece]]:
    """One replication's statistics and table pieces, costed by the ledger (money, fuel,
    emissions: worked out from the time booking, after the run); runs in any process, stopped
    after `limit` seconds of wall-clock time (default: the budget's `wall_limit`)."""
    limit = wall_limit(scenario) if limit is None else limit
    result = simulate(scenario, replication, seed, trace=trace, record_queues=record_queues, engine=engine,
                      wall_limit=limit)
    ledger = ledger or Ledger(scenario)
    ledger.add_to(result)
    return replication_stats(result, ledger), replication_pieces(result)


def run_batch(scenario: Scenario, replications: Sequence[int], seed: int, trace: bool = False,
              engine: str = "auto") -> list[tuple[int, dict[str, Any], dict[str, TablePiece]]]:
    """A task: several replications of one scenario (queue lengths are recorded in replication 0)."""
    ledger = Ledger(scenario)  # the scenario's factors, worked out once for the task
    limit = wall_limit(scenario)
    return [(r, *run_replication(scenario, r, seed, trace, record_queues=r == 0, engine=engine, ledger=ledger,
                                 limit=limit)) for r in replications]
