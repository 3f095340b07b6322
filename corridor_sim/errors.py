"""The project's own error types: bad input is reported, never a traceback."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (YAML path), what was found, what was expected."""

    path: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    loc: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        path = f"{self.path}: " if self.path else ""
        return f"{where}{path}{self.message}"


class CorridorSimError(Exception):
    """Base of every error the project raises on purpose."""


class ScenarioError(CorridorSimError):
    """A scenario file (or override) is invalid; carries one Problem per thing wrong."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SimulationError(CorridorSimError):
    """The model could not finish (e.g. trucks stuck past the drain cap)."""


class OutputError(CorridorSimError):
    """A results directory cannot be written or read as asked."""
