"""A 90-point sample thi đua for tests: template, three stages of scores, commendations.

Until the store reads the templates/scores/commendations tables, tests put these into a snapshot
with ``dataclasses.replace`` (``with_thidua``), or patch ``Store.snapshot`` (``patch_store``).

The final stage has a tie (Krông Nô and Nam Ka, 84,75), a 2-decimal total, an incomplete unit
(Ea R'Bin: 3/12 lines not scored) and a peer disagreement (Nam Ka line 1.2: self 10, peer 8).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

from ccb_tui.core.domain.scoring import Band, Commendation, Line, Score, Template

YEAR = 2020
MAXES = (10, 10, 5, 5, 10, 10, 5, 5, 10, 5, 10, 5)
CODES = ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4")
TITLES = ("Xây dựng tổ chức Hội vững mạnh", "Phát triển hội viên", "Sinh hoạt chi hội đều đặn",
          "Công tác kiểm tra", "Giúp nhau phát triển kinh tế", "Quỹ hội", "Nhà tình nghĩa",
          "Ngày công lao động", "Tuyên truyền, giáo dục", "An ninh trật tự", "Vay vốn, dư nợ", "Báo cáo đúng hạn")
FINAL = {
    "krong_no": (10, 9, 5, 5, 9, 10, 5, "4.5", 9, 4, 10, "4.25"),
    "nam_ka": (9, 10, 5, 5, 10, 9, "4.5", 5, 9, "4.25", 10, 4),
    "lien_son": (8, 8, 4, 4, 8, 8, 4, 4, 8, 4, 8, "4.5"),
    "ea_rbin": (7, 7, 4, 4, 7, 7, 3, 3, 7, None, None, None),
}
EXPECTED_FINAL = {"krong_no": (1, D("84.75"), "Xuất sắc"), "nam_ka": (1, D("84.75"), "Xuất sắc"),
                  "lien_son": (3, D("72.5"), "Tiên tiến"), "ea_rbin": (4, D("49"), "Yếu")}


def template(year: int = YEAR) -> Template:
    """The 90-point template: 12 lines, four bands."""
    lines = tuple(Line(c, c.split(".")[0], t, D(m)) for c, t, m in zip(CODES, TITLES, MAXES))
    bands = (Band("Xuất sắc", D(81), D(90)), Band("Tiên tiến", D(71), D(80)),
             Band("Vững mạnh", D(61), D(70)), Band("Yếu", D(0), D(60)))
    return Template(year, lines, bands)


def scores(year: int = YEAR) -> dict[tuple[str, str, int, str], Score]:
    """Self, peer and final scores of the four units."""
    out = {}
    for unit, finals in FINAL.items():
        for code, mx, final in zip(CODES, MAXES, finals):
            if final is None:
                self_p = peer = D(mx) - 1
            else:
                self_p = min(D(mx), D(str(final)) + D("0.5"))
                peer = D(str(final))
            if (unit, code) == ("nam_ka", "1.2"):
                self_p, peer = D(10), D(8)  # the peer check disagrees with the unit by 2 points
            out[(unit, code, year, "self")] = Score(unit, code, year, "self", self_p, "", "")
            out[(unit, code, year, "peer")] = Score(unit, code, year, "peer", peer, "", "")
            if final is not None:
                out[(unit, code, year, "final")] = Score(unit, code, year, "final", D(str(final)),
                                                         "", "biên bản số 3")
    return out


def commendations(year: int = YEAR) -> tuple[Commendation, ...]:
    """A collective award and an individual proposal."""
    return (Commendation(1, year, "krong_no", "", "Bằng khen", "Trung ương Hội CCB Việt Nam",
                         "Dẫn đầu cụm thi đua", "approved"),
            Commendation(2, year, "nam_ka", "Nguyễn Văn An", "Giấy khen", "Huyện Hội",
                         "Vận động xây nhà tình nghĩa", "proposed"))


def with_thidua(snap, year: int = YEAR, *, with_scores: bool = True, with_commendations: bool = True):  # noqa: ANN001, ANN201
    """``snap`` with the sample template (and scores, commendations) for ``year``."""
    return dataclasses.replace(snap, templates={year: template(year)},
                               scores=scores(year) if with_scores else {},
                               commendations=commendations(year) if with_commendations else ())


def patch_store(monkeypatch, **kwargs) -> None:  # noqa: ANN001
    """Every ``Store.snapshot()`` carries the sample thi đua (for the TUI, which reads the store)."""
    from ccb_tui.core.store.store import Store

    original = Store.snapshot

    def snapshot(self, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        return with_thidua(original(self, *a, **k), **kwargs)

    monkeypatch.setattr(Store, "snapshot", snapshot)


def bare(snap):  # noqa: ANN001, ANN201
    """``snap`` without any thi đua data (the bundled store has a sample points table)."""
    return dataclasses.replace(snap, templates={}, scores={}, commendations=())


def strip_store(path) -> None:  # noqa: ANN001
    """Empty the store file's thi đua tables (points tables, scores, commendations) in place."""
    import json
    from pathlib import Path
    p = Path(path)
    data = json.loads(p.read_text(encoding="utf-8"))
    for table in ("templates", "scores", "commendations"):
        data[table] = {}
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
