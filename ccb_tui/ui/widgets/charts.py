"""Charts per unit, one PlotextPlot subclass each, fed by ``show(summary, lang)``.

A chart cannot lie about which bar belongs to which unit. plotext, left to size a horizontal bar
chart to the widget, maps bars to rows with fractional spacing: with four bars in a few rows one
bar was drawn on the next unit's row and another dropped. So the layout is decided here in whole
cells and plotext only draws in those units:

* every unit gets one row, on which its label, its bar (always one row thick) and its value stand;
  units are ``pitch`` rows apart (1-3, the most the height allows), the rows between are blank;
* the x axis is in cells: plotext's canvas is exactly the bar area (``xlim(0, width - 1)``) and a
  bar of ``n`` cells ends at ``n - 0.75``, which plotext rounds to the ``n``-th cell;
* the y axis is in rows (``ylim(-1, rows)``, one blank guard row above and below), so bar ``i``
  lands on row ``i`` exactly;
* unit labels are drawn here, left of plotext's canvas, measured in terminal cells
  (``rich.cells.cell_len``), because plotext counts characters.

A unit that did not report has no bar and its row says so ("chưa báo cáo" is not zero).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from ...core.domain.fmt import format_number
from ...core.domain.indicators import BY_CODE
from ...core.domain.models import Reading
from ...core.domain.text import sanitize
from ...core.domain.totals import YearSummary
from ..i18n import translate
from ..safe import fit_cells

BAR_COLOR = 12
"""plotext colour code of every bar (one colour: the bar's length and label carry the meaning)."""
AXIS = "│"
"""Drawn between the unit labels and the bars."""
MIN_BAR_CELLS = 8
"""The longest bar gets at least this many cells; labels are shortened first."""
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class ChartBar:
    """One unit's row: its label, its value in the chart's unit (None: not reported), the text
    shown after the bar."""

    label: str
    value: float | None
    text: str


@dataclass(frozen=True)
class ChartLayout:
    """Where things go, in whole cells: decided before plotext draws anything."""

    label_width: int
    canvas_width: int
    pitch: int  # rows from one unit to the next
    ticks: bool  # whether the value axis has a row of ticks
    top: int  # blank rows above the first unit (the block is centred vertically)
    bar_cells: tuple[int, ...]  # bar length per unit; 0 for zero or not reported


def no_background(ansi: str) -> Text:
    """A plotext row without its background colours: the canvas and the value texts then take
    the widget's background, like the labels drawn beside them (and follow the app's theme)."""
    text = Text.from_ansi(ansi)
    text.style = ""
    for span in text.spans:
        if isinstance(span.style, Style) and span.style.bgcolor is not None:
            text.spans[text.spans.index(span)] = span._replace(style=span.style + Style(bgcolor="default"))
    return text


def pad_cells(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal cells."""
    return text + " " * max(0, width - cell_len(text))


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick positions from 0 to at least ``top`` (steps of 1, 2 or 5 × 10ⁿ)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step)
    return [round(i * step, 10) for i in range(n + 1)]


def bar_lengths(values: list[float | None], cells: int) -> tuple[int, ...]:
    """Bar length in cells per value: the largest gets ``cells``, the others in proportion
    (rounded; a value above zero always gets at least one cell); zero and None get none."""
    top = max((v for v in values if v is not None), default=0)
    out = []
    for v in values:
        if v is None or v <= 0 or top <= 0:
            out.append(0)
        else:
            out.append(max(1, min(cells, round(v * cells / top))))
    return tuple(out)


class CellChart(PlotextPlot):
    """Base of the charts drawn as text cells: plotext draws the canvas, the labels are laid out
    in cells around it. A subclass gives :meth:`chart_lines`, which ``render`` shows as it is
    and the tests read back."""

    lang = "vi"

    def chart_lines(self, width: int, height: int, theme: str | None = None) -> list[Text] | None:
        """The chart as ``height`` lines of ``width`` cells (None when it does not fit)."""
        raise NotImplementedError

    def render(self) -> RenderResult:
        lang = getattr(self.app, "lang", self.lang)
        theme = self._get_plotext_theme_name(self.app.theme)
        try:
            lines = self.chart_lines(self.size.width, self.size.height, theme)
        except (ValueError, IndexError, ZeroDivisionError):
            # Belt and braces: a chart that cannot be drawn says so instead of taking the
            # screen down with a traceback.
            lines = None
        if lines is None:
            return Text(translate("(biểu đồ quá nhỏ để vẽ)", lang, "(chart too small to draw)"), style="dim")
        return Text("\n").join(lines)


class UnitChart(CellChart):
    """Base: a horizontal bar chart with one labelled row per unit; redrawn only when its data
    changes. Subclasses turn a summary into :class:`ChartBar` rows (``_bars``) and a title."""

    DEFAULT_CSS = "UnitChart { height: 1fr; min-height: 3; }"

    LABEL_MAX = 16
    """Widest unit label (cells) before it is shortened with "…"."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._key: object = None
        self.bars: tuple[ChartBar, ...] = ()
        self.lang = "vi"

    # --- data -------------------------------------------------------------------------------

    def show(self, summary: YearSummary, lang: str) -> None:
        """Plot the summary; does nothing when the plotted data is unchanged."""
        key = self._data_key(summary, lang)
        if key == self._key:
            return
        self._key = key
        self.lang = lang
        title, bars = self._bars(summary, lang)
        self.set_bars(title, bars, lang)

    def set_bars(self, title: str, bars: list[ChartBar] | tuple[ChartBar, ...], lang: str = "vi") -> None:
        """Show these rows under this title (what ``show`` does once the summary is read)."""
        self.lang = lang
        self.bars = tuple(bars)
        self.border_title = Text(title)  # a Text: shown as is, never parsed as markup
        self.refresh()

    @staticmethod
    def _label(summary: YearSummary, code: str) -> str:
        unit = next(u for u in summary.units if u.code == code)
        return sanitize(unit.short_name(summary.year))

    def _data_key(self, summary: YearSummary, lang: str) -> object:
        raise NotImplementedError

    def _bars(self, summary: YearSummary, lang: str) -> tuple[str, list[ChartBar]]:
        raise NotImplementedError

    # --- layout and drawing -----------------------------------------------------------------

    def layout(self, width: int, height: int) -> ChartLayout | None:
        """Cells for labels and bars and rows per unit at this size; None when it cannot fit
        one row per unit and a readable bar."""
        bars = self.bars
        n = len(bars)
        if n == 0 or height < n:
            return None
        text_w = max((cell_len(b.text) for b in bars if b.value is not None), default=0)
        missing_w = max((cell_len(b.text) for b in bars if b.value is None), default=0)
        want_label = min(self.LABEL_MAX, max(cell_len(b.label) for b in bars))
        # Room for the axis, the longest bar, a space and its value; labels give way first.
        label_w = min(want_label, width - len(AXIS) - 1 - MIN_BAR_CELLS - 1 - text_w)
        label_w = max(label_w, min(want_label, 4))
        canvas_w = width - label_w - 1 - len(AXIS)
        bar_max = canvas_w - 1 - text_w
        if bar_max < 1 or canvas_w < max(missing_w, 2):
            return None
        ticks = height >= n + 1
        rows_left = height - (1 if ticks else 0)
        pitch = next((p for p in (3, 2, 1) if (n - 1) * p + 1 <= rows_left), 1)
        used = (n - 1) * pitch + 1 + (1 if ticks else 0)
        return ChartLayout(label_w, canvas_w, pitch, ticks, (height - used) // 2,
                           bar_lengths([b.value for b in bars], bar_max))

    def chart_lines(self, width: int, height: int, theme: str | None = None) -> list[Text] | None:
        """The chart as ``height`` lines of ``width`` cells (None when it does not fit).

        ``render`` draws exactly this; the tests read it back.
        """
        lay = self.layout(width, height)
        if lay is None:
            return None
        rows = self._plot_rows(lay, theme)
        blank = Text(" " * width)
        out: list[Text] = [blank.copy() for _ in range(lay.top)]
        unit_at = {i * lay.pitch: i for i in range(len(self.bars))}
        block = (len(self.bars) - 1) * lay.pitch + 1
        for r in range(block):
            i = unit_at.get(r)
            label = pad_cells(fit_cells(self.bars[i].label, lay.label_width), lay.label_width) if i is not None else \
                " " * lay.label_width
            line = Text(label + " ")
            line.append(AXIS, style="dim")
            line.append_text(rows[r])
            out.append(line)
        if lay.ticks:
            line = Text(" " * (lay.label_width + 1) + "└", style="dim")
            line.append_text(rows[block])
            out.append(line)
        while len(out) < height:
            out.append(blank.copy())
        for line in out:
            line.truncate(width, pad=True)
        return out

    def _plot_rows(self, lay: ChartLayout, theme: str | None) -> list[Text]:
        """plotext's rows for the bars (and the tick row), ``lay.canvas_width`` cells each."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        n = len(self.bars)
        block = (n - 1) * lay.pitch + 1
        bar_max = lay.canvas_width - 1 - max((cell_len(b.text) for b in self.bars if b.value is not None), default=0)
        for i, (bar, cells) in enumerate(zip(self.bars, lay.bar_cells)):
            y = block - 1 - i * lay.pitch  # plotext counts rows from the bottom
            if cells > 0:
                # One bar per call: plotext widens bars by the spacing of the values in one call.
                plt.bar([y], [cells - 0.75], orientation="h", width=0.4, reset_ticks=False,
                        color=BAR_COLOR)
            x = cells + 1 if cells > 0 else 0
            plt.text(bar.text, x=x, y=y, alignment="left",
                     style="italic" if bar.value is None else "bold")
        plt.ylim(-1, block)
        plt.xlim(0, lay.canvas_width - 1)
        plt.yticks([])
        plt.frame(False)
        if lay.ticks:
            self._ticks(lay.canvas_width, bar_max)
        else:
            plt.xticks([])
        height = block + 2 + (1 if lay.ticks else 0)
        plt.plotsize(lay.canvas_width, height)
        plt._set_size(lay.canvas_width, height)  # see PlotextPlot.render
        if theme is not None:
            plt.theme(theme)
        lines = plt.build().split("\n")[1:]  # drop the guard row above
        rows = [no_background(line) for line in lines[:block]]
        if lay.ticks:
            rows.append(no_background(lines[block + 1]))  # after the guard row below
        for row in rows:
            row.truncate(lay.canvas_width, pad=True)
        return rows

    def _ticks(self, canvas_w: int, bar_max: int) -> None:
        """Value ticks in the interface's number style, in cells (where the bars end)."""
        top = max((b.value for b in self.bars if b.value is not None), default=0) or 0
        if top <= 0:
            self.plt.xticks([0], ["0"])
            return
        positions, labels = [], []
        for t in nice_ticks(top, 3):
            x = round(t * bar_max / top)
            label = format_number(t, lang=self.lang)
            if x + len(label) // 2 + 1 <= canvas_w - 1:
                positions.append(x)
                labels.append(label)
        self.plt.xticks(positions, labels)


def _shown(reading: Reading) -> int | float | None:
    """What a chart draws of a reading: its value, or None when not reported."""
    return reading.value if reading.reported else None


def not_reported(lang: str) -> str:
    """The row text of a unit without a figure (never a zero bar)."""
    return translate("chưa báo cáo", lang, "not reported")


class MembersChart(UnitChart):
    """Members per unit, with the new members after the value ("62 (+5)")."""

    def _data_key(self, summary: YearSummary, lang: str) -> object:
        return (lang, summary.year, tuple(
            (u.code, u.short_name(summary.year), _shown(summary.readings[u.code]["members"]),
             _shown(summary.readings[u.code]["new_members"])) for u in summary.units))

    def _bars(self, summary: YearSummary, lang: str) -> tuple[str, list[ChartBar]]:
        bars = []
        for u in summary.units:
            members = summary.readings[u.code]["members"]
            new = summary.readings[u.code]["new_members"]
            bars.append(members_bar(self._label(summary, u.code), members, new, lang))
        return translate("Hội viên (+ kết nạp mới)", lang, "Members (+ new)"), bars


def members_bar(label: str, members: Reading, new: Reading, lang: str) -> ChartBar:
    """A unit's members bar: "62", or "62 (+5)" with new members; "chưa báo cáo" without."""
    if not members.reported:
        return ChartBar(label, None, not_reported(lang))
    text = format_number(members.value, lang=lang)
    if new.reported:
        text += f" (+{format_number(new.value, lang=lang)})"
    return ChartBar(label, float(members.value or 0), text)


MONEY_UNITS = {1e9: ("tỷ đồng", "billion VND", 2), 1e6: ("triệu đồng", "million VND", 1)}


def money_scale(values: list[int | float]) -> float:
    """Divide by a million or a billion, whichever keeps the largest bar readable."""
    return 1e9 if max(values, default=0) >= 1_000_000_000 else 1e6


def money_text(dong: int | float, div: float, lang: str) -> str:
    """The value after a money bar: "61,6" (triệu) or "2,03" (tỷ); "< 0,1" for a sliver."""
    decimals = MONEY_UNITS[div][2]
    shown = round(dong / div, decimals)
    if shown == 0 and dong > 0:
        return "< " + format_number(10 ** -decimals, decimals, lang)
    return format_number(shown, lang=lang)


class MoneyChart(UnitChart):
    """One money indicator (fund or loans) per unit, scaled to triệu / tỷ đồng."""

    def __init__(self, indicator: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.indicator = indicator

    def _data_key(self, summary: YearSummary, lang: str) -> object:
        return (lang, summary.year, tuple((u.code, u.short_name(summary.year),
                                           _shown(summary.readings[u.code][self.indicator]))
                                          for u in summary.units))

    def _bars(self, summary: YearSummary, lang: str) -> tuple[str, list[ChartBar]]:
        ind = BY_CODE[self.indicator]
        readings = [summary.readings[u.code][self.indicator] for u in summary.units]
        labels = [self._label(summary, u.code) for u in summary.units]
        title, bars = money_bars(labels, readings, lang)
        return f"{ind.short(lang)} ({title})", bars


def money_bars(labels: list[str], readings: list[Reading], lang: str) -> tuple[str, list[ChartBar]]:
    """The unit name ("triệu đồng" or "tỷ đồng") and one bar per unit."""
    div = money_scale([r.value or 0 for r in readings if r.reported])
    vi, en, _ = MONEY_UNITS[div]
    bars = [ChartBar(label, r.value / div, money_text(r.value, div, lang)) if r.reported and r.value is not None
            else ChartBar(label, None, not_reported(lang))
            for label, r in zip(labels, readings)]
    return translate(vi, lang, en), bars
