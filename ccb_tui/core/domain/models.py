"""Frozen domain objects. TinyDB documents never leave ``core.store``; these do."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Mapping, Union

if TYPE_CHECKING:
    from .scoring import Commendation, Score, Template

Number = Union[int, float]


@dataclass(frozen=True)
class Msg:
    """A user-facing message in both interface languages."""

    vi: str
    en: str

    def text(self, lang: str = "vi") -> str:
        """The message in ``lang`` ("vi" or "en")."""
        return self.en if lang == "en" else self.vi


class Qualifier(StrEnum):
    """How exactly a figure was stated: "gần 250 triệu", "trên 6,7 tỷ", "hàng trăm"."""

    EXACT = "exact"
    NEARLY = "nearly"  # gần: a little below the stated figure
    OVER = "over"  # trên / hơn: above the stated figure
    ABOUT = "about"  # khoảng: roughly the stated figure
    HUNDREDS = "hundreds"  # hàng trăm: somewhere in 100..999

    def label(self, lang: str = "vi") -> str:
        """The word shown before a figure ("" for exact)."""
        return QUALIFIER_LABELS[self][1 if lang == "en" else 0]


QUALIFIER_LABELS: dict[Qualifier, tuple[str, str]] = {
    Qualifier.EXACT: ("", ""),
    Qualifier.NEARLY: ("gần", "nearly"),
    Qualifier.OVER: ("trên", "over"),
    Qualifier.ABOUT: ("khoảng", "about"),
    Qualifier.HUNDREDS: ("hàng trăm", "hundreds"),
}

# Accepted spellings, already folded (accent-free, lower case).
QUALIFIER_ALIASES: dict[str, Qualifier] = {
    "exact": Qualifier.EXACT, "chinh xac": Qualifier.EXACT, "": Qualifier.EXACT,
    "nearly": Qualifier.NEARLY, "gan": Qualifier.NEARLY, "almost": Qualifier.NEARLY,
    "over": Qualifier.OVER, "tren": Qualifier.OVER, "hon": Qualifier.OVER, "more than": Qualifier.OVER,
    "about": Qualifier.ABOUT, "khoang": Qualifier.ABOUT, "around": Qualifier.ABOUT,
    "hundreds": Qualifier.HUNDREDS, "hang tram": Qualifier.HUNDREDS,
}


class Status(StrEnum):
    """Whether a unit reported a figure. Not reported is not zero."""

    REPORTED = "reported"
    NOT_REPORTED = "not_reported"


class TaskState(StrEnum):
    """Progress of one unit on one task of the year's checklist."""

    TODO = "todo"
    DOING = "doing"
    DONE = "done"

    def label(self, lang: str = "vi") -> str:
        """The state's words."""
        return TASK_STATE_LABELS[self][1 if lang == "en" else 0]

    @property
    def glyph(self) -> str:
        """A symbol, so the state is never shown by colour alone."""
        return {"todo": "○", "doing": "◐", "done": "●"}[self.value]

    def next(self) -> "TaskState":
        """The state one key press moves to (todo → doing → done → todo)."""
        order = list(TaskState)
        return order[(order.index(self) + 1) % len(order)]


TASK_STATE_LABELS: dict[TaskState, tuple[str, str]] = {
    TaskState.TODO: ("chưa thực hiện", "not started"),
    TaskState.DOING: ("đang thực hiện", "in progress"),
    TaskState.DONE: ("hoàn thành", "done"),
}

TASK_STATE_ALIASES: dict[str, TaskState] = {
    "todo": TaskState.TODO, "chua": TaskState.TODO, "chua thuc hien": TaskState.TODO,
    "not started": TaskState.TODO,
    "doing": TaskState.DOING, "dang": TaskState.DOING, "dang thuc hien": TaskState.DOING,
    "in progress": TaskState.DOING,
    "done": TaskState.DONE, "xong": TaskState.DONE, "hoan thanh": TaskState.DONE,
}


@dataclass(frozen=True)
class Reading:
    """A unit's figure for one indicator and year."""

    value: Number | None
    qualifier: Qualifier = Qualifier.EXACT
    status: Status = Status.REPORTED
    sample: bool = False
    changed_by: str | None = None
    changed_at: str | None = None

    @property
    def reported(self) -> bool:
        """True when the figure counts in sums."""
        return self.status is Status.REPORTED and self.value is not None

    def same_as(self, other: "Reading | None") -> bool:
        """Equal in what the figure says (value, qualifier, status), ignoring who/when."""
        other = other if other is not None else NOT_REPORTED
        if not self.reported and not other.reported:
            return True
        return (self.value, self.qualifier, self.status) == (other.value, other.qualifier, other.status)


NOT_REPORTED = Reading(None, Qualifier.EXACT, Status.NOT_REPORTED)


@dataclass(frozen=True)
class Target:
    """A unit's plan (kế hoạch, chỉ tiêu) for one indicator and year."""

    value: Number
    sample: bool = False
    changed_by: str | None = None
    changed_at: str | None = None


