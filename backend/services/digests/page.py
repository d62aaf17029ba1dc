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
    label_font_size=13, major_label_font_size=13, value_font_size=12, legend_font_size=13, title_font_size=15,
)
# pygal puts its (inert, JSON) tooltip configuration in a <script>; the page runs no script.
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_CHART = {"js": [], "disable_xml_declaration": True, "style": STYLE, "width": 640, "explicit_size": False}


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )


def funnel_svg(funnel: list[FunnelStage], compare: list[FunnelStage] | None = None) -> str:
    """Open deals per stage, widest first (and, for the weekly review, a week before)."""
    chart = pygal.HorizontalBar(height=60 + 34 * max(len(funnel), 1) * (2 if compare else 1),
                                show_legend=compare is not None, print_values=True, legend_at_bottom=True, **_CHART)
    stages = list(reversed(funnel))  # pygal draws the first label at the bottom
    chart.x_labels = [s.name for s in stages]
    if compare is not None:
        before = {s.stage: s.count for s in compare}
        chart.add("上周末", [before.get(s.stage, 0) for s in stages])
        chart.add("本周末", [s.count for s in stages])
    else:
        chart.add("在途商机", [{"value": s.count, "label": money(s.amount)} for s in stages])
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def trend_svg(f: DigestFigures) -> str:
    chart = pygal.Line(height=320, legend_at_bottom=True, x_label_rotation=0, show_minor_x_labels=False,
                       dots_size=3, **_CHART)
    chart.x_labels = [f"{d.day.month}/{d.day.day}" for d in f.trend]
    chart.x_labels_major = chart.x_labels[::3] + chart.x_labels[-1:]
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
