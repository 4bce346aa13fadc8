"""The checklist shown for a year: its tasks and units, or the latest year's when it has none."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Snapshot, Task, TaskState, Unit


@dataclass(frozen=True)
class Checklist:
    """The tasks and units of the year shown, and the year that was asked for."""

    year: int
    requested: int
    tasks: tuple[Task, ...]
    units: tuple[Unit, ...]

    @property
    def fallback(self) -> bool:
        """True when the asked-for year has no tasks and another year is shown instead."""
        return self.year != self.requested

    def count(self, state: TaskState) -> int:
        """How many (task, unit) cells are in ``state``."""
        return sum(t.status(u.code).state is state for t in self.tasks for u in self.units)

    def done_in(self, task: Task) -> int:
        """How many units finished ``task``."""
        return sum(task.status(u.code).state is TaskState.DONE for u in self.units)


def checklist_for(snap: Snapshot, year: int) -> Checklist:
    """The year's checklist, or the latest year's that has tasks when ``year`` has none; its units
    are the current cluster's (the tasks are the whole store's)."""
    shown = year
    if not snap.tasks_for(year):
        years = sorted({t.year for t in snap.tasks})
        if years:
            shown = years[-1]
    return Checklist(shown, year, tuple(snap.tasks_for(shown)),
                     tuple(snap.units_in(shown, snap.default_cluster())))