@dataclass(frozen=True)
class UnitPeriod:
    """A unit's name and cluster from a given year on."""

    from_year: int
    name: str
    cluster: str


KIND_PREFIXES = ("Thị trấn ", "Xã ", "Phường ", "TT ")


@dataclass(frozen=True)
class Origin:
    """Where part of a reorganised unit came from: the unit ``unit`` and the share of its
    figures that went into it (1 for a merge; the stated share for a split, e.g. 0.6)."""

    unit: str
    share: Decimal = Decimal(1)


@dataclass(frozen=True)
class Unit:
    """A member unit (xã, thị trấn) whose name and cluster are keyed by year."""

    code: str
    kind: str
    periods: tuple[UnitPeriod, ...]
    retired_from: int | None = None
    formed_from: tuple[Origin, ...] = ()
    """The units this one was formed from (``unit merge`` / ``unit split``) in :attr:`formed_in`;
    empty for a unit that was not formed by a reorganisation."""

    @property
    def formed_in(self) -> int | None:
        """The year the unit was formed by a merge or split (its first year), else None."""
        return self.periods[0].from_year if self.formed_from else None

    def period(self, year: int | None = None) -> UnitPeriod:
        """The period in force in ``year`` (the latest when ``year`` is None)."""
        if year is None:
            return self.periods[-1]
        current = self.periods[0]
        for p in self.periods:
            if p.from_year <= year:
                current = p
        return current

    def name(self, year: int | None = None) -> str:
        """The unit's name in ``year``."""
        return self.period(year).name

    def short_name(self, year: int | None = None) -> str:
        """The name without its kind ("Xã ", "Thị trấn "), for tight tables and charts."""
        name = self.name(year)
        for prefix in KIND_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                return name[len(prefix):]
        return name

    def cluster(self, year: int | None = None) -> str:
        """The cluster the unit belongs to in ``year``."""
        return self.period(year).cluster

    def active(self, year: int) -> bool:
        """Whether the unit exists in ``year``."""
        return self.periods[0].from_year <= year and (
            self.retired_from is None or year < self.retired_from
        )


@dataclass(frozen=True)
class Cluster:
    """A competition cluster (cụm thi đua)."""

    code: str
    name_vi: str
    name_en: str
    parent_vi: str = ""
    parent_en: str = ""

    def name(self, lang: str = "vi") -> str:
        """The cluster's name."""
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class ReportedTotal:
    """A cluster total as the source states it, for reconciliation."""

    indicator: str
    value: Number | None
    qualifier: Qualifier
    quote: str
    plan_met: bool | None = None


@dataclass(frozen=True)
class TaskStatus:
    """One unit's state on one task."""

    state: TaskState = TaskState.TODO
    note: str = ""
    changed_by: str | None = None
    changed_at: str | None = None


@dataclass(frozen=True)
class Task:
    """A task of the year's checklist (nhiệm vụ trọng tâm)."""

    id: int
    year: int
    title: str
    note: str = ""
    statuses: Mapping[str, TaskStatus] = field(default_factory=dict)

    def status(self, unit: str) -> TaskStatus:
        """The unit's state (not started when never set)."""
        return self.statuses.get(unit, TaskStatus())


DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Settings:
    """Store-wide settings, shared by every session.

    ``current_year`` is the year every command and the dashboard open on (năm hiện hành); None in
    a store that never set one, which then opens on its latest year with figures. ``open_years``
    are years opened with ``year open`` (writable even when nothing is in them yet).
    The signer fields feed the printable report's header and signature block.
    """

    current_year: int | None = None
    open_years: tuple[int, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    org_parent: str = ""
    org_name: str = ""
    place: str = ""
    signer_title: str = ""
    signer_name: str = ""
    current_cluster: str | None = None
    """The cluster every command and the dashboard show (cụm hiện hành); None: the first one."""


SETTING_LABELS: dict[str, tuple[str, str]] = {
    "current_year": ("năm hiện hành", "current year"),
    "timezone": ("múi giờ", "time zone"),
    "org_parent": ("cơ quan cấp trên", "parent body"),
    "org_name": ("cơ quan ban hành", "issuing body"),
    "place": ("địa danh", "place"),
    "signer_title": ("chức vụ người ký", "signer's title"),
    "signer_name": ("người ký", "signer"),
    "current_cluster": ("cụm hiện hành", "current cluster"),
}
SETTING_KEYS = tuple(SETTING_LABELS)
"""Settings a person may set (``open_years`` changes only through ``year open``)."""


@dataclass(frozen=True)
class Snapshot:
    """Everything in the store at one revision. Read-only."""

    revision: int
    clusters: Mapping[str, Cluster]
    units: tuple[Unit, ...]
    values: Mapping[tuple[str, str, int], Reading]
    targets: Mapping[tuple[str, str, int], Target]
    reported: Mapping[tuple[str, int], Mapping[str, ReportedTotal]]
    tasks: tuple[Task, ...]
    cluster_targets: Mapping[tuple[str, str, int], Target] = field(default_factory=dict)
    """A cluster's own plan (kế hoạch trên giao), keyed by (cluster, indicator, year)."""
    settings: Settings = field(default_factory=Settings)
    templates: Mapping[int, "Template"] = field(default_factory=dict)
    """The thi đua points table of each year (see ``scoring``)."""
    scores: Mapping[tuple[str, str, int, str], "Score"] = field(default_factory=dict)
    """Points keyed by (unit, line, year, stage)."""
    commendations: tuple["Commendation", ...] = ()
    pacts: Mapping[int, str] = field(default_factory=dict)
    """The day each year's emulation pact (giao ước thi đua) was signed, ISO "2020-01-15"."""

    def unit(self, code: str) -> Unit | None:
        """The unit with this code, or None."""
        for u in self.units:
            if u.code == code:
                return u
        return None

    def successors(self, code: str) -> list[Unit]:
        """The units formed (by a merge or split) from the unit ``code``."""
        return [u for u in self.units if any(o.unit == code for o in u.formed_from)]

    def units_in(self, year: int, cluster: str | None = None) -> list[Unit]:
        """Units active in ``year`` (and in ``cluster`` when given), in stored order."""
        return [u for u in self.units
                if u.active(year) and (cluster is None or u.cluster(year) == cluster)]

    def reading(self, unit: str, indicator: str, year: int) -> Reading:
        """The unit's figure; a not-reported reading when there is none."""
        return self.values.get((unit, indicator, year), NOT_REPORTED)

    def target(self, unit: str, indicator: str, year: int) -> Target | None:
        """The unit's target, or None."""
        return self.targets.get((unit, indicator, year))

    def cluster_target(self, cluster: str, indicator: str, year: int) -> Target | None:
        """The cluster's own target, or None."""
        return self.cluster_targets.get((cluster, indicator, year))

    def tasks_for(self, year: int) -> list[Task]:
        """The year's checklist, in order of creation."""
        return [t for t in self.tasks if t.year == year]

    def task(self, task_id: int) -> Task | None:
        """The task with this id, or None."""
        for t in self.tasks:
            if t.id == task_id:
                return t
        return None

    def years(self) -> list[int]:
        """Every year the store has figures, targets, totals or tasks for."""
        ys = {k[2] for k in self.values} | {k[2] for k in self.targets}
        ys |= {k[1] for k in self.reported} | {t.year for t in self.tasks}
        ys |= {k[2] for k in self.cluster_targets} | set(self.settings.open_years)
        if self.settings.current_year is not None:
            ys.add(self.settings.current_year)
        return sorted(ys)

    def current_year(self) -> int | None:
        """The year commands and the dashboard open on: the stored current year (năm hiện hành),
        else the latest year with reported figures; None for an empty store."""
        if self.settings.current_year is not None:
            return self.settings.current_year
        return self.latest_year("values")

    def writable_until(self) -> int | None:
        """The latest year an edit may write to: the current year + 1, or a later opened year."""
        current = self.current_year()
        if current is None:
            return None
        return max([current + 1, *self.settings.open_years])

    def stray_years(self) -> list[int]:
        """Years holding data beyond what may be written (a mistyped --year in an older version)."""
        limit = self.writable_until()
        return [] if limit is None else [y for y in self.years() if y > limit]

    def latest_year(self, kind: str = "values") -> int | None:
        """The latest year with reported figures ("values"), targets ("targets") or tasks
        ("tasks"); else the latest year the store knows; None for an empty store."""
        if kind == "values":
            years = [y for (_, _, y), r in self.values.items() if r.reported]
        elif kind == "targets":
            years = [y for (_, _, y) in self.targets]
        else:
            years = [t.year for t in self.tasks]
        years = years or self.years()
        return max(years) if years else None

    def default_cluster(self) -> str:
        """The current cluster's code (the ``current_cluster`` setting), else the first cluster's."""
        chosen = self.settings.current_cluster
        if chosen is not None and chosen in self.clusters:
            return chosen
        return next(iter(self.clusters))

    def with_cluster(self, code: str | None) -> "Snapshot":
        """This snapshot shown for cluster ``code``: every view that follows the current cluster
        (summaries, rankings, reports, exports, the checklist's units) shows that one instead.
        ``None`` or the current cluster gives back this snapshot itself."""
        if code is None or code == self.default_cluster():
            return self
        from dataclasses import replace
        return replace(self, settings=replace(self.settings, current_cluster=code))

    def has_sample(self, year: int, units: "set[str] | None" = None, *, figures: bool = True,
                   targets: bool = True) -> bool:
        """Whether any figure (``figures``) or target (``targets``) shown for ``year`` (of ``units``
        when given) is still sample data. A figure or target someone entered is not sample."""
        return (figures and any(r.sample for (u, _, y), r in self.values.items()
                                if y == year and (units is None or u in units))) \
            or (targets and any(t.sample for (u, _, y), t in self.targets.items()
                                if y == year and (units is None or u in units)))
