"""Small SVG charts (bars and lines) for the PDFs and the dashboards.

Output is plain SVG markup with presentation attributes only (no ``style``, no script), so it
passes the site's Content-Security-Policy and renders in WeasyPrint. Every label is escaped.
A bar or point may carry a link (``href``): on the dashboards each figure opens its list.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#b4382f", "#2f6db4", "#1e7a3c", "#a15c00", "#6b4fa0", "#5b636e")


@dataclass
class Bar:
    label: str
    value: float
    href: str | None = None
    note: str = ""  # shown after the value, e.g. "(12/40)"


def _link(inner: str, href: str | None, title: str) -> str:
    tip = f"<title>{escape(title)}</title>"
    if href:
        return f'<a href="{escape(href)}">{tip}{inner}</a>'
    return f"<g>{tip}{inner}</g>"


def _size(width: int, height: int, fluid: bool) -> str:
    # fluid: no fixed size, the browser scales the chart to its column (phones)
    return "" if fluid else f'width="{width}" height="{height}" '


def bar_chart(bars: list[Bar], *, title: str, unit: str = "", max_value: float | None = None,
              width: int = 640, label_width: int = 150, color: str = PALETTE[0], fluid: bool = False) -> Markup:
    """Horizontal bars, one per item, value printed at the end of each bar."""
    row_h, top = 22, 26
    height = top + row_h * max(1, len(bars)) + 8
    peak = max_value or max([b.value for b in bars] + [1])
    plot = width - label_width - 90
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'{_size(width, height, fluid)}role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#1f2328">{escape(title)}</text>']
    for i, bar in enumerate(bars):
        y = top + i * row_h
        w = 0 if peak <= 0 else max(0.0, plot * bar.value / peak)
        value = f"{bar.value:g}{unit} {bar.note}".strip()
        inner = (f'<text x="{label_width - 6}" y="{y + 15}" font-size="12" text-anchor="end" fill="#1f2328">'
                 f'{escape(bar.label)}</text>'
                 f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" fill="{color}"/>'
                 f'<text x="{label_width + w + 4:.1f}" y="{y + 15}" font-size="11" fill="#1f2328">{escape(value)}</text>')
        parts.append(_link(inner, bar.href, f"{bar.label}: {value}"))
    if not bars:
        parts.append(f'<text x="0" y="{top + 14}" font-size="12" fill="#5b636e">无数据</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 - every label and value is escaped above


@dataclass
class Series:
    name: str
    values: list[float | None]
    hrefs: list[str | None] | None = None


def line_chart(labels: list[str], series: list[Series], *, title: str, unit: str = "",
               max_value: float | None = None, width: int = 640, height: int = 240, fluid: bool = False) -> Markup:
    """Lines over time (one per series) with a dot, value and optional link at each point."""
    left, right, top, bottom = 40, 14, 58, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    peak = max_value or max(values + [1])
    step = plot_w / max(1, len(labels) - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'{_size(width, height, fluid)}role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#1f2328">{escape(title)}</text>']
    for k in range(5):  # grid lines and scale
        y = top + plot_h * k / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#5b636e">'
                     f'{escape(f"{peak * (4 - k) / 4:g}{unit}")}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{left + i * step:.1f}" y="{height - 8}" font-size="10" text-anchor="middle" '
                     f'fill="#5b636e">{escape(label)}</text>')
    for n, s in enumerate(series):
        color = PALETTE[n % len(PALETTE)]
        points = [(left + i * step, top + plot_h * (1 - v / peak if peak else 1), v)
                  for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, v in enumerate(s.values):
            if v is None:
                continue
            x, y = left + i * step, top + plot_h * (1 - v / peak if peak else 1)
            inner = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"/>'
                     f'<text x="{x:.1f}" y="{y - 7:.1f}" font-size="10" text-anchor="middle" fill="{color}">'
                     f'{escape(f"{v:g}{unit}")}</text>')
            href = s.hrefs[i] if s.hrefs else None
            parts.append(_link(inner, href, f"{s.name} {labels[i]}: {v:g}{unit}"))
        parts.append(f'<rect x="{n * 130}" y="26" width="10" height="10" fill="{color}"/>'
                     f'<text x="{n * 130 + 14}" y="35" font-size="11" fill="#1f2328">{escape(s.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 - every label and value is escaped above
