"""The digest's H5 page: the figures as sent, the funnel and the 14-day trend as server-drawn SVG
(pygal, no script), in one HTML page a phone opens from the WeChat Work message."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
import msgspec
import pygal
from pygal.style import Style

from backend.services.digests.markdown import SOURCE_ZH
from backend.services.nudges.messages import money
from schemas.digests import DigestFigures, FunnelStage, WeeklyFigures

STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#333", foreground_strong="#111",
    foreground_subtle="#888", colors=("#2f7cf6", "#19b37d", "#f5a623", "#e5484d"),
    font_family="-apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif",
    label_font_size=13, major_label_font_size=13, value_font_size=13, legend_font_size=13, title_font_size=15,
    tooltip_font_size=13, no_data_font_size=14,
)
# pygal puts its (inert, JSON) tooltip configuration in a <script>; the page runs no script.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
# Charts are drawn at a phone's content width (a 390-px screen less the page's padding), so their
# 13-px text shows at 13 px there and only grows on wider screens; the page caps them at 640 px.
PHONE_WIDTH = 330
_CHART = {"js": [], "disable_xml_declaration": True, "style": STYLE, "width": PHONE_WIDTH, "explicit_size": False}
_FONT = "-apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )


def funnel_svg(funnel: list[FunnelStage], compare: list[FunnelStage] | None = None) -> str:
    """The funnel: one centred band per stage in pipeline order, as wide as its open deals (widest
    = full width), joined by trapezoids; the stage's name on the left, count and amount on the right.
    The weekly review draws the week before as a thin outline inside each band."""
    if compare is not None:
        return _funnel_compare(funnel, compare)
    label_w, value_w, row_h, gap = 52, 92, 30, 8
    width = PHONE_WIDTH
    bar_w = width - label_w - value_w
    top = max([s.count for s in funnel] + [1])
    cx = label_w + bar_w / 2
    parts: list[str] = []
    widths = [max(6.0, bar_w * s.count / top) for s in funnel]
    for i, (s, w) in enumerate(zip(funnel, widths)):
        y = i * (row_h + gap)
        if i + 1 < len(funnel):  # the neck down to the next stage
            nw = widths[i + 1]
            parts.append(f'<polygon class="neck" points="{cx - w / 2:.1f},{y + row_h} {cx + w / 2:.1f},{y + row_h} '
                         f'{cx + nw / 2:.1f},{y + row_h + gap} {cx - nw / 2:.1f},{y + row_h + gap}" fill="#dbe7fd"/>')
        parts.append(f'<rect class="band" x="{cx - w / 2:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" rx="3" '
                     f'fill="{STYLE.colors[0]}" data-stage="{_esc(s.stage)}" data-count="{s.count}"/>')
        parts.append(f'<text x="0" y="{y + row_h / 2 + 5}" font-size="13" fill="#333">{_esc(s.name)}</text>')
        parts.append(f'<text x="{width}" y="{y + row_h / 2 + 5}" font-size="13" fill="#333" text-anchor="end">'
                     f'{s.count} 单 · {_esc(money(s.amount))}</text>')
    height = max(1, len(funnel)) * (row_h + gap) - gap
    return (f'<svg class="funnel" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="漏斗" font-family="{_FONT}">{"".join(parts)}</svg>')


def _funnel_compare(funnel: list[FunnelStage], compare: list[FunnelStage]) -> str:
    chart = pygal.HorizontalBar(height=60 + 34 * max(len(funnel), 1) * 2, show_legend=True, print_values=True,
                                legend_at_bottom=True, **_CHART)
    stages = list(reversed(funnel))  # pygal draws the first label at the bottom
    chart.x_labels = [s.name for s in stages]
    before = {s.stage: s.count for s in compare}
    chart.add("上周末", [before.get(s.stage, 0) for s in stages])
    chart.add("本周末", [s.count for s in stages])
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def trend_svg(f: DigestFigures) -> str:
    chart = pygal.Line(height=300, margin_right=24, legend_at_bottom=True, legend_at_bottom_columns=2, x_label_rotation=0,
                       show_minor_x_labels=False, dots_size=2.5, truncate_legend=-1, truncate_label=-1,
                       min_scale=2, max_scale=6, **_CHART)
    chart.x_labels = [f"{d.day.month}/{d.day.day}" for d in f.trend]
    # a date every 4 days, ending with the last (yesterday); pygal centres a label on its point, so
    # the right margin leaves room for the last one's second half (else the chart's edge cuts it)
    n = len(chart.x_labels)
    chart.x_labels_major = [chart.x_labels[i] for i in range(n - 1, -1, -4)][::-1]
    top = max([max(d.leads, d.moves, d.won, d.views) for d in f.trend] + [1])
    step = max(1, -(-top // 4))
    chart.y_labels = list(range(0, top + step, step))  # counts: whole numbers on the axis
    chart.add("新线索", [d.leads for d in f.trend])
    chart.add("阶段推进", [d.moves for d in f.trend])
    chart.add("赢单", [d.won for d in f.trend])
    chart.add("名片浏览", [d.views for d in f.trend])
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def render_daily(figures: dict, *, expires: str) -> str:
    f = msgspec.convert(figures, DigestFigures)
    return _env().get_template("page.html").render(
        kind="daily", f=f, money=money, source_zh=SOURCE_ZH, expires=expires,
        funnel=funnel_svg(f.funnel), trend=trend_svg(f),
    )


def render_weekly(figures: dict, *, expires: str) -> str:
    w = msgspec.convert(figures, WeeklyFigures)
    return _env().get_template("page.html").render(
        kind="weekly", w=w, money=money, expires=expires, funnel=funnel_svg(w.funnel_now, w.funnel_week_ago),
    )


def render_gone(message: str) -> str:
    return _env().get_template("page.html").render(kind="gone", message=message)
