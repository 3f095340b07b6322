"""Input meant to harm or confuse: files that are not scenarios, names that are markup."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from corridor_sim.cli import main
from corridor_sim.errors import ScenarioError
from corridor_sim.scenario.loader import build_scenario, load_scenario, merge

from conftest import tiny

SECRET = "root:$6$secretsalt$hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"


def test_a_file_that_is_not_a_scenario_is_never_echoed(tmp_path: Path, capsys):
    secret = tmp_path / "etc" / "shadow"
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("extends: etc/shadow\nname: x\n", encoding="utf-8")
    for target in (scenario, secret):
        with pytest.raises(ScenarioError, match="is not a scenario file"):
            load_scenario(target)
        assert main(["validate", str(target)]) == 2
        err = capsys.readouterr().err
        assert "not a scenario file" in err and "secretsalt" not in err and "daemon" not in err
        assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["[/x]", "[link=http://evil]x", "a\x1b[31mred", "tab\there", "back\\slash"])
def test_names_that_a_terminal_would_interpret_are_refused(name):
    data = merge(tiny(), {})
    data["traffic"] = {name: data["traffic"]["main"]}
    with pytest.raises(ScenarioError, match="a name may not contain control characters, brackets or backslashes"):
        build_scenario(data)


def test_a_refused_name_is_an_error_line_not_a_crash(tmp_path: Path, capsys):
    data = tiny()
    data["caravans"] = {"[/x]": {"route": ["origin", "post", "destination"], "depart": "2026-01-05T08:00", "trucks": 2}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["run", str(path), "-n", "1", "-o", str(tmp_path / "out"), "--no-plots", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "caravans" in err and "Traceback" not in err and not (tmp_path / "out").exists()


def test_one_writer_per_run_directory(tmp_path: Path, capsys):
    import os
    import socket
    import subprocess
    import sys

    from corridor_sim.results.lock import lock_path

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    out = tmp_path / "run"
    lock = lock_path(out)
    # a live writer (this test's own process stands in for it): the second command refuses
    lock.write_text(f"{os.getpid()}\n{socket.gethostname()}\n2026-12-01T10:00:00\n")
    assert main(["run", str(path), "-n", "1", "-o", str(out), "--quiet", "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert f"is being written by process {os.getpid()}" in err and not out.exists()
    assert lock.exists()  # not ours: left alone
    # a writer that is gone: its lock is stale and taken over, then removed at the end
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(f"{int(gone.stdout)}\n{socket.gethostname()}\n2026-12-01T10:00:00\n")
    assert main(["run", str(path), "-n", "1", "-o", str(out), "--quiet", "--no-plots"]) == 0
    assert (out / "summary.json").exists() and not lock.exists()


def test_two_commands_on_one_directory_never_mix(tmp_path: Path):
    import subprocess
    import sys

    data = merge(tiny(), {"clock": {"horizon": "60d"}})
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "run"
    command = [sys.executable, "-m", "corridor_sim", "run", str(path), "-n", "6", "-o", str(out), "--quiet", "--no-plots"]
    first = subprocess.Popen([*command, "--seed", "7"], stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen([*command, "--seed", "8", "--force"], stderr=subprocess.PIPE, text=True)
    codes = (first.wait(timeout=120), second.wait(timeout=120))
    errors = first.stderr.read() + second.stderr.read()
    assert "Traceback" not in errors
    # at most one wrote the directory, and what is there is one run's, whole
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] in (7, 8) and summary["replications"] == 6
    if 0 in codes and 2 in codes:
        assert "is being written by" in errors or "already holds results" in errors


# --- files that are not files, counts beyond reason, aliases in values and saved files ----------

@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_validate_refuses_what_is_not_a_regular_file_at_once(special, tmp_path, capsys):
    import os

    path = special
    if special == "fifo":
        path = str(tmp_path / "scenario.yaml")
        os.mkfifo(path)
    assert main(["validate", path]) == 2  # returns at once: nothing is read from it
    assert "is not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize("option, value", [("-n", "1000000000"), ("--workers", "100000")])
def test_counts_beyond_their_limit_are_refused_before_anything_runs(option, value, tmp_path, capsys):
    from conftest import CONTRACT

    out = tmp_path / "out"
    assert main(["run", str(CONTRACT / "tandem_mmc.yaml"), option, value, "-o", str(out), "--quiet"]) == 2
    assert "must be at most" in capsys.readouterr().err and not out.exists()


BOMB = "[" + ", ".join(["&a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]"
                                                                  for i in range(1, 7)]) + "]"


def test_an_alias_bomb_in_a_set_value_is_refused_and_a_bad_vary_value_is_one_line(tmp_path, capsys):
    from conftest import CONTRACT

    scenario = str(CONTRACT / "tandem_mmc.yaml")
    assert main(["validate", scenario, "--set", f"description={BOMB}"]) == 2
    assert "aliases" in capsys.readouterr().err
    # --vary splits its values on commas, so a flow sequence cannot be one; what is left is refused in one line
    assert main(["sweep", scenario, "--vary", f"traffic.main.per_day={BOMB}", "-o", str(tmp_path / "s"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --vary traffic.main.per_day: cannot read the value") and err.count("\n") == 1


def test_a_saved_scenario_with_an_alias_bomb_is_refused_when_read_back(tmp_path, capsys):
    from conftest import CONTRACT

    out = tmp_path / "run"
    assert main(["run", str(CONTRACT / "tandem_mmc.yaml"), "-n", "1", "--set", "clock.horizon=5d", "--set",
                 "clock.warmup=0", "-o", str(out), "--quiet", "--no-plots"]) == 0
    saved = out / "scenario.yaml"
    saved.write_text(saved.read_text(encoding="utf-8") + f"\nbomb: {BOMB}\n", encoding="utf-8")
    assert main(["plot", str(out)]) == 2
    assert "aliases" in capsys.readouterr().err


def test_force_says_what_it_replaces_and_replaces_only_a_run(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(tiny()), encoding="utf-8")
    out = tmp_path / "run"
    args = ["run", str(path), "-n", "1", "-o", str(out), "--quiet", "--no-plots"]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--force"]) == 0
    assert f"--force: replacing the earlier run in {out}/ (run of tiny, 1 replications, finished" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0 and (out / "summary.json").exists()
    # nothing to replace: nothing said
    capsys.readouterr()
    assert main(["run", str(path), "-n", "1", "-o", str(tmp_path / "new"), "--quiet", "--no-plots", "--force"]) == 0
    assert "--force" not in capsys.readouterr().err
