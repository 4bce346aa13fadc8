"""Charts per unit, one PlotextPlot subclass each, fed by ``show(summary, lang)``."""

from __future__ import annotations

from textual_plotext import PlotextPlot

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


class UnitChart(PlotextPlot):
    """Base: a bar chart with one bar (or group) per unit; redrawn only when its data changes."""

    DEFAULT_CSS = "UnitChart { height: 1fr; min-height: 8; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._key: object = None

    def _labels(self, summary: YearSummary) -> list[str]:
        return [sanitize(u.short_name(summary.year)) for u in summary.units]

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
        labels = self._labels(summary)
        members = [summary.readings[u.code]["members"] for u in summary.units]
        new = [summary.readings[u.code]["new_members"] for u in summary.units]
        labels = [lbl if m.reported else f"{lbl} ({translate('chưa BC', lang, 'n/r')})"
                  for lbl, m in zip(labels, members)]
        plt.multiple_bar(labels, [[m.value or 0 for m in members], [n.value or 0 for n in new]],
                         labels=[translate("Hội viên", lang, "Members"),
                                 translate("Kết nạp mới", lang, "New members")])
        plt.title(translate("Hội viên và kết nạp mới", lang, "Members and new members"))


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
        plt.bar(labels, [round((r.value or 0) / div, 2) if r.reported else 0 for r in readings])
        plt.title(f"{ind.short(lang)} ({translate(unit_vi, lang, unit_en)})")
