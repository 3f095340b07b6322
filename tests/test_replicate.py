"""A worker's task: replications of one scenario, sent back as table pieces.

A worker imports the model and the per-replication records only (no pandas: it would double a
new worker's start-up), and the pieces it sends become, in the process that keeps them, the
same DataFrames as the tables made where the replication ran.
"""
from __future__ import annotations

import pickle
import subprocess
import sys

import pandas as pd

from corridor_sim.model import simulate
from corridor_sim.replicate import run_batch
from corridor_sim.results.tables import TABLES, replication_frames
from corridor_sim.scenario.loader import build_scenario

from corridor_sim.results.ledger import Ledger
from conftest import ROOT, tiny


def test_a_workers_task_imports_no_pandas_scipy_or_matplotlib():
    code = ("import pickle, sys; from corridor_sim.replicate import run_batch; "
            "from corridor_sim.scenario import load_scenario; "
            f"s = load_scenario({str(ROOT / 'scenarios' / 'middle_corridor.yaml')!r}, ['clock.horizon=3d', 'clock.warmup=1d']); "
            "out = pickle.dumps(run_batch(s, [0, 1], 7)); "
            "print(sorted(m for m in ('pandas', 'scipy', 'matplotlib', 'pyarrow', 'dask') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_pieces_a_worker_sends_make_the_tables_made_where_it_ran():
    data = tiny()
    data["clock"] = {"horizon": "4d", "warmup": "1d"}
    scenario = build_scenario(data)
    for r, stats, pieces in pickle.loads(pickle.dumps(run_batch(scenario, [0, 1], 11, trace=True))):
        result = simulate(scenario, r, 11, trace=True, record_queues=r == 0)
        Ledger(scenario).add_to(result)  # a worker costs each replication (results/ledger.py)
        made_there = replication_frames(result)
        assert stats["replication"] == r and set(pieces) == set(made_there) == set(TABLES)
        for name, frame in made_there.items():
            pd.testing.assert_frame_equal(pieces[name].frame(), frame, check_exact=True, obj=f"{name} of replication {r}")
        assert len(made_there["trucks"]) and len(made_there["trace"])
        assert (len(made_there["queues"]) > 0) == (r == 0)  # queues in replication 0 only, an empty table else
