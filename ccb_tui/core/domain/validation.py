"""Validation of figures, targets and whole snapshots, and lookup of units and indicators.

Errors are data: the ``validate_*`` functions return a list of :class:`~.errors.Problem`
and never raise for bad values. ``resolve_unit`` and ``resolve_indicator`` raise
:class:`~.errors.InvalidValue` with a "did you mean ...?" message.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any, Callable, Mapping

from . import indicators
from .errors import InvalidValue, Problem
from .fmt import format_number
from .indicators import CATALOGUE, Indicator, Kind
from .models import QUALIFIER_ALIASES, Msg, Number, Qualifier, Reading, Snapshot, Status, Unit
from .text import closest, fold
from .totals import qualifier_bounds

__all__ = [
    "validate_reading",
    "validate_target",
    "validate_unit_year",
    "validate_snapshot",
    "resolve_unit",
    "resolve_indicator",
    "CROSS_RULES",
]

STORED_LIMIT = 10**15
"""No number in a store may exceed this in magnitude, whatever its indicator.

It lies well above every indicator's sensible upper bound (``max_value``, at most 10**13), so a
figure between the two still loads and ``ccb-tui check`` reports it; a larger one (10**40, 1e308)
can only be a slip of a hand edit, and the store refuses to load it (``StoreCorrupt`` naming the
record and field) rather than let the formatting and totals meet numbers they cannot handle.
"""
YEAR_RANGE = (1900, 2100)
"""Years a store may mention (a record's, a task's, a unit's periods and retirement)."""

UNIT_LIST_HINT = "ccb-tui unit list"
INDICATOR_LIST_HINT = "ccb-tui indicators"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _show(value: Any, lang: str) -> str:
    """A value for a message: numbers in the language's style, anything else quoted."""
    if _is_number(value):
        places = 0 if isinstance(value, int) or value.is_integer() else _decimal_places(value)
        return format_number(value, min(places, 12), lang)
    return repr(value)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    # An int is always finite (math.isfinite would overflow on a 400-digit one); the upper
    # bounds are checked separately.
    return isinstance(value, int) or math.isfinite(value)


def _decimal_places(value: Number) -> int:
    if isinstance(value, int):
        return 0
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _coerce_qualifier(q: Any) -> Qualifier | None:
    if isinstance(q, Qualifier):
        return q
    if isinstance(q, str):
        try:
            return Qualifier(q)
        except ValueError:
            return QUALIFIER_ALIASES.get(fold(q))
    if q is None:
        return Qualifier.EXACT
    return None


def _coerce_status(s: Any) -> Status | None:
    if isinstance(s, Status):
        return s
    if isinstance(s, str):
        try:
            return Status(s)
        except ValueError:
            return None
    return None


def _problem(field: str, vi: str, en: str) -> Problem:
    return Problem(field, Msg(vi, en))


def _unknown_indicator(code: Any, field: str) -> Problem:
    text = str(code)
    keys = _closest_codes(text, [(ind.code, _indicator_labels(ind)) for ind in CATALOGUE])
    vi = f"Không có chỉ tiêu '{text}'."
    en = f"No indicator '{text}'."
    if keys:
        vi += " Có phải: " + ", ".join(
            f"{k} ({indicators.get(k).label_vi})" for k in keys) + "?"
        en += " Did you mean: " + ", ".join(
            f"{k} ({indicators.get(k).label_en})" for k in keys) + "?"
    vi += f" Xem: {INDICATOR_LIST_HINT}"
    en += f" See: {INDICATOR_LIST_HINT}"
    return _problem(field, vi, en)


def _indicator_labels(ind: Indicator) -> list[str]:
    return [n for n in (ind.label_vi, ind.label_en, ind.short_vi, ind.short_en) if n]


def _closest_codes(query: str, named: list[tuple[str, list[str]]], n: int = 3) -> list[str]:
    """Up to ``n`` codes whose code or any name (with or without kind prefix) is close."""
    by_form: dict[str, str] = {}
    for code, names in named:
        for name in (code, *names):
            for form in (_norm(name), _strip_kind(_norm(name))):
                by_form.setdefault(form, code)
    queries = dict.fromkeys((query, _strip_kind(_norm(query))))
    best: list[str] = []
    for q in queries:
        for form in closest(q, list(by_form), n=len(by_form)):
            if by_form[form] not in best:
                best.append(by_form[form])
    return best[:n]


def _number_problems(ind: Indicator, value: Any, field: str, what_vi: str,
                     what_en: str) -> list[Problem]:
    """Rules every stored number obeys: a finite number, not negative, sensible, whole/decimals."""
    lv, le = f"{ind.label_vi} ({what_vi})", f"{ind.label_en} ({what_en})"
    if not _is_number(value):
        return [_problem(field, f"{lv}: {_show(value, 'vi')} không phải là số",
                         f"{le}: {_show(value, 'en')} is not a number")]
    out: list[Problem] = []
    if value < 0:
        out.append(_problem(field, f"{lv}: không được là số âm ({_show(value, 'vi')})",
                            f"{le}: must not be negative ({_show(value, 'en')})"))
    if value > ind.max_value:
        out.append(_problem(
            field,
            f"{lv}: {_show(value, 'vi')} vượt quá giới hạn hợp lý "
            f"{_show(ind.max_value, 'vi')} {ind.unit_vi}",
            f"{le}: {_show(value, 'en')} is above the sensible upper bound "
            f"{_show(ind.max_value, 'en')} {ind.unit_en}"))
    if ind.integral:
        if not isinstance(value, int) and not value.is_integer():
            if ind.kind is Kind.MONEY:
                out.append(_problem(
                    field, f"{lv}: số tiền phải là số đồng chẵn, không có phần lẻ "
                           f"({_show(value, 'vi')})",
                    f"{le}: money must be whole đồng, without fractions ({_show(value, 'en')})"))
            else:
                out.append(_problem(
                    field, f"{lv}: phải là số nguyên ({_show(value, 'vi')})",
                    f"{le}: must be a whole number ({_show(value, 'en')})"))
    elif _decimal_places(value) > ind.decimals:
        out.append(_problem(
            field, f"{lv}: tối đa {ind.decimals} chữ số thập phân ({_show(value, 'vi')})",
            f"{le}: at most {ind.decimals} decimal places ({_show(value, 'en')})"))
    return out


# ---------------------------------------------------------------------------
# Single values
# ---------------------------------------------------------------------------


def validate_reading(indicator_code: str, value: Any, qualifier: Any = Qualifier.EXACT,
                     status: Any = Status.REPORTED, field: str | None = None) -> list[Problem]:
    """Problems with one unit's figure; an empty list when it is valid.

    Rules: the indicator exists; a reported figure has a value and a not-reported one has
    none and uses the exact qualifier; the value is a number, not negative, at most the
    indicator's sensible upper bound, whole for counts, money (whole đồng) and indicators
    without decimals, and otherwise has at most ``decimals`` decimal places; "hàng trăm"
    needs 100..999 and "gần"/"trên"/"khoảng" need a value above 0.
    ``field`` names the value in the problems (default: the indicator code).
    """
    field = field if field is not None else str(indicator_code)
    ind = indicators.BY_CODE.get(indicator_code) if isinstance(indicator_code, str) else None
    if ind is None:
        return [_unknown_indicator(indicator_code, field)]
    lv, le = ind.label_vi, ind.label_en
    out: list[Problem] = []
    q = _coerce_qualifier(qualifier)
    st = _coerce_status(status)
    if q is None:
        out.append(_problem(
            field, f"{lv}: không rõ từ ước lượng '{qualifier}' (dùng: chính xác, gần, trên, "
                   f"khoảng, hàng trăm)",
            f"{le}: unknown qualifier '{qualifier}' (use: exact, nearly, over, about, hundreds)"))
    if st is None:
        out.append(_problem(
            field, f"{lv}: không rõ trạng thái '{status}' (dùng: đã báo cáo, chưa báo cáo)",
            f"{le}: unknown status '{status}' (use: reported, not_reported)"))
        return out
    if st is Status.NOT_REPORTED:
        if value is not None:
            out.append(_problem(
                field, f"{lv}: chưa báo cáo thì không được có giá trị ({_show(value, 'vi')}); "
                       f"chưa báo cáo không phải là 0",
                f"{le}: a not-reported figure must have no value ({_show(value, 'en')}); "
                f"not reported is not 0"))
        if q is not None and q is not Qualifier.EXACT:
            out.append(_problem(
                field, f"{lv}: chưa báo cáo thì không dùng từ ước lượng '{q.label('vi')}'",
                f"{le}: a not-reported figure takes no qualifier ('{q.label('en')}')"))
        return out
    if value is None:
        out.append(_problem(
            field, f"{lv}: đã báo cáo thì phải có giá trị (hoặc đánh dấu là chưa báo cáo)",
            f"{le}: a reported figure needs a value (or mark it as not reported)"))
        return out
    numbers = _number_problems(ind, value, field, "số liệu", "figure")
    out.extend(numbers)
    if q is None or not _is_number(value):
        return out
    if q is Qualifier.HUNDREDS and not 100 <= value <= 999:
        out.append(_problem(
            field, f"{lv}: 'hàng trăm' nghĩa là từ 100 đến 999, nhưng giá trị là "
                   f"{_show(value, 'vi')}",
            f"{le}: 'hundreds' means 100 to 999, but the value is {_show(value, 'en')}"))
    elif q in (Qualifier.NEARLY, Qualifier.OVER, Qualifier.ABOUT) and value <= 0:
        out.append(_problem(
            field, f"{lv}: '{q.label('vi')} …' cần một giá trị lớn hơn 0",
            f"{le}: '{q.label('en')} …' needs a value above 0"))
    return out


def validate_target(indicator_code: str, value: Any, field: str | None = None) -> list[Problem]:
    """Problems with one unit's target (kế hoạch): present, and the same number rules as figures."""
    field = field if field is not None else str(indicator_code)
    ind = indicators.BY_CODE.get(indicator_code) if isinstance(indicator_code, str) else None
    if ind is None:
        return [_unknown_indicator(indicator_code, field)]
    if value is None:
        return [_problem(field, f"{ind.label_vi}: kế hoạch phải có giá trị",
                         f"{ind.label_en}: a target needs a value")]
    return _number_problems(ind, value, field, "kế hoạch", "target")


# ---------------------------------------------------------------------------
# Cross-field rules
# ---------------------------------------------------------------------------

# (smaller, larger, why in vi, why in en): the smaller figure can never exceed the larger.
CROSS_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("new_members", "members",
     "hội viên mới kết nạp trong năm cũng là hội viên",
     "members admitted in the year are members too"),
    ("branches", "members",
     "mỗi chi hội có ít nhất một hội viên",
     "every branch has at least one member"),
)


