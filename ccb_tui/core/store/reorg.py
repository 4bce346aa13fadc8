"""Reorganising units: merging several into a new one, splitting one into several.

A mixin of :class:`~.store.Store` (it uses the store's transaction, audit and check helpers). Each
reorganisation is one locked read-modify-write: every check runs inside the lock, bad input is
refused with :class:`InvalidValue` before anything is written, and the new unit(s) and the
predecessors' retirement are written together under ONE audit entry, which ``Store.undo`` reverts
in one step (``undo._reorganise``).

The new unit records where it came from (``Unit.formed_from``); its first year is the year of the
reorganisation. Earlier years keep their own units and figures; comparisons and histories carry
them forward (``domain.compare``).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Sequence

from ..domain import reorg, text
from ..domain.errors import InvalidValue
from ..domain.models import Msg, Snapshot, Unit
from .changes import Change
from .names import name_keys
from .undo import audited

if TYPE_CHECKING:
    from tinydb import TinyDB

KINDS = ("xa", "thi_tran", "phuong", "khac")


def _new_code_or_fail(raw: str) -> str:
    """A new unit's code as ``unit add`` makes it (accents folded, spaces as _), checked."""
    code = text.fold(str(raw)).replace(" ", "_")
    if not code or not code.replace("_", "").isalnum() or len(code) > 100:
        raise InvalidValue(Msg(f"Mã đơn vị '{text.sanitize(str(raw))[:40]}' không hợp lệ: chỉ gồm chữ không dấu, "
                               f"số và dấu gạch dưới, ví dụ: krong_nam.",
                               f"The unit code '{text.sanitize(str(raw))[:40]}' is not valid: only unaccented "
                               f"letters, digits and _, e.g. krong_nam."))
    return code


def _name_or_fail(raw: str) -> str:
    name = text.sanitize(str(raw))
    if not name:
        raise InvalidValue(Msg("Tên đơn vị mới không được để trống.", "A new unit needs a name."))
    if len(name) > 200:
        raise InvalidValue(Msg("Tên đơn vị dài quá 200 ký tự.", "A unit name is at most 200 characters."))
    return name


def _unit_doc(code: str, name: str, kind: str, year: int, cluster: str,
              origins: Sequence[tuple[str, Decimal]]) -> dict[str, Any]:
    return {"code": code, "kind": kind, "retired_from": None,
            "periods": [{"from": int(year), "name": name, "cluster": cluster}],
            "formed_from": [{"unit": c, "share": str(share)} for c, share in origins]}


