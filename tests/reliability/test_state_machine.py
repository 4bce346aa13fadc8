"""Two Store instances on one file, driven by Hypothesis against a model.

Each instance edits from its own last view of the store (what it read at its last refresh), as a
session of the dashboard does. An edit must be refused with ConflictError exactly when the model
says the value changed since that instance's last read; otherwise it lands, and the revision goes
up by exactly one per write (a figure set to what it already says, once edited, is not written).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ccb_tui.core.domain.errors import ConflictError
from ccb_tui.core.domain.models import TaskState
from ccb_tui.core.store.store import Store
from relhelp import YEAR, revision

pytestmark = pytest.mark.timeout(180)

VALUE_KEYS = [("krong_no", "workdays"), ("nam_ka", "houses_built")]
TARGET_KEY = ("lien_son", "new_members")  # a target of 2020
TASK_KEY = (1, "ea_rbin")
INSTANCES = ("a", "b")

instances = st.sampled_from(INSTANCES)
figures = st.one_of(st.none(), st.integers(0, 5))  # None: "not reported"; a small range makes repeats likely
targets = st.one_of(st.none(), st.integers(0, 5))  # None: remove the target


class TwoSessions(RuleBasedStateMachine):
    """The model: the values of a few keys and the revision; per instance, the model as it last read it."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ccb-sm-"))
        self.db = self.folder / "ccb.json"
        self.stores = {name: Store(self.db, user=name, lock_timeout=5) for name in INSTANCES}

    @initialize()
    def start(self) -> None:
        self.model = self._from_store(self.stores["a"])
        self.rev = revision(self.db)
        self.edited: set[tuple[str, str]] = set()  # figures no longer flagged as sample data
        self.views = {name: self._copy(self.model) for name in INSTANCES}

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def _copy(model: dict[str, Any]) -> dict[str, Any]:
        return {"v": dict(model["v"]), "t": model["t"], "s": model["s"]}

    @staticmethod
    def _from_store(store: Store) -> dict[str, Any]:
        snap = store.snapshot()
        target = snap.target(*TARGET_KEY, YEAR)
        return {
            "v": {k: (r.value if r.reported else None) for k in VALUE_KEYS for r in [snap.reading(*k, YEAR)]},
            "t": target.value if target is not None else None,
            "s": snap.task(TASK_KEY[0]).status(TASK_KEY[1]).state,
        }

    def _refused(self, stale: bool) -> None:
        event("conflict")
        assert stale, "refused although nothing changed since this instance's last read"
        assert revision(self.db) == self.rev, "a refused edit changed the file"

    def _landed(self, stale: bool, change_rev: int, wrote: bool = True) -> None:
        assert not stale, "a stale edit was accepted: it overwrote a change this instance had not seen"
        event("write" if wrote else "unchanged value, not written")
        self.rev += wrote
        assert change_rev == self.rev

    @rule(name=instances)
    def refresh(self, name: str) -> None:
        assert self._from_store(self.stores[name]) == self.model
        self.views[name] = self._copy(self.model)

    @rule(name=instances, key=st.sampled_from(VALUE_KEYS), new=figures)
    def set_value(self, name: str, key: tuple[str, str], new: int | None) -> None:
        base = self.views[name]["v"][key]
        stale = self.model["v"][key] != base
        try:
            change = self.stores[name].set_value(*key, YEAR, new, reported=new is not None, expect=base)
        except ConflictError:
            self._refused(stale)
            return
        self._landed(stale, change.revision, wrote=not (new == self.model["v"][key] and key in self.edited))
        self.model["v"][key] = new
        self.edited.add(key)

    @rule(name=instances, new=targets)
    def set_target(self, name: str, new: int | None) -> None:
        base = self.views[name]["t"]
        stale = self.model["t"] != base
        try:
            change = self.stores[name].set_target(*TARGET_KEY, YEAR, new, expect=base)
        except ConflictError:
            self._refused(stale)
            return
        self._landed(stale, change.revision)
        self.model["t"] = new

    @rule(name=instances, new=st.sampled_from(list(TaskState)))
    def set_task_status(self, name: str, new: TaskState) -> None:
        base = self.views[name]["s"]
        stale = self.model["s"] != base
        try:
            change = self.stores[name].set_task_status(*TASK_KEY, new, expect=base)
        except ConflictError:
            self._refused(stale)
            return
        self._landed(stale, change.revision)
        self.model["s"] = new

    @invariant()
    def both_instances_see_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        for name in INSTANCES:
            store = self.stores[name]
            assert self._from_store(store) == self.model, name
            assert store.revision() == self.rev, name


TestTwoSessions = TwoSessions.TestCase
TestTwoSessions.settings = settings(max_examples=60, stateful_step_count=25, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