def validate_unit_year(readings: Mapping[str, Reading], unit: str = "",
                       year: int | None = None) -> list[Problem]:
    """Cross-field problems in one unit's figures for one year (see ``CROSS_RULES``).

    Only reported, numeric figures are compared, and qualified figures by the range they
    allow ("gần 250" may be anything in [240; 250)): a problem is raised only when the
    smaller figure is certainly larger than the other. ``unit`` and ``year`` build the
    problem's field ("krong_no/new_members/2020").
    """
    out: list[Problem] = []
    for small, large, why_vi, why_en in CROSS_RULES:
        a, b = readings.get(small), readings.get(large)
        if a is None or b is None or not a.reported or not b.reported:
            continue
        if not (_is_number(a.value) and _is_number(b.value)):
            continue
        qa, qb = _coerce_qualifier(a.qualifier), _coerce_qualifier(b.qualifier)
        if qa is None or qb is None:
            continue
        ra, rb = qualifier_bounds(a.value, qa), qualifier_bounds(b.value, qb)
        if ra is None or rb is None:
            continue
        low, high = Decimal(repr(ra.low)), Decimal(repr(rb.high))
        certain = low > high or (low == high and (ra.low_open or rb.high_open))
        if not certain:
            continue
        ia, ib = indicators.get(small), indicators.get(large)
        field = "/".join(str(p) for p in (unit, small, year) if p not in ("", None))
        out.append(_problem(
            field,
            f"{ia.label_vi} ({_show(a.value, 'vi')}) không thể lớn hơn {ib.label_vi.lower()} "
            f"({_show(b.value, 'vi')}): {why_vi}",
            f"{ia.label_en} ({_show(a.value, 'en')}) cannot exceed {ib.label_en.lower()} "
            f"({_show(b.value, 'en')}): {why_en}"))
    return out


