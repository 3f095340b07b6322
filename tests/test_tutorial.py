"""docs/tutorial.md runs as written: every command of its ```bash blocks, in order, in a scratch
directory holding docs/tutorial/, prints the lines of the ```text block that follows it; its
scenario files validate without a warning and cite a source for every number."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, uncited_numbers

TUTORIAL = ROOT / "docs" / "tutorial.md"
FILES = ROOT / "docs" / "tutorial"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def steps() -> list[tuple[list[str], list[str]]]:
    """Each bash block's commands with the lines the text says they print (the text block after it)."""
    blocks = BLOCK.findall(TUTORIAL.read_text(encoding="utf-8"))
    found = []
    for i, (kind, body) in enumerate(blocks):
        if kind == "bash":
            printed = blocks[i + 1][1] if i + 1 < len(blocks) and blocks[i + 1][0] == "text" else ""
            found.append(([line for line in body.splitlines() if line.strip()],
                          [line for line in printed.splitlines() if line.strip()]))
    return found


def _plain(text: str) -> str:
    return " ".join(text.split())


def test_the_tutorial_has_its_five_steps_each_a_command_with_what_it_prints():
    found = steps()
    commands = [c for cs, _ in found for c in cs]
    assert all(c.startswith("corridor-sim ") for c in commands)
    assert [shlex.split(c)[1] for c in commands] == ["validate", "show", "show", "run", "calibrate", "calibrate",
                                                     "run", "compare"]
    assert all(printed for _, printed in found)


def test_every_command_prints_what_the_tutorial_says(tmp_path):
    shutil.copytree(FILES, tmp_path / "docs" / "tutorial")
    env = {**os.environ, "COLUMNS": "100", "PYTHONPATH": str(ROOT)}
    for commands, printed in steps():
        output = ""
        for command in commands:
            done = subprocess.run([sys.executable, "-m", "corridor_sim", *shlex.split(command)[1:]], cwd=tmp_path,
                                  env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, (command, done.stderr)
            output += done.stdout + done.stderr
        for line in printed:
            assert _plain(line) in _plain(output), (commands, line, output)
    # the fit's overlay is the one kept as docs/tutorial/fitted.yaml
    fit = yaml.safe_load((tmp_path / "results" / "tutorial" / "fit.yaml").read_text(encoding="utf-8"))
    kept = yaml.safe_load((FILES / "fitted.yaml").read_text(encoding="utf-8"))
    assert fit["nodes"] == kept["nodes"]


@pytest.mark.parametrize("path", sorted(FILES.glob("*.yaml")), ids=lambda p: p.name)
def test_each_file_validates_without_a_warning_and_cites_its_numbers(path: Path):
    done = subprocess.run([sys.executable, "-m", "corridor_sim", "validate", str(path)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    text = path.read_text(encoding="utf-8")
    keys = set(yaml.safe_load((FILES / "border.yaml").read_text(encoding="utf-8"))["sources"])
    if "targets" in yaml.safe_load(text):
        sources = {t["source"] for t in yaml.safe_load(text)["targets"]}
        assert sources <= keys, sources - keys
        return
    uncited = uncited_numbers(text, keys, {"name", "description", "start", "seed", "extends", "label"})
    assert not uncited, uncited


def test_the_fitted_and_measure_files_run_without_a_warning(tmp_path):
    for name in ("lanes", "fitted", "etir"):
        done = subprocess.run([sys.executable, "-m", "corridor_sim", "run", str(FILES / f"{name}.yaml"), "-n", "2",
                               "--no-plots", "--quiet", "-o", str(tmp_path / name)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
        assert done.returncode == 0 and "warning" not in done.stderr, (name, done.stderr)
