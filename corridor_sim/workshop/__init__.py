"""The workshop kit: one offline page where a trainer switches measures on and off.

`build_kit` makes the scenarios (the base and each combination of its measure overlays),
`run_workshop` runs them as one comparison on the experiment machinery (common random numbers,
executors, `DIR.partial/` and resume) into a run directory, whose `workshop.json` holds what the
page shows (`kit_data`), and writes the page (`page.write_kit`).
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CorridorSimError, OutputError
from .combos import Kit, build_kit, check_runs
from .page import check_kit_path, write_kit

if TYPE_CHECKING:
    from ..experiment import Plan, Progress
    from ..results.io import ExtraFiles
    from ..results.run_result import RunResult

__all__ = ["Kit", "build_kit", "check_runs", "check_kit_path", "write_kit", "default_files", "kit_plan",
           "kit_extras", "run_workshop", "check_resumable", "read_kit_data", "KIT_JSON", "DEFAULT_MEASURES", "DEFAULT_LABELS"]

KIT_JSON = "workshop.json"  # in the run directory: the page's data
# the facilitation measures of the README's headline comparison (blanket inspection is the
# counterfactual of risk-based selection, and facilitated_2030 all of them at once)
DEFAULT_MEASURES = ("etir.yaml", "aeo_mutual_recognition.yaml", "risk_based.yaml", "joint_control_red_bridge.yaml",
                    "extra_ferry.yaml", "kyrgyz_weekends.yaml")
DEFAULT_BASE = "middle_corridor.yaml"
# how the page names them (the files give no label: their plots name them by file)
DEFAULT_LABELS = {"etir": "e-TIR", "aeo-mutual-recognition": "AEO mutual recognition",
                  "risk-based": "Risk-based selection", "joint-control-red-bridge": "Joint control at Red Bridge",
                  "extra-ferry": "A third Caspian vessel", "kyrgyz-weekends": "Kyrgyz crossings open at weekends"}


def default_files() -> tuple[Path, list[Path]]:
    """The bundled corridor and its measure overlays (`scenarios/` beside the package)."""
    folder = Path(__file__).resolve().parent.parent.parent / "scenarios"
    files = [folder / DEFAULT_BASE, *(folder / name for name in DEFAULT_MEASURES)]
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise CorridorSimError(f"the bundled scenarios were not found ({missing[0]}); give the base and the measure "
                               "overlay files: corridor-sim workshop BASE OVERLAY...")
    return files[0], files[1:]


def spec(kit: Kit) -> dict[str, Any]:
    """What the page needs to know of the kit: its measures and which scenario each combination is."""
    return {
        "measures": [{"key": m.key, "label": m.label,
                      "levels": [{"key": lv.key, "label": lv.label, "file": Path(lv.file).name} for lv in m.levels]}
                     for m in kit.measures],
        "combinations": [{"measures": [], "scenario": kit.base.name}]
        + [{"measures": list(combo), "scenario": s.name} for combo, s in zip(kit.combinations, kit.scenarios[1:])],
        "max_size": kit.max_size,
    }


def kit_plan(kit: Kit, replications: int | None = None, seed: int | None = None, trace: bool = False,
             engine: str = "auto") -> Plan:
    """One comparison: the base first, every combination paired with it."""
    from ..experiment import compare_plan

    return replace(compare_plan(list(kit.scenarios), replications, seed, trace), engine=engine)


def kit_extras(kit: Kit) -> ExtraFiles:
    """Writes `workshop.json` (the page's data) into the run directory before it is renamed into place."""
    def write(result: RunResult, directory: Path) -> None:
        from ..results.io import dump_json
        from .kit_data import kit_data

        dump_json(kit_data(result, spec(kit)), directory / KIT_JSON)

    return write


def check_resumable(directory: Path, plan: Plan) -> None:
    """An interrupted kit resumes only under the plan that started it: said in the workshop's terms
    (the same command again), before anything runs."""
    from ..results.paths import partial_path
    from ..results.store import ReplicationStore

    partial = partial_path(directory)
    if not partial.is_dir():
        done = f" ({directory} is already complete)" if (directory / "summary.json").exists() else ""
        raise OutputError(f"nothing to resume: {partial} does not exist{done}")
    stored = {"engine": "auto", **ReplicationStore.open(partial).plan}
    wanted = plan.describe()
    differ = [key for key in wanted if stored.get(key) != wanted[key]]
    if differ:
        raise OutputError(f"{partial} was started with other measures or options (its {', '.join(differ)} differ); "
                          "give the command that started it again with --resume, or use --force to start over")


def read_kit_data(directory: Path) -> dict[str, Any]:
    file = directory / KIT_JSON
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "scenarios" not in data:
            raise ValueError("not a workshop kit's data")
        return data
    except (OSError, ValueError) as exc:
        raise OutputError(f"{file} is missing or damaged ({exc}); build the kit again with --force") from None


def run_workshop(kit: Kit, page: str | Path, directory: str | Path, replications: int | None = None,
                 seed: int | None = None, workers: int = 1, *, executor: Any = None, trace: bool = False,
                 force: bool = False, resume: bool = False, progress: Progress | None = None) -> Path:
    """Run the kit's scenarios into `directory` and write the page to `page`; returns the page's path."""
    from ..experiment import Output, run_plan

    page = Path(page)
    check_kit_path(page, force)
    plan = kit_plan(kit, replications, seed, trace)
    run_plan(plan, workers=workers, executor=executor, progress=progress,
             output=Output(Path(directory), force=force, resume=resume, extra_files=kit_extras(kit)))
    return write_kit(read_kit_data(Path(directory)), page, force=force)
