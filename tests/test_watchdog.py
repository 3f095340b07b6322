"""The wall-clock watchdog: a replication that does not end stops with one line that says where
its trucks are, and the timer leaves nothing behind."""
from __future__ import annotations

import signal
import threading
import time

import pytest
import yaml

from corridor_sim.cli import main
from corridor_sim.errors import SimulationError
from corridor_sim.model import world as world_module
from corridor_sim.model.watchdog import WallClockExceeded, wall_clock_limit
from corridor_sim.scenario import budget
from corridor_sim.scenario.loader import build_scenario

from conftest import tiny


def _spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_a_block_past_its_limit_is_interrupted_and_the_timer_and_handler_are_put_back():
    before = signal.getsignal(signal.SIGALRM)
    started = time.perf_counter()
    with pytest.raises(WallClockExceeded):
        with wall_clock_limit(0.05):
            _spin(5.0)
    assert time.perf_counter() - started < 2.0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_a_block_within_its_limit_runs_to_its_end():
    with wall_clock_limit(5.0) as limited:
        _spin(0.01)
    assert limited and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_earlier_timer_goes_on_after_the_block():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with wall_clock_limit(5.0):
            pass
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
        _spin(0.6)
        assert fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_no_limit_is_set_outside_the_main_thread():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(wall_clock_limit(0.01).__enter__()))
    thread.start()
    thread.join()
    assert seen == [False]


def test_a_replication_past_its_limit_says_where_its_trucks_are():
    data = tiny()
    data["clock"]["horizon"] = "20000d"  # far more than a tenth of a second of work
    scenario = build_scenario(data)
    with pytest.raises(SimulationError) as error:
        world_module.simulate(scenario, 0, 1, wall_limit=0.1)
    message = str(error.value)
    assert "replication 0 of scenario 'tiny' still ran after 0.10 s of wall-clock time" in message
    assert "at simulated hour" in message and "horizon 480,000 h" in message
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_limit_grows_with_the_trucks_and_has_a_floor():
    small = build_scenario(tiny())
    data = tiny()
    data["clock"]["horizon"] = "30000d"
    data["traffic"]["main"]["per_day"] = 2000  # 60 million trucks: the limit is over the floor
    large = build_scenario(data)
    assert budget.wall_limit(small) == budget.WALL_FLOOR_S
    trucks = budget.estimate(large).all_trucks
    assert budget.wall_limit(large) == pytest.approx(budget.WALL_MARGIN * budget.WALL_S_PER_TRUCK * trucks)
    assert budget.wall_limit(large) > budget.WALL_FLOOR_S


def test_a_run_that_never_ends_stops_with_one_line_and_keeps_nothing_partial(tmp_path, capsys, monkeypatch):
    """A loop that does not move the simulated clock: the drain's cap cannot end it, the watchdog does."""
    def never_ends(self):
        while True:
            pass

    monkeypatch.setattr(world_module.World, "run", never_ends)
    monkeypatch.setattr(budget, "WALL_FLOOR_S", 0.2)
    monkeypatch.setattr(budget, "WALL_MARGIN", 0.0)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny()))
    out = tmp_path / "out"
    assert main(["run", str(path), "-n", "1", "--workers", "1", "--no-plots", "--quiet", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "simulation failed:" in err and "still ran after 0.20 s of wall-clock time" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