class ReorgEdits:
    """The store's merge and split of units (mixed into :class:`~.store.Store`)."""

    # --- checks (inside the transaction) ----------------------------------------------------

    def _predecessor_or_fail(self, snap: Snapshot, code: str, year: int, verb: tuple[str, str]) -> Unit:
        """A unit that may be merged or split from ``year``: known, in the cluster in ``year - 1``,
        not retired (or retired from exactly ``year``, after ``unit retire --drop-later``), and
        with no figures or targets of ``year`` or later."""
        u: Unit = self._unit_or_fail(snap, code)  # type: ignore[attr-defined]
        first = u.periods[0].from_year
        vi, en = verb
        if year <= first:
            raise InvalidValue(Msg(
                f"{u.name(first)} chỉ có từ năm {first}; năm {vi} phải sau năm đó (từ {first + 1}).",
                f"{u.name(first)} exists only from {first}; the year to {en} must be after it ({first + 1} or later)."))
        if u.retired_from is not None and u.retired_from != year:
            raise InvalidValue(Msg(
                f"{u.name(u.retired_from - 1)} đã ngừng hoạt động từ năm {u.retired_from}; không {vi} được từ năm {year}.",
                f"{u.name(u.retired_from - 1)} was retired from {u.retired_from}; it cannot be {en}d from {year}."))
        successors = snap.successors(u.code)
        if successors:  # already merged or split: its figures are those units' past already
            names = ", ".join(f"{x.name(x.formed_in)} ({x.code})" for x in successors)
            raise InvalidValue(Msg(
                f"{u.name(year - 1)} đã được gộp/tách thành {names} từ năm {successors[0].formed_in}; không {vi} "
                f"lại được (số liệu của nó sẽ bị tính hai lần). Muốn làm lại thì hoàn tác lần trước: ccb-tui undo.",
                f"{u.name(year - 1)} was already merged/split into {names} from {successors[0].formed_in}; it cannot "
                f"be {en}d again (its figures would count twice). To redo it, undo the earlier one: ccb-tui undo."))
        later = self._later_data(snap, u, year)  # type: ignore[attr-defined]
        if later:
            more_vi = f" (và {len(later) - 1} mục khác)" if len(later) > 1 else ""
            more_en = f" (and {len(later) - 1} more)" if len(later) > 1 else ""
            raise InvalidValue(Msg(
                f"{u.name(year)} đã có số liệu/chỉ tiêu từ năm {year}: {later[0].vi}{more_vi}. Sau khi {vi}, đơn vị "
                f"này không còn từ năm {year}. Xóa chúng trước (có ghi nhật ký): ccb-tui unit retire {u.code} "
                f"--year {year} --drop-later, rồi {vi} lại; hoặc chọn năm {vi} muộn hơn.",
                f"{u.name(year)} has figures/targets from {year}: {later[0].en}{more_en}. Once {en}d, it no longer "
                f"exists from {year}. Remove them first (audited): ccb-tui unit retire {u.code} --year {year} "
                f"--drop-later, then {en} again; or choose a later year."))
        self._no_later_marks_or_fail(snap, u, year, verb)
        return u

    @staticmethod
    def _no_later_marks_or_fail(snap: Snapshot, u: Unit, year: int, verb: tuple[str, str]) -> None:
        """Refuse a unit with task states or thi đua scores of ``year`` or later: they would belong
        to a unit that no longer exists then."""
        vi, en = verb
        task = next((t for t in snap.tasks if t.year >= year and u.code in t.statuses
                     and (t.status(u.code).state.value != "todo" or t.status(u.code).note)), None)
        if task is not None:
            raise InvalidValue(Msg(
                f"{u.name(year)} đã có trạng thái ở nhiệm vụ {task.id} năm {task.year}; sau khi {vi}, đơn vị này không "
                f"còn từ năm {year}. Đặt lại trước: ccb-tui task set {task.id} {u.code} chưa --note \"\", hoặc chọn năm muộn hơn.",
                f"{u.name(year)} has a state on task {task.id} of {task.year}; once {en}d, it no longer exists from "
                f"{year}. Reset it first: ccb-tui task set {task.id} {u.code} todo --note \"\", or choose a later year."))
        score = next((sc for (code, _line, y, _stage), sc in sorted(snap.scores.items()) if code == u.code and y >= year),
                     None)
        if score is not None:
            raise InvalidValue(Msg(
                f"{u.name(year)} đã có điểm thi đua năm {score.year} (dòng {score.line}); sau khi {vi}, đơn vị này không "
                f"còn từ năm {year}. Xóa điểm trước: ccb-tui score set {u.code} {score.line} none --stage {score.stage} "
                f"--year {score.year}, hoặc chọn năm muộn hơn.",
                f"{u.name(year)} has thi đua points of {score.year} (line {score.line}); once {en}d, it no longer exists "
                f"from {year}. Clear them first: ccb-tui score set {u.code} {score.line} none --stage {score.stage} "
                f"--year {score.year}, or choose a later year."))

    def _free_code_or_fail(self, snap: Snapshot, code: str, sources: Sequence[str]) -> None:
        if code in sources:
            raise InvalidValue(Msg(f"Mã mới '{code}' là của chính đơn vị đang gộp/tách; đặt một mã mới.",
                                   f"The new code '{code}' is that of a unit being merged/split; choose a new code."))
        if snap.unit(code) is not None:
            raise InvalidValue(Msg(f"Đã có đơn vị mã '{code}'; đặt một mã chưa dùng. Xem: ccb-tui unit list",
                                   f"A unit with code '{code}' exists; choose an unused code. See: ccb-tui unit list"))

    def _cluster_or_fail(self, snap: Snapshot, units: Sequence[Unit], year: int, cluster: str | None) -> str:
        """The new unit's cluster: ``cluster`` when given, else its predecessors' in ``year - 1``."""
        if cluster is not None:
            if cluster not in snap.clusters:
                known = ", ".join(snap.clusters)
                raise InvalidValue(Msg(f"Không có cụm '{cluster}'. Các cụm: {known}",
                                       f"There is no cluster '{cluster}'. Clusters: {known}"))
            return cluster
        theirs = {u.cluster(year - 1) for u in units}
        if len(theirs) > 1:
            listed = ", ".join(f"{u.short_name(year - 1)}: {u.cluster(year - 1)}" for u in units)
            raise InvalidValue(Msg(f"Các đơn vị thuộc các cụm khác nhau năm {year - 1} ({listed}); "
                                   f"chọn cụm cho đơn vị mới bằng --cluster MÃ_CỤM.",
                                   f"The units are in different clusters in {year - 1} ({listed}); "
                                   f"choose the new unit's cluster with --cluster CODE."))
        return theirs.pop()

    def _names_free_or_fail(self, snap: Snapshot, retiring: Sequence[str], year: int,
                            new: Sequence[tuple[str, str]]) -> None:
        """Refuse a new name another unit uses from ``year`` on (the units being retired no longer
        count then) or two new units with one name."""
        after = dataclasses.replace(snap, units=tuple(
            dataclasses.replace(u, retired_from=year) if u.code in retiring else u for u in snap.units))
        seen: dict[frozenset[str], str] = {}
        for code, name in new:
            keys = frozenset(name_keys(name))
            for other_keys, other in seen.items():
                if keys & other_keys:
                    raise InvalidValue(Msg(f"Hai đơn vị mới cùng tên “{name}” (“{other}”); đặt tên khác nhau.",
                                           f"Two new units have the same name “{name}” (“{other}”); name them apart."))
            seen[keys] = name
            self._unique_name_or_fail(after, code, [(name, int(year), None)])  # type: ignore[attr-defined]

    def _retire_for_reorg(self, db: "TinyDB", units: Sequence[Unit], year: int) -> tuple[dict[str, Any], dict[str, Any]]:
        old = {u.code: u.retired_from for u in units}
        for u in units:
            self._update_unit(db, u.code, {"retired_from": int(year)})  # type: ignore[attr-defined]
        return old, {u.code: int(year) for u in units}

    # --- merge ------------------------------------------------------------------------------

    @audited
    def merge_units(self, codes: Sequence[str], *, into: str, name: str, year: int, kind: str | None = None,
                    cluster: str | None = None) -> Change:
        """Merge the units ``codes`` into a new unit ``into`` named ``name`` from ``year`` on.

        The new unit exists from ``year`` in its predecessors' cluster of ``year - 1`` (``cluster``
        when they differ) and the predecessors are retired from ``year``; earlier years keep
        their own units and figures. ``kind`` defaults to the predecessors' kind when they share
        one. One transaction and one audit entry (``merge_units``), undone in one step.

        Refused (InvalidValue, nothing written): fewer than two units, a unit named twice, an
        unknown unit, a new code that is one of them or already used, a year not open, a year
        not after each unit's first, a retired unit, a unit with figures or targets of ``year`` or
        later, a name another unit uses, units of different clusters without ``cluster``.
        """
        codes = list(codes)
        if len(codes) < 2:
            raise InvalidValue(Msg("Cần ít nhất hai đơn vị để gộp; để đổi tên một đơn vị dùng: ccb-tui unit rename",
                                   "Merging needs at least two units; to rename one unit use: ccb-tui unit rename"))
        dup = next((c for i, c in enumerate(codes) if c in codes[:i]), None)
        if dup is not None:
            raise InvalidValue(Msg(f"Đơn vị '{dup}' được nêu hai lần; mỗi đơn vị chỉ gộp một lần.",
                                   f"Unit '{dup}' is named twice; name each unit once."))
        into = _new_code_or_fail(into)
        name = _name_or_fail(name)
        if kind is not None and kind not in KINDS:
            raise InvalidValue(Msg(f"Loại đơn vị '{kind}' không hợp lệ (dùng: {', '.join(KINDS)}).",
                                   f"The kind '{kind}' is not valid (use: {', '.join(KINDS)})."))
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db)  # type: ignore[attr-defined]
            self._free_code_or_fail(snap, into, codes)
            units = [self._predecessor_or_fail(snap, c, year, ("gộp", "merge")) for c in codes]
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            home = self._cluster_or_fail(snap, units, year, cluster)
            self._names_free_or_fail(snap, codes, year, [(into, name)])
            if kind is None:
                kinds = {u.kind for u in units}
                kind = kinds.pop() if len(kinds) == 1 and next(iter(kinds)) else "xa"
            doc = _unit_doc(into, name, kind, year, home, [(c, Decimal(1)) for c in codes])
            self._table(db, "units").insert(dict(doc))  # type: ignore[attr-defined]
            old, new = self._retire_for_reorg(db, units, year)
            self._log(db, "merge_units", {"unit": into, "year": int(year), "units": list(codes)},  # type: ignore[attr-defined]
                      {"retired": old}, {"units": [doc], "retired": new})
            rev = snap.revision + 1
        olds_vi = " + ".join(u.name(year - 1) for u in units)
        return Change(f"Gộp đơn vị từ năm {year}", olds_vi, f"{name} ({into})", rev,
                      (f"Units merged from {year}", olds_vi, f"{name} ({into})"))

    # --- split ------------------------------------------------------------------------------

    @audited
    def split_unit(self, code: str, *, into: Sequence[tuple[str, str, Any]], year: int,
                   cluster: str | None = None) -> Change:
        """Split the unit ``code`` into new units from ``year`` on.

        ``into`` is ``(code, name, share)`` per new unit; the share ("0,6", "60%" or a Decimal) of
        the old unit's figures that the new unit stands for in earlier years, the same for every
        indicator. Shares must add up to exactly 1 (Decimal arithmetic). The old unit is retired
        from ``year``; the new units are in its cluster of ``year - 1`` (or ``cluster``) and of its
        kind. One transaction, one audit entry (``split_unit``), undone in one step.

        Refused (InvalidValue, nothing written) as :meth:`merge_units`, and for fewer than two new
        units, two new units with one code or one name, and shares not adding up to 100%.
        """
        parts: list[tuple[str, str, Decimal]] = []
        for raw_code, raw_name, raw_share in into:
            share = raw_share if isinstance(raw_share, Decimal) else reorg.parse_share(str(raw_share))
            if not 0 < share <= 1:
                raise InvalidValue(Msg(f"Tỷ lệ {share} phải lớn hơn 0 và không quá 100%.",
                                       f"The share {share} must be above 0 and at most 100%."))
            parts.append((_new_code_or_fail(raw_code), _name_or_fail(raw_name), share))
        if len(parts) < 2:
            raise InvalidValue(Msg("Cần ít nhất hai đơn vị mới để tách; để đổi tên dùng: ccb-tui unit rename",
                                   "A split needs at least two new units; to rename use: ccb-tui unit rename"))
        new_codes = [c for c, _, _ in parts]
        dup = next((c for i, c in enumerate(new_codes) if c in new_codes[:i]), None)
        if dup is not None:
            raise InvalidValue(Msg(f"Mã mới '{dup}' được dùng hai lần; mỗi đơn vị mới một mã.",
                                   f"The new code '{dup}' is used twice; give each new unit its own code."))
        reorg.check_shares(share for _, _, share in parts)
        with self._transaction() as db:  # type: ignore[attr-defined]
            snap: Snapshot = self._snap_in(db)  # type: ignore[attr-defined]
            for c in new_codes:
                self._free_code_or_fail(snap, c, [code])
            u = self._predecessor_or_fail(snap, code, year, ("tách", "split"))
            self._year_open_or_fail(snap, year)  # type: ignore[attr-defined]
            home = self._cluster_or_fail(snap, [u], year, cluster)
            self._names_free_or_fail(snap, [code], year, [(c, n) for c, n, _ in parts])
            docs = [_unit_doc(c, n, u.kind or "xa", year, home, [(code, share)]) for c, n, share in parts]
            for doc in docs:
                self._table(db, "units").insert(dict(doc))  # type: ignore[attr-defined]
            old, new = self._retire_for_reorg(db, [u], year)
            self._log(db, "split_unit", {"unit": code, "year": int(year), "into": new_codes},  # type: ignore[attr-defined]
                      {"retired": old}, {"units": docs, "retired": new})
            rev = snap.revision + 1
        shown_vi = " + ".join(f"{n} ({c}) {reorg.percent_text(s)}" for c, n, s in parts)
        shown_en = " + ".join(f"{n} ({c}) {reorg.percent_text(s, 'en')}" for c, n, s in parts)
        return Change(f"Tách đơn vị từ năm {year}", u.name(year - 1), shown_vi, rev,
                      (f"Unit split from {year}", u.name(year - 1), shown_en))

