"""The documentation a newcomer walks: a short front page whose links resolve, every command of
the README run, and a command-line reference that agrees with `--help`."""
from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from conftest import ROOT, doc_pages, doc_section
from corridor_sim.cli import build_parser, main

README = ROOT / "README.md"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
SHORT = ["--set", "clock.horizon=9d", "--set", "clock.warmup=2d", "--quiet", "--no-plots"]


def _prose(text: str) -> str:
    """The text without fenced blocks and inline code, where a bracket is not a link."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))


def anchors(path: Path) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for title in HEADING.findall(_prose(path.read_text(encoding="utf-8"))):
        slug = re.sub(r"[^\w\- ]", "", title.strip().lower().replace("`", "")).replace(" ", "-")
        found.add(slug)
    return found


def test_the_front_page_is_short_and_links_the_tutorial_the_guide_and_the_reference():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) < 300
    targets = set(LINK.findall(_prose(text)))
    for page in ["docs/tutorial.md", "docs/trainers-guide.md", "docs/reference/scenario-format.md",
                 "docs/reference/cli.md", "docs/reference/model.md", "docs/reference/outputs.md",
                 "docs/reference/experiments.md", "docs/reference/plots.md"]:
        assert page in targets, page
    assert any(t.endswith(".png") for t in targets), "a picture"


@pytest.mark.parametrize("page", [*doc_pages(), ROOT / "DEVELOPING.md"], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_a_file_and_its_anchor(page: Path):
    broken = []
    for target in LINK.findall(_prose(page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, broken


def test_the_moved_sections_are_each_on_one_reference_page():
    for name in ["scenario-format", "cli", "model", "outputs", "experiments", "scenarios", "uncertainty", "plots",
                 "development"]:
        assert doc_section(name).strip()


# --- every command of the README is run ------------------------------------------------------------

def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [line for block in re.findall(r"```bash\n(.*?)```", text, re.S) for line in block.splitlines() if line]


def test_the_quick_start_test_command_is_the_one_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installs = [c for c in readme_commands() if c.startswith("python3 -m venv")]
    assert len(installs) == 2
    assert installs[1] in ci.replace("pip install -q ", "pip install ")  # CI runs it as the README gives it, quietly
    assert installs[0].split(" && ")[:1] == installs[1].split(" && ")[:1]


def _corridor_sim_argv(line: str) -> list[str]:
    """The corridor-sim part of a README line (after `&&`, with or without the venv's prefix)."""
    (part,) = [p for p in line.split(" && ") if re.match(r"(\.venv/bin/)?corridor-sim ", p)]
    return shlex.split(part)[1:]


def test_every_readme_command_is_one_the_tests_run():
    """Each line of the README's bash blocks is either an install CI makes, the quick start's run,
    the headline comparison, the validation's calibration or its cross-validation; the next tests
    run them cut short (the cross-validation as the figures script runs it)."""
    lines = readme_commands()
    runs = [_corridor_sim_argv(line) for line in lines if "corridor-sim " in line]
    assert [argv[0] for argv in runs] == ["run", "compare", "calibrate", "calibrate"]
    assert all("corridor-sim " in line or line.startswith("python3 -m venv") for line in lines)


def test_the_quick_start_run_runs_cut_short(tmp_path, monkeypatch):
    (argv,) = [_corridor_sim_argv(line) for line in readme_commands() if "corridor-sim run" in line]
    monkeypatch.chdir(ROOT)
    assert main([*argv, "-n", "1", *SHORT, "-o", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run" / "summary.json").is_file()


def test_the_validation_command_runs_cut_short(tmp_path, monkeypatch, capsys):
    """The README's out-of-sample calibration, on one replication: every 2021 target is reported."""
    (argv,) = [_corridor_sim_argv(line) for line in readme_commands()
               if "corridor-sim calibrate" in line and "--cross-validate" not in line]
    monkeypatch.chdir(ROOT)
    assert main([*argv, "-n", "1", "--json", str(tmp_path / "validation.json")]) == 0
    import json

    table = json.loads((tmp_path / "validation.json").read_text(encoding="utf-8"))
    assert "2021" in argv[1] and len(table["targets"]) == 9


def test_the_cross_validation_command_is_the_one_the_figures_script_runs():
    """The README's cross-validation of the 2022 fit is the search the figures script runs for
    the table (`--only crossval`), which a slow test runs cut short
    (tests/test_readme_figures.py)."""
    import importlib.util

    (argv,) = [_corridor_sim_argv(line) for line in readme_commands() if "--cross-validate" in line]
    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "docs" / "readme_figures.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # type: ignore[union-attr]
    rest = [a for a in argv[3:] if a not in ("--fit", "--cross-validate")]
    options = dict(zip(rest[::2], rest[1::2]))
    assert argv[:3] == ["calibrate", "scenarios/middle_corridor_2022.yaml", "scenarios/targets_2022.yaml"]
    assert "--fit" in argv and len(rest) == len(argv) - 5
    assert options["--folds"] == "direction" and options["-n"] == str(script.CROSSVAL_REPLICATIONS)
    assert options["--workers"] == str(script.WORKERS)
    assert {k: int(options[f"--{k}"]) for k in script.CROSSVAL_SEARCH} == script.CROSSVAL_SEARCH


@pytest.mark.slow
def test_the_headline_comparison_runs_cut_short(tmp_path, monkeypatch):
    """The front page's headline command, on one replication and a short horizon: every overlay
    the figures script measures, in its order."""
    import importlib.util
    import json

    (argv,) = [_corridor_sim_argv(line) for line in readme_commands() if "corridor-sim compare" in line]
    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "docs" / "readme_figures.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # type: ignore[union-attr]
    files = [a for a in argv if a.endswith(".yaml")]
    assert files == ["scenarios/middle_corridor.yaml", *[f"scenarios/{o}.yaml" for o in script.OVERLAYS]]
    argv = argv[:argv.index("-n")]  # the README's -n 10 --workers 2 -o results/facilitation, cut short
    monkeypatch.chdir(ROOT)
    assert main([*argv, "-n", "1", *SHORT, "-o", str(tmp_path / "facilitation")]) == 0
    summary = json.loads((tmp_path / "facilitation" / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["comparison"]) == len(script.OVERLAYS)


# --- the command-line reference agrees with --help -------------------------------------------------

def subcommands() -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def usage_entries() -> dict[str, str]:
    """The reference's usage block, by command: each `corridor-sim NAME` entry with its text."""
    block = re.search(r"```\n(corridor-sim validate.*?)```", doc_section("cli"), re.S).group(1)
    entries: dict[str, str] = {}
    for entry in re.split(r"^(?=corridor-sim )", block, flags=re.M):
        if entry.strip():
            name = entry.split()[1]
            entries[name] = entries.get(name, "") + entry
    for name, entry in list(entries.items()):
        if "[the options of run]" in entry:
            entries[name] = entry + entries["run"]
    return entries


def test_the_reference_gives_every_option_of_every_command():
    entries = usage_entries()
    missing = []
    for name, parser in subcommands().items():
        assert name in entries, f"corridor-sim {name} is not in the reference"
        words = set(re.findall(r"-{1,2}[a-z][a-z-]*", entries[name]))
        for action in parser._actions:
            if action.option_strings and action.dest != "help" and not words & set(action.option_strings):
                missing.append(f"{name} {'/'.join(action.option_strings)}")
    assert not missing, missing


def _help_default(action: argparse.Action) -> str | None:
    """The default an option's help states: "(default X)", or "X (default)"."""
    text = " ".join((action.help or "").split())
    found = re.search(r"\(default ([^);]+)[);]", text) or re.search(r"(\w+) \(default\)", text)
    return found.group(1) if found else None


def _same(stated: str, default: object) -> bool:
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        return float(stated.replace(",", "")) == float(default)
    return stated == str(default)


def reference_defaults() -> list[tuple[list[str], str, str]]:
    """(commands, option, default) for each "`--option` (default X)" of the reference's list of
    defaults, whose items start with the commands they are of."""
    text = doc_section("cli").split("**Defaults.**", 1)[1].split("\n\n")[1]  # the list after its sentence
    stated = []
    for item in re.split(r"^- ", text, flags=re.M)[1:]:
        item = " ".join(item.split())
        commands = re.findall(r"`([a-z]+)`", item.split(":", 1)[0])
        for option, value in re.findall(r"`(-{1,2}[a-z-]+)` \(default ([^)]+)\)", item.split(":", 1)[1]):
            stated.append((commands, option, value))
    return stated


def test_the_defaults_the_reference_states_are_the_ones_argparse_has():
    parsers = subcommands()
    stated = reference_defaults()
    assert len(stated) >= 30
    wrong = []
    for commands, option, value in stated:
        for command in commands:
            (action,) = [a for a in parsers[command]._actions if option in a.option_strings]
            default = action.default if action.default is not None else _help_default(action)
            if default is None or not _same(value, default):
                wrong.append(f"{command} {option}: reference {value!r}, argparse/--help {default!r}")
    assert not wrong, wrong


def test_every_literal_default_of_the_help_is_in_the_reference():
    """Each option whose --help states a default is given with that default in the reference."""
    stated = {(c, option) for commands, option, _ in reference_defaults() for c in commands}
    missing = []
    for name, parser in subcommands().items():
        for action in parser._actions:
            if not action.option_strings or action.dest in {"help", "replications", "seed", "executor",
                                                            "dask_address", "max_trucks", "data"}:
                continue
            if _help_default(action) is not None and not stated & {(name, o) for o in action.option_strings}:
                missing.append(f"{name} {action.option_strings[-1]}")
    assert not missing, missing


def test_the_trainers_guide_asks_each_demo_s_question_as_demo_list_gives_it(capsys):
    """One row per demo in the guide's table, with the question `corridor-sim demo --list` prints."""
    assert main(["demo", "--list"]) == 0
    listed = dict(re.findall(r"^(\w+): (.+)$", capsys.readouterr().out, re.M))
    text = (ROOT / "docs" / "trainers-guide.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", text, re.M))
    assert rows == listed
