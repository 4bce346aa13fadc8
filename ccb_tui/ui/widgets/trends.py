"""Trend charts: one indicator of every unit over every year of the store, a line per unit.

Drawn like the bar charts (``charts.py``): the layout is decided here in whole cells and plotext
only draws the lines on a canvas of exactly the plot's size, one value per column and per row
(``xlim(0, width - 1)``, ``ylim(0, height - 1)``). The y-axis labels, the years under the x axis
and the legend are drawn here, measured in terminal cells, so a test can read every one of them
back from the rendered rows.

* Each unit has its own symbol (●, ■, ◆, …) for its figures and a small form of it (•, ▪, ⋄, …)
  for the line between them, named in the legend, so a line is told apart by text, not colour
  alone (each also has its own colour).
* A year a unit did not report (or did not exist) is a gap: the line stops before it and starts
  again after it. Never a zero.
* Points are drawn after every line, so a line never hides a reported figure.
* Money is on the axis in triệu or tỷ ("70 tr.", "2,5 tỷ"), counts as numbers ("1.500").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text

from ...core.domain.fmt import format_number
from ...core.domain.indicators import BY_CODE, Kind
from ...core.domain.models import Number
from ..i18n import translate
from .charts import CellChart, fit_cells, no_background

SYMBOLS = (("●", "•"), ("■", "▪"), ("◆", "⋄"), ("✚", "+"), ("○", "∘"), ("□", "▫"), ("★", "*"), ("×", "x"))
"""One (point, line) pair per unit, in the units' order (repeated, with another colour, past the
eighth): a unit's figures are its symbol, the line between them its small form."""
COLORS = (12, 9, 10, 11, 13, 14, 4, 1, 2, 3, 5, 6)
"""plotext colour codes, one per unit (the symbol, not the colour, carries the meaning)."""
MONEY_WORDS = {1e9: ("tỷ", "B ₫"), 1e6: ("tr.", "M ₫"), 1.0: ("đồng", "₫")}
MIN_CANVAS_W, MIN_CANVAS_H = 12, 4


@dataclass(frozen=True)
class TrendLine:
    """One unit's line: its legend label, point symbol, colour, a value per year (None: a gap),
    and the symbol its line is drawn with."""

    label: str
    symbol: str
    color: int
    values: tuple[Number | None, ...]
    stroke: str = "•"


