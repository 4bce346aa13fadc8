"""Charts per unit, one PlotextPlot subclass each, fed by ``show(summary, lang)``."""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

import math

from ...core.fmt import format_number
from ...core.indicators import BY_CODE
from ...core.text import sanitize
from ...core.totals import YearSummary
from ..i18n import translate


def _money_scale(values: list[int | float]) -> tuple[float, str, str]:
    """Divide by a million or a billion, whichever keeps the largest bar readable."""
    top = max(values, default=0)
    if top >= 1_000_000_000:
        return 1e9, "tỷ đồng", "billion VND"
    return 1e6, "triệu đồng", "million VND"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick positions from 0 to at least ``top`` (steps of 1, 2 or 5 × 10ⁿ)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step)
    return [round(i * step, 10) for i in range(n + 1)]


def set_value_axis(plt, top: float, lang: str) -> None:  # noqa: ANN001 - textual_plotext Plot
    """Value ticks (the x axis of horizontal bars) in the interface's number style (1.500; 2,5)."""
    ticks = nice_ticks(top, 3)
    plt.xlim(0, ticks[-1])
    plt.xticks(ticks, [format_number(t, lang=lang) for t in ticks])


class UnitChart(PlotextPlot):
    """Base: a bar chart with one bar (or group) per unit; redrawn only when its data changes."""

    DEFAULT_CSS = "UnitChart { height: 1fr; min-height: 8; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._key: object = None

    LABEL_MAX = 14
    """Longest unit label (characters) before it is shortened with "…"."""

    def _labels(self, summary: YearSummary) -> list[str]:
        # plotext 5.3 raises ValueError while building when a bar label leaves its canvas 1-2
        # columns wide: a unit renamed to ~35 characters crashed the whole app at 80×24.
        # Shortening labels keeps the bars readable too.
        out = []
        for u in summary.units:
            name = sanitize(u.short_name(summary.year))
            out.append(name if len(name) <= self.LABEL_MAX else name[: self.LABEL_MAX - 1] + "…")
        return out

    def render(self) -> RenderResult:
        # Belt and braces for the plotext failure above at sizes nobody tested: a chart that
        # cannot be drawn says so instead of taking the dashboard down with a traceback.
        try:
            return super().render()
        except (ValueError, IndexError, ZeroDivisionError):
            return Text(translate("(biểu đồ quá hẹp để vẽ)", getattr(self.app, "lang", "vi"),
                                  "(chart too narrow to draw)"), style="dim")

    def show(self, summary: YearSummary, lang: str) -> None:
        """Plot the summary; does nothing when the plotted data is unchanged."""
        key = self._data_key(summary, lang)
        if key == self._key:
            return
        self._key = key
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self._draw(summary, lang)
        self.refresh()

    def _data_key(self, summary: YearSummary, lang: str) -> object:
        raise NotImplementedError

    def _draw(self, summary: YearSummary, lang: str) -> None:
        raise NotImplementedError


class MembersChart(UnitChart):
    """Members and new members per unit."""

    def _data_key(self, summary: YearSummary, lang: str) -> object:
        return (lang, summary.year, tuple(
            (u.code, u.short_name(summary.year), summary.readings[u.code]["members"].value,
             summary.readings[u.code]["new_members"].value) for u in summary.units))

    def _draw(self, summary: YearSummary, lang: str) -> None:
        plt = self.plt
        labels, values = [], []
        for label, u in zip(self._labels(summary), summary.units):
            members = summary.readings[u.code]["members"]
            new = summary.readings[u.code]["new_members"]
            if not members.reported:
                label = f"{label} ({translate('chưa BC', lang, 'n/r')})"
            elif new.reported:
                label = f"{label} +{format_number(new.value, lang=lang)}"
            labels.append(label)
            values.append(members.value if members.reported else 0)
        # plotext draws horizontal bars bottom-up: reverse so the first unit is on top
        plt.bar(labels[::-1], values[::-1], orientation="h", width=0.6)
        set_value_axis(plt, max(values, default=0), lang)
        plt.title(translate("Hội viên (+ kết nạp mới)", lang, "Members (+ new)"))


class MoneyChart(UnitChart):
    """One money indicator (fund or loans) per unit, scaled to triệu / tỷ đồng."""

    def __init__(self, indicator: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.indicator = indicator

    def _data_key(self, summary: YearSummary, lang: str) -> object:
        return (lang, summary.year, tuple((u.code, u.short_name(summary.year),
                                           summary.readings[u.code][self.indicator].value,
                                           summary.readings[u.code][self.indicator].status)
                                          for u in summary.units))

    def _draw(self, summary: YearSummary, lang: str) -> None:
        plt = self.plt
        ind = BY_CODE[self.indicator]
        readings = [summary.readings[u.code][self.indicator] for u in summary.units]
        values = [r.value or 0 for r in readings if r.reported]
        div, unit_vi, unit_en = _money_scale(values)
        labels = [lbl if r.reported else f"{lbl} ({translate('chưa BC', lang, 'n/r')})"
                  for lbl, r in zip(self._labels(summary), readings)]
        scaled = [round((r.value or 0) / div, 2) if r.reported else 0 for r in readings]
        plt.bar(labels[::-1], scaled[::-1], orientation="h", width=0.6)
        set_value_axis(plt, max(scaled, default=0), lang)
        plt.title(f"{ind.short(lang)} ({translate(unit_vi, lang, unit_en)})")