# ---------------------------------------------------------------------------
# Whole snapshot
# ---------------------------------------------------------------------------


def validate_snapshot(snap: Snapshot) -> list[Problem]:
    """Every problem in a snapshot: readings, targets, cross-field rules, references.

    Fields look like "krong_no/members/2020" (figure or target), "krong_no/cluster/2020"
    (a unit period), "reported/cum3/2020/fund" (a reported total) and "task/3/krong_no"
    (a task status).
    """
    return [*_unit_problems(snap), *_figure_problems(snap), *_target_problems(snap),
            *_reported_problems(snap), *_task_problems(snap)]


def _unit_ref_problems(units: dict[str, Unit], code: str, year: int, field: str, what_vi: str,
                       what_en: str) -> list[Problem]:
    """A figure or target must belong to a unit that exists in its year."""
    u = units.get(code)
    if u is None:
        return [_problem(field, f"{what_vi} của đơn vị không tồn tại '{code}'",
                         f"{what_en} of an unknown unit '{code}'")]
    if not u.active(year):
        return [_problem(field, f"{what_vi} của {u.name(year)} cho năm {year}, "
                                f"khi đơn vị chưa có hoặc đã giải thể",
                         f"{what_en} of {u.name(year)} for {year}, when the unit did not exist")]
    return []


