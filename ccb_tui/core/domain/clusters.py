"""Competition clusters (cụm thi đua) by what a person types: a code or a name, accents optional."""

from __future__ import annotations

from .errors import InvalidValue
from .models import Cluster, Msg, Snapshot, Unit
from . import text

CLUSTER_LIST_HINT = "ccb-tui cluster list"


def cluster_keys(value: str) -> set[str]:
    """What a cluster code or name reads as: folded (no accents, case, apostrophes), with and
    without spaces. Two clusters whose names share a key would read the same on screen."""
    folded = " ".join(text.fold(value).replace("_", " ").split())
    return {k for k in (folded, folded.replace(" ", "")) if k}


def known_clusters(snap: Snapshot) -> str:
    """"cum3 (Cụm thi đua số 3), cum4 (Cụm thi đua số 4)": for a message naming the known ones."""
    return ", ".join(f"{c.code} ({c.name_vi})" for c in snap.clusters.values()) or "—"


def resolve_cluster(snap: Snapshot, raw: str) -> Cluster:
    """The cluster ``raw`` names: its code, or its Vietnamese or English name ignoring accents,
    case and spaces ("cum 4", "Cụm thi đua số 4"), or a part of one name that no other has.

    Raises :class:`~.errors.InvalidValue` naming the known clusters when nothing (or more than
    one) matches.
    """
    query = text.sanitize(raw or "")
    if query in snap.clusters:
        return snap.clusters[query]
    keys = cluster_keys(query)
    exact = [c for c in snap.clusters.values()
             if keys & (cluster_keys(c.code) | cluster_keys(c.name_vi) | cluster_keys(c.name_en))]
    if len(exact) == 1:
        return exact[0]
    compact = text.fold(query).replace(" ", "")
    part = [c for c in snap.clusters.values()
            if len(compact) >= 2 and any(compact in k for v in (c.code, c.name_vi, c.name_en) for k in cluster_keys(v))]
    if not exact and len(part) == 1:
        return part[0]
    shown = query[:40]
    known = known_clusters(snap)
    if exact or part:
        names = ", ".join(c.code for c in (exact or part))
        raise InvalidValue(Msg(f"'{shown}' khớp với nhiều cụm: {names}. Hãy gõ mã cụm. Các cụm: {known}",
                               f"'{shown}' matches several clusters: {names}. Give the cluster's code. "
                               f"Clusters: {known}"))
    raise InvalidValue(Msg(f"Không có cụm thi đua '{shown}'. Các cụm: {known}. Xem: {CLUSTER_LIST_HINT}",
                           f"There is no competition cluster '{shown}'. Clusters: {known}. See: {CLUSTER_LIST_HINT}"))


def not_in_cluster(snap: Snapshot, u: Unit, year: int, cluster: str | None) -> Msg | None:
    """Why ``u`` may not be edited (or shown) as a unit of ``cluster`` in ``year``: it is in
    another cluster that year (the message names it, and the two ways out); None when it is in
    ``cluster``, or when ``cluster`` is None (no check)."""
    if cluster is None or u.cluster(year) == cluster:
        return None
    c = snap.clusters.get(cluster)
    if c is None:
        known = known_clusters(snap)
        return Msg(f"Không có cụm thi đua '{text.sanitize(cluster)[:40]}'. Các cụm: {known}",
                   f"There is no competition cluster '{text.sanitize(cluster)[:40]}'. Clusters: {known}")
    theirs = snap.clusters.get(u.cluster(year))
    vi_name = theirs.name_vi if theirs else u.cluster(year)
    en_name = theirs.name_en if theirs else u.cluster(year)
    return Msg(
        f"{u.name(year)} năm {year} thuộc {vi_name} ({u.cluster(year)}), không thuộc {c.name_vi} ({c.code}). "
        f"Dùng --cluster {u.cluster(year)}, hoặc chuyển cụm: ccb-tui cluster assign {u.code} {c.code} --year {year}",
        f"{u.name(year)} is in {en_name} ({u.cluster(year)}) in {year}, not in {c.name_en} ({c.code}). "
        f"Use --cluster {u.cluster(year)}, or move it: ccb-tui cluster assign {u.code} {c.code} --year {year}")


def cluster_findings(snap: Snapshot) -> list[tuple[bool, Msg]]:
    """What ``check`` says of the store's clusters, as (problem, message): a ``current_cluster``
    setting naming no cluster is a problem (every view silently shows the first cluster instead);
    a cluster without units in the current year is a notice."""
    found: list[tuple[bool, Msg]] = []
    stored = snap.settings.current_cluster
    if stored is not None and stored not in snap.clusters:
        shown, first, known = text.sanitize(stored)[:40], snap.default_cluster(), known_clusters(snap)
        found.append((True, Msg(
            f"Cụm hiện hành (thiết lập current_cluster) là '{shown}', nhưng không có cụm mã đó (các cụm: {known}); "
            f"mọi màn hình và lệnh đang dùng cụm đầu tiên, {first}. Sửa: ccb-tui cluster current MÃ "
            f"(ví dụ: ccb-tui cluster current {first})",
            f"The current cluster (the current_cluster setting) is '{shown}', but there is no cluster with that code "
            f"(clusters: {known}); every screen and command shows the first cluster, {first}, instead. Fix: "
            f"ccb-tui cluster current CODE (e.g. ccb-tui cluster current {first})")))
    year = snap.current_year()
    if year is not None:
        for c in snap.clusters.values():
            if not snap.units_in(year, c.code):
                found.append((False, Msg(
                    f"{c.name_vi} ({c.code}) chưa có đơn vị nào năm {year}. Chuyển đơn vị vào: "
                    f"ccb-tui cluster assign ĐƠN_VỊ {c.code} --year {year}",
                    f"{c.name_en} ({c.code}) has no units in {year}. Move units in: "
                    f"ccb-tui cluster assign UNIT {c.code} --year {year}")))
    return found
