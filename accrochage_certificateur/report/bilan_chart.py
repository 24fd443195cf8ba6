"""A bar chart of rates across years, as inline SVG made on the server.

The Bilan prints without JavaScript (wkhtmltopdf, or the browser's print):
the chart is plain SVG markup, its numbers written on the bars. A year
without a figure shows a dash, never a 0 % bar: a missing rate is not a
bad one.

>>> svg = rate_chart_svg(
...     [2025, 2026],
...     [("Réussite", "#2e7d32", {2025: 50.0, 2026: None})],
...     format_value=lambda value: f"{value:.0f} %",
... )
>>> svg.startswith("<svg") and "50 %" in svg and "2026" in svg and "—" in svg
True
"""

from markupsafe import Markup, escape

WIDTH, HEIGHT = 680, 270
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 58
GRID = (0, 25, 50, 75, 100)


def _y(value):
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 100)


def rate_chart_svg(years, series, format_value, missing="—"):
    """SVG markup: one group of bars per year, one bar per series (rates in %).

    ``series``: ``(label, colour, {year: rate or None})`` items.
    ``format_value`` turns a rate into the text written above its bar.
    """
    plot_width = WIDTH - LEFT - RIGHT
    group = plot_width / max(len(years), 1)
    bar = min(36, group * 0.8 / max(len(series), 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11" '
        'role="img">'
    ]
    for level in GRID:
        y = _y(level)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{level} %</text>'
        )
    for index, year in enumerate(years):
        start = LEFT + index * group + (group - bar * len(series)) / 2
        for number, (_label, colour, values) in enumerate(series):
            x = start + number * bar
            value = values.get(year)
            if value is None:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{_y(0) - 4:.1f}" text-anchor="middle" '
                    f'fill="#777">{escape(missing)}</text>'
                )
                continue
            top = _y(max(0.0, min(100.0, value)))
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{top:.1f}" width="{bar - 2:.1f}" '
                f'height="{_y(0) - top:.1f}" fill="{escape(colour)}"/>'
                f'<text x="{x + bar / 2:.1f}" y="{top - 4:.1f}" text-anchor="middle" '
                f'fill="#222">{escape(format_value(value))}</text>'
            )
        parts.append(
            f'<text x="{LEFT + (index + 0.5) * group:.1f}" y="{_y(0) + 16:.1f}" '
            f'text-anchor="middle" font-weight="bold">{escape(str(year))}</text>'
        )
    x = LEFT
    for label, colour, _values in series:
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{escape(colour)}"/>'
            f'<text x="{x + 16}" y="{HEIGHT - 8}">{escape(label)}</text>'
        )
        x += 24 + 7 * len(label)
    parts.append("</svg>")
    return Markup("".join(parts))