def _unit_problems(snap: Snapshot) -> list[Problem]:
    """Units: unique codes, periods in year order, each in a cluster that exists."""
    out: list[Problem] = []
    seen: set[str] = set()
    for u in snap.units:
        if u.code in seen:
            out.append(_problem(u.code, f"Mã đơn vị '{u.code}' bị trùng",
                                f"Unit code '{u.code}' is used twice"))
        seen.add(u.code)
        if not u.periods:
            out.append(_problem(u.code, f"Đơn vị '{u.code}' không có tên và cụm theo năm",
                                f"Unit '{u.code}' has no name and cluster by year"))
            continue
        years = [p.from_year for p in u.periods]
        if years != sorted(set(years)):
            out.append(_problem(f"{u.code}/periods",
                                f"Các giai đoạn của đơn vị '{u.code}' phải theo thứ tự năm, "
                                f"không trùng năm",
                                f"The periods of unit '{u.code}' must be in year order, "
                                f"without repeated years"))
        for p in u.periods:
            if p.cluster not in snap.clusters:
                out.append(_problem(
                    f"{u.code}/cluster/{p.from_year}",
                    f"{p.name} (từ năm {p.from_year}) thuộc cụm không tồn tại '{p.cluster}'",
                    f"{p.name} (from {p.from_year}) belongs to an unknown cluster '{p.cluster}'"))
        out += _origin_problems(snap, u)
        out += _successor_problems(snap, u)
    return out


def _successor_problems(snap: Snapshot, u: Unit) -> list[Problem]:
    """A unit merged or split away: the shares its successors took add up to exactly 100%, so
    its figures are carried once into their past, not twice (two reorganisations) or in part."""
    successors = snap.successors(u.code)
    if not successors:
        return []
    total = sum((o.share for s in successors for o in s.formed_from if o.unit == u.code), Decimal(0))
    if total == 1:
        return []
    names = ", ".join(s.code for s in successors)
    pct = format_number(float(total * 100), lang="vi")
    pct_en = format_number(float(total * 100), lang="en")
    return [_problem(f"{u.code}/successors",
                     f"{u.name()} được chuyển vào {names} tổng cộng {pct}% (phải đúng 100%): số liệu của nó "
                     f"sẽ bị tính {'hơn một lần' if total > 1 else 'thiếu'}. Hoàn tác lần gộp/tách thừa (ccb-tui log, ccb-tui undo)",
                     f"{u.name()} was carried into {names} at {pct_en}% in all (must be exactly 100%): its figures "
                     f"would count {'more than once' if total > 1 else 'only in part'}. Undo the extra merge/split "
                     f"(ccb-tui log, ccb-tui undo)")]


