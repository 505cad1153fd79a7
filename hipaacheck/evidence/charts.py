"""Charts as inline SVG: no script, no external asset, readable printed in black and white.

Every bar carries its numbers as text, so colour is never the only way to
read a chart, and a screen reader gets the same numbers from the title.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

WIDTH = 760
LABEL_W = 340
BAR_W = 300
ROW_H = 24

# (status key, legend, colour); "open" is unknown + error.
SEGMENTS = (
    ("fail", "fail", "#c62828"),
    ("open", "unknown or error", "#b26a00"),
    ("waived", "waived", "#6a3d9a"),
    ("pass", "pass", "#2e7d32"),
)
_SHORT = {"fail": "fail", "open": "undecided", "waived": "waived", "pass": "pass"}


@dataclass(frozen=True)
class BarRow:
    label: str
    counts: Counter[str]  # by status value


@dataclass(frozen=True)
class TrendPoint:
    when: datetime
    failing: int
    passing: int


@dataclass(frozen=True)
class TrendSeries:
    label: str
    points: tuple[TrendPoint, ...]


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _grouped(counts: Counter[str]) -> dict[str, int]:
    return {
        "fail": counts.get("fail", 0),
        "open": counts.get("unknown", 0) + counts.get("error", 0),
        "waived": counts.get("waived", 0),
        "pass": counts.get("pass", 0),
    }


def _legend(y: int) -> list[str]:
    parts, x = [], LABEL_W
    for _, legend, colour in SEGMENTS:
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y}" class="legend">{_e(legend)}</text>')
        x += 30 + 7 * len(legend)
    return parts


def bar_chart(title: str, rows: Sequence[BarRow], chart_id: str) -> str:
    """Horizontal stacked bars, one row per label; skipped findings are left out (they were not checked)."""
    if not rows:
        return ""
    grouped = [_grouped(r.counts) for r in rows]
    biggest = max((sum(g.values()) for g in grouped), default=0) or 1
    height = 34 + ROW_H * len(rows) + 10
    out = [
        f'<svg id="{_e(chart_id)}" class="chart" role="img" aria-labelledby="{_e(chart_id)}-t" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        *_legend(16),
    ]
    for i, (row, group) in enumerate(zip(rows, grouped, strict=True)):
        y = 30 + i * ROW_H
        label = row.label if len(row.label) <= 52 else row.label[:51] + "…"
        out.append(f'<text x="{LABEL_W - 8}" y="{y + 14}" text-anchor="end" class="label">{_e(label)}</text>')
        x = float(LABEL_W)
        for key, legend, colour in SEGMENTS:
            value = group[key]
            if not value:
                continue
            w = BAR_W * value / biggest
            out.append(
                f'<rect x="{x:.1f}" y="{y + 2}" width="{max(w, 1.5):.1f}" height="{ROW_H - 6}" fill="{colour}">'
                f"<title>{_e(row.label)}: {value} {_e(legend)}</title></rect>"
            )
            x += w
        numbers = ", ".join(f"{group[k]} {_SHORT[k]}" for k, _, _ in SEGMENTS if group[k])
        out.append(f'<text x="{x + 6:.1f}" y="{y + 14}" class="num">{_e(numbers or "0")}</text>')
    out.append("</svg>")
    return "\n".join(out)


def trend_chart(title: str, series: Sequence[TrendSeries], chart_id: str) -> str:
    """Failing findings over time, one line per scanned source."""
    points = [p for s in series for p in s.points]
    if not points:
        return ""
    left, right, top, plot_h = 60, WIDTH - 30, 20, 200
    legend_y = top + plot_h + 44
    height = legend_y + 22 * len(series) + 4
    t0 = min(p.when for p in points).timestamp()
    t1 = max(p.when for p in points).timestamp()
    top_value = max(max(p.failing for p in points), 1)
    span = (t1 - t0) or 1.0

    def xy(p: TrendPoint) -> tuple[float, float]:
        x = left + (right - left) * ((p.when.timestamp() - t0) / span if t1 > t0 else 0.5)
        return x, top + plot_h - plot_h * p.failing / top_value

    out = [
        f'<svg id="{_e(chart_id)}" class="chart" role="img" aria-labelledby="{_e(chart_id)}-t" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{right}" y2="{top + plot_h}" class="axis"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" class="axis"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" class="num">{top_value}</text>',
        f'<text x="14" y="{top + plot_h / 2:.0f}" transform="rotate(-90 14 {top + plot_h / 2:.0f})" '
        'text-anchor="middle" class="legend">failing checks</text>',
        f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end" class="num">0</text>',
        f'<text x="{left}" y="{top + plot_h + 18}" class="num">{_e(_day(min(p.when for p in points)))}</text>',
        f'<text x="{right}" y="{top + plot_h + 18}" text-anchor="end" class="num">'
        f"{_e(_day(max(p.when for p in points)))}</text>",
    ]
    palette = ("#1f4e9c", "#c62828", "#2e7d32", "#6a3d9a", "#b26a00", "#00796b")
    for i, one in enumerate(series):
        colour = palette[i % len(palette)]
        coords = [xy(p) for p in sorted(one.points, key=lambda p: p.when)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for (x, y), p in zip(coords, sorted(one.points, key=lambda p: p.when), strict=True):
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
                f"<title>{_e(one.label)}, {_e(_day(p.when))}: {p.failing} failing, {p.passing} passing</title>"
                "</circle>"
            )
            anchor, dx = ("end", -8) if x > right - 40 else ("start", 8)
            out.append(f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" class="num">{p.failing}</text>')
        ly = legend_y + 22 * i
        out.append(f'<rect x="{left}" y="{ly - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{left + 18}" y="{ly}" class="legend">{_e(one.label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _day(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")