@dataclass(frozen=True)
class TrendLayout:
    """Where things go, in whole cells and rows."""

    legend: tuple[Text, ...]
    axis_width: int  # the y labels' width
    canvas_width: int
    canvas_height: int
    low: float  # the value of the bottom row
    high: float  # the value of the top row
    ticks: tuple[tuple[int, str], ...]  # (row, label) from the top
    xs: tuple[int, ...]  # the column of each year in the canvas


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts ``span`` into about ``count`` parts."""
    raw = span / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw - 1e-12)


def value_range(values: list[float], steps: int) -> tuple[float, float, float]:
    """(low, high, step): round limits around the values, about ``steps`` steps apart. Equal
    values get room around them; the range starts at 0 when the values are near it (within one
    step), and never goes below 0 for figures that are not negative."""
    lo, hi = min(values), max(values)
    if hi == lo:
        pad = nice_step(abs(hi), 2) if hi else 1.0
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo, max(1, steps))
    low = math.floor(lo / step) * step
    high = math.ceil(hi / step) * step
    if min(values) >= 0 and low < 0 or 0 < low <= step:
        low = 0.0
    if high == low:
        high = low + step
    return low, high, step


def money_divisor(values: list[float]) -> float:
    """Tỷ when the largest figure is a billion or more, else triệu (or đồng below a million)."""
    top = max((abs(v) for v in values), default=0)
    return 1e9 if top >= 1e9 else 1e6 if top >= 1e6 else 1.0


class TrendChart(CellChart):
    """A line chart of one indicator per unit over the years; redrawn only when its data changes."""

    DEFAULT_CSS = "TrendChart { height: 1fr; min-height: 8; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.indicator = "members"
        self.years: tuple[int, ...] = ()
        self.lines: tuple[TrendLine, ...] = ()
        self.lang = "vi"
        self._key: object = None

    def show(self, indicator: str, years: list[int], lines: list[TrendLine], lang: str) -> None:
        """Plot these lines; does nothing when nothing changed."""
        key = (indicator, tuple(years), tuple(lines), lang)
        if key == self._key:
            return
        self._key = key
        self.indicator, self.years, self.lines, self.lang = indicator, tuple(years), tuple(lines), lang
        self.refresh()

    # --- labels -----------------------------------------------------------------------------

    def _divisor(self) -> float:
        ind = BY_CODE[self.indicator]
        if ind.kind is not Kind.MONEY:
            return 1.0
        return money_divisor([float(v) for line in self.lines for v in line.values if v is not None])

    def tick_label(self, value: float) -> str:
        """A y-axis label: "70 tr.", "2,5 tỷ" for money; "1.500" for counts."""
        ind = BY_CODE[self.indicator]
        en = self.lang == "en"
        if ind.kind is Kind.MONEY:
            div = self._divisor()
            word = MONEY_WORDS[div][1 if en else 0]
            return f"{format_number(round(value / div, 3), lang=self.lang)} {word}"
        return format_number(round(value, 3), lang=self.lang)

    def title(self) -> str:
        """The indicator and its unit ("Quỹ hội (triệu đồng)")."""
        ind = BY_CODE[self.indicator]
        if ind.kind is Kind.MONEY:
            div = self._divisor()
            unit = {1e9: ("tỷ đồng", "billion VND"), 1e6: ("triệu đồng", "million VND"),
                    1.0: ("đồng", "VND")}[div][1 if self.lang == "en" else 0]
        else:
            unit = ind.unit(self.lang)
        return f"{ind.short(self.lang)} ({unit})"

    # --- layout -----------------------------------------------------------------------------

    def _legend(self, width: int) -> list[Text]:
        """Rows of "•●• Krông Nô" entries (a unit's line, its point, its name), wrapped to ``width``."""
        rows: list[Text] = []
        row = Text()
        for line in self.lines:
            mark = f"{line.stroke}{line.symbol}{line.stroke}"
            entry = f"{mark} {fit_cells(line.label, max(4, width - 4))}"
            sep = "   " if row.cell_len else ""
            if row.cell_len and row.cell_len + len(sep) + cell_len(entry) > width:
                rows.append(row)
                row, sep = Text(), ""
            row.append(sep)
            row.append(mark, style=f"color({line.color})")
            row.append(entry[len(mark):])
        if row.cell_len:
            rows.append(row)
        return rows

    def layout(self, width: int, height: int) -> TrendLayout | None:
        """The chart's parts at this size; None when a readable chart does not fit."""
        if not self.lines or not self.years:
            return None
        legend = self._legend(width)
        canvas_h = height - len(legend) - 2  # the x axis and the years under it
        values = [float(v) for line in self.lines for v in line.values if v is not None]
        if canvas_h < MIN_CANVAS_H or not values:
            return None if canvas_h < MIN_CANVAS_H else TrendLayout(tuple(legend), 0, 0, canvas_h, 0, 0, (), ())
        # Every tick on a whole row, the same number of rows apart: the canvas takes the most
        # rows that allow it (the rest stays blank above the chart).
        for steps in (4, 3, 2, 1):
            low, high, step = value_range(values, steps)
            n = round((high - low) / step)
            if n <= canvas_h - 1:
                break
        else:
            return None
        pitch = (canvas_h - 1) // n
        canvas_h = n * pitch + 1
        ticks = [(i * pitch, self.tick_label(high - i * step)) for i in range(n + 1)]
        axis_w = max(cell_len(label) for _, label in ticks)
        canvas_w = width - axis_w - 2
        if canvas_w < MIN_CANVAS_W:
            return None
        k = len(self.years)
        if k == 1:
            xs: tuple[int, ...] = (canvas_w // 2,)
        else:
            left, right_ = 2, canvas_w - 3
            if right_ - left < (k - 1) * 6:  # the years' labels (4 cells) need room between them
                return None
            xs = tuple(left + round(i * (right_ - left) / (k - 1)) for i in range(k))
        return TrendLayout(tuple(legend), axis_w, canvas_w, canvas_h, low, high, tuple(ticks), xs)

    # --- drawing ----------------------------------------------------------------------------

    def chart_lines(self, width: int, height: int, theme: str | None = None) -> list[Text] | None:
        """The chart as ``height`` lines of ``width`` cells (None when it does not fit).

        ``render`` draws exactly this; the tests read it back.
        """
        lay = self.layout(width, height)
        if lay is None:
            return None
        out: list[Text] = [line.copy() for line in lay.legend]
        if lay.canvas_width == 0:  # every year not reported: say so rather than draw an empty frame
            out.append(Text(translate("(chưa đơn vị nào báo cáo chỉ tiêu này)", self.lang,
                                      "(no unit reported this indicator)"), style="dim"))
        else:
            spare = height - len(lay.legend) - lay.canvas_height - 2
            out += [Text(" " * width) for _ in range(max(0, spare))]  # the chart sits on the axis
            rows = self._plot_rows(lay, theme)
            tick_at = dict(lay.ticks)
            for r, row in enumerate(rows):
                label = tick_at.get(r)
                line = Text(" " * (lay.axis_width - cell_len(label)) + label + " ┤" if label is not None
                            else " " * lay.axis_width + " │", style="dim")
                line.append_text(row)
                out.append(line)
            axis = ["─"] * lay.canvas_width
            years = [" "] * lay.canvas_width
            for x, year in zip(lay.xs, self.years):
                axis[x] = "┴"
                label = str(year)
                start = max(0, min(lay.canvas_width - len(label), x - len(label) // 2))
                years[start:start + len(label)] = list(label)
            out.append(Text(" " * lay.axis_width + " └" + "".join(axis), style="dim"))
            out.append(Text(" " * (lay.axis_width + 2) + "".join(years)))
        blank = Text(" " * width)
        while len(out) < height:
            out.append(blank.copy())
        out = out[:height]
        for line in out:
            line.truncate(width, pad=True)
        return out

    @staticmethod
    def _row_of(lay: TrendLayout, v: Number) -> int:
        """The row of a value as plotext counts them (from the bottom), rounded to a whole row so
        a point sits on exactly one row, the one a reader finds it on against the labels."""
        return round((float(v) - lay.low) / (lay.high - lay.low) * (lay.canvas_height - 1))

    def shared_cells(self, width: int, height: int) -> list[tuple[int, tuple[str, ...]]]:
        """The points that fall on one cell at this size, as (year, the units' labels): only the
        last unit's symbol shows there, so the screen names them in words. Empty when the chart
        does not fit."""
        lay = self.layout(width, height)
        if lay is None or lay.canvas_width == 0:
            return []
        cells: dict[tuple[int, int], list[str]] = {}
        for line in self.lines:
            for x, year, v in zip(lay.xs, self.years, line.values):
                if v is not None:
                    cells.setdefault((year, self._row_of(lay, v)), []).append(line.label)
        return [(year, tuple(labels)) for (year, _row), labels in sorted(cells.items()) if len(labels) > 1]

    def _plot_rows(self, lay: TrendLayout, theme: str | None) -> list[Text]:
        """plotext's rows of the lines and points, ``lay.canvas_width`` cells each."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        top = lay.canvas_height - 1

        def y_of(v: Number) -> float:
            return self._row_of(lay, v)

        points = []
        for line in self.lines:
            run: list[tuple[int, float]] = []
            for x, v in zip(lay.xs, line.values):
                if v is None:
                    self._segment(run, line)
                    run = []
                else:
                    run.append((x, y_of(v)))
            self._segment(run, line)
            points.append(([x for x, v in zip(lay.xs, line.values) if v is not None],
                           [y_of(v) for v in line.values if v is not None], line))
        for xs, ys, line in points:  # after every line: a line never hides a figure
            if xs:
                plt.scatter(xs, ys, marker=line.symbol, color=line.color)
        plt.xlim(0, lay.canvas_width - 1)
        plt.ylim(0, top)
        plt.xticks([])
        plt.yticks([])
        plt.frame(False)
        plt.plotsize(lay.canvas_width, lay.canvas_height)
        plt._set_size(lay.canvas_width, lay.canvas_height)  # see PlotextPlot.render
        if theme is not None:
            plt.theme(theme)
        built = plt.build().split("\n")[:lay.canvas_height]
        rows = [no_background(line) for line in built]
        for row in rows:
            row.truncate(lay.canvas_width, pad=True)
        while len(rows) < lay.canvas_height:
            rows.append(Text(" " * lay.canvas_width))
        return rows

    def _segment(self, run: list[tuple[int, float]], line: TrendLine) -> None:
        """A stretch of consecutive reported years as one line (a lone year is only its point)."""
        if len(run) >= 2:
            self.plt.plot([x for x, _ in run], [y for _, y in run], marker=line.stroke, color=line.color)