def _origin_problems(snap: Snapshot, u: Unit) -> list[Problem]:
    """A unit formed by a merge or split: its predecessors exist and ended the year it began
    (else a year's figures would be counted twice, or not at all, across the reorganisation)."""
    out: list[Problem] = []
    for o in u.formed_from:
        pred = snap.unit(o.unit)
        field = f"{u.code}/formed_from/{o.unit}"
        if pred is None:
            out.append(_problem(field, f"{u.name()} được lập từ đơn vị không tồn tại '{o.unit}'",
                                f"{u.name()} was formed from an unknown unit '{o.unit}'"))
        elif pred.retired_from != u.formed_in:
            out.append(_problem(field, f"{u.name()} được lập từ năm {u.formed_in} từ {pred.name()}, nhưng đơn vị "
                                       f"đó không ngừng từ năm {u.formed_in}",
                                f"{u.name()} was formed in {u.formed_in} from {pred.name()}, which is not "
                                f"retired from {u.formed_in}"))
    return out


def _figure_problems(snap: Snapshot) -> list[Problem]:
    """Figures: their unit, their own rules, and the cross-field rules of each unit and year."""
    out: list[Problem] = []
    units = {u.code: u for u in snap.units}
    by_unit_year: dict[tuple[str, int], dict[str, Reading]] = defaultdict(dict)
    for (ucode, icode, year), r in sorted(snap.values.items(), key=_key_order):
        field = f"{ucode}/{icode}/{year}"
        out += _unit_ref_problems(units, ucode, year, field, "Số liệu", "A figure")
        out.extend(validate_reading(icode, r.value, r.qualifier, r.status, field=field))
        by_unit_year[(ucode, year)][icode] = r
    for (ucode, year), readings in sorted(by_unit_year.items()):
        out.extend(validate_unit_year(readings, ucode, year))
    return out


def _target_problems(snap: Snapshot) -> list[Problem]:
    """Targets: their unit and the number rules."""
    out: list[Problem] = []
    units = {u.code: u for u in snap.units}
    for (ucode, icode, year), t in sorted(snap.targets.items(), key=_key_order):
        field = f"{ucode}/{icode}/{year}"
        out += _unit_ref_problems(units, ucode, year, field, "Kế hoạch", "A target")
        out.extend(validate_target(icode, t.value, field=field))
    return out


def _reported_problems(snap: Snapshot) -> list[Problem]:
    """Reported cluster totals: a cluster that exists and an indicator stored under its own code."""
    out: list[Problem] = []
    for (ccode, year), totals in sorted(snap.reported.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        for icode, rt in totals.items():
            field = f"reported/{ccode}/{year}/{icode}"
            if ccode not in snap.clusters:
                out.append(_problem(field, f"Tổng công bố của cụm không tồn tại '{ccode}'",
                                    f"A reported total of an unknown cluster '{ccode}'"))
            if icode not in indicators.BY_CODE:
                out.append(_unknown_indicator(icode, field))
            elif rt.indicator != icode:
                out.append(_problem(field, f"Tổng công bố ghi chỉ tiêu '{rt.indicator}' "
                                           f"nhưng được lưu dưới '{icode}'",
                                    f"A reported total names '{rt.indicator}' but is stored "
                                    f"under '{icode}'"))
    return out


def _task_problems(snap: Snapshot) -> list[Problem]:
    """Task statuses: each for a unit that exists."""
    codes = {u.code for u in snap.units}
    return [_problem(f"task/{task.id}/{ucode}",
                     f"Nhiệm vụ {task.id} có trạng thái của đơn vị không tồn tại '{ucode}'",
                     f"Task {task.id} has a status for an unknown unit '{ucode}'")
            for task in snap.tasks for ucode in task.statuses if ucode not in codes]


def _key_order(item: tuple[tuple[str, str, int], Any]) -> tuple:
    (ucode, icode, year), _ = item
    order = {ind.code: i for i, ind in enumerate(CATALOGUE)}
    return (str(ucode), year, order.get(icode, len(order)), str(icode))


# ---------------------------------------------------------------------------
# Resolving what the user typed
# ---------------------------------------------------------------------------

_KIND_PREFIXES = ("thi tran ", "tt ", "xa ", "phuong ")
_SEPARATORS_RE = re.compile(r"[_./,;:()]+")


def _norm(text: str) -> str:
    """fold() plus separators as spaces: "TT. Liên Sơn" -> "tt lien son"."""
    return " ".join(_SEPARATORS_RE.sub(" ", fold(text)).split())


def _strip_kind(key: str) -> str:
    for prefix in _KIND_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):]
    return key


def _forms(text: str) -> set[str]:
    """Comparable forms of a name: folded, without the kind prefix, and without spaces."""
    key = _norm(text)
    forms = {key, _strip_kind(key)}
    return forms | {f.replace(" ", "") for f in forms}


def _resolve(text: str, items: list[tuple[Any, str, list[str]]],
             display: Callable[[Any], str], what: tuple[str, str], hint: str,
             prefer: Callable[[Any], bool] = lambda _: True) -> Any:
    """Find one item by exact code, exact folded name, or unique substring.

    ``items`` holds (item, code, names). Raises InvalidValue when nothing or several match.
    """
    what_vi, what_en = what
    query = text.strip() if isinstance(text, str) else ""
    if not query:
        raise InvalidValue(Msg(f"Chưa nhập {what_vi}. Xem: {hint}",
                               f"No {what_en} given. See: {hint}"))
    for item, code, _ in items:
        if query == code:
            return item
    qforms = _forms(query)
    qcompact = _norm(query).replace(" ", "")
    qstripped = _strip_kind(_norm(query)).replace(" ", "")

    def pick(found: list[Any]) -> Any | None:
        unique = list(dict.fromkeys(found))
        if len(unique) > 1:
            preferred = [i for i in unique if prefer(i)]
            if len(preferred) == 1:
                return preferred[0]
        if len(unique) == 1:
            return unique[0]
        if unique:
            names = ", ".join(display(i) for i in unique)
            raise InvalidValue(Msg(
                f"'{query}' khớp với nhiều {what_vi}: {names}. Hãy gõ rõ hơn.",
                f"'{query}' matches several {what_en}s: {names}. Please be more specific."))
        return None

    # Exact code in other spellings, exact names, names without the kind prefix.
    exact = [item for item, code, names in items
             if qforms & (_forms(code) | set().union(*(_forms(n) for n in names)))]
    if (found := pick(exact)) is not None:
        return found
    # Unique substring of a name (compared without spaces).
    if len(qstripped) >= 2:
        sub = [item for item, code, names in items
               if any(qcompact in f or qstripped in f
                      for n in [code, *names] for f in _forms(n))]
        if (found := pick(sub)) is not None:
            return found
    # Nothing: suggest the closest.
    labels = {code: display(item) for item, code, _ in items}
    keys = _closest_codes(query, [(code, names) for _, code, names in items])
    vi = f"Không có {what_vi} '{query}'."
    en = f"No {what_en} '{query}'."
    if keys:
        vi += " Có phải: " + ", ".join(labels[k] for k in keys) + "?"
        en += " Did you mean: " + ", ".join(labels[k] for k in keys) + "?"
    raise InvalidValue(Msg(f"{vi} Xem: {hint}", f"{en} See: {hint}"))


def resolve_unit(snap: Snapshot, text: str, year: int | None = None) -> Unit:
    """The unit the user means by ``text``.

    Matches the code exactly, or a name of any year (so old names still work) ignoring
    accents, case, apostrophes and spaces, with or without the kind prefix ("xã",
    "thị trấn", "TT"), or a unique part of a name ("lien son", "earbin"). When several
    units match, the one active in ``year`` wins. Raises :class:`~.errors.InvalidValue`
    when nothing matches (listing up to 3 close names) or the match is ambiguous.
    """
    items = [(u, u.code, [p.name for p in u.periods]) for u in snap.units]

    def prefer(u: Unit) -> bool:
        return year is None or u.active(year)

    return _resolve(text, items, lambda u: u.name(year), ("đơn vị", "unit"),
                    UNIT_LIST_HINT, prefer)


def resolve_indicator(text: str) -> Indicator:
    """The indicator the user means by ``text``: its code, or a Vietnamese or English label.

    Labels and short labels match ignoring accents and case, or by a unique part.
    Raises :class:`~.errors.InvalidValue` when nothing or several indicators match.
    """
    items = [(ind, ind.code, _indicator_labels(ind)) for ind in CATALOGUE]
    return _resolve(text, items, lambda ind: f"{ind.code} ({ind.label_vi})",
                    ("chỉ tiêu", "indicator"), INDICATOR_LIST_HINT)
