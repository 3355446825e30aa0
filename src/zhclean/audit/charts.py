"""The audit report's charts, as inline SVG (they show with scripts off): the funnel per
step, the drop rate per reason, and histograms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zhclean.audit.markup import anchor, escape, percent
from zhclean.audit.report_data import LENGTH_EDGES, QUALITY_BINS
from zhclean.audit.summary import Summary

KEPT_COLOUR = "#3b7dd8"
REJECTED_COLOUR = "#e0703a"


def funnel_chart(rows: list[dict[str, Any]], read: int) -> str:
    """One bar per step: what reached it (light), what left it (solid), what it rejected
    (orange); widths relative to the records read."""
    if not rows:
        return '<p class="empty">No per-step counts (stats.json missing).</p>'
    label_width, bar_width, row_height = 170, 520, 24
    height = row_height * len(rows) + 10
    scale = bar_width / max(1, read, *(row["in"] for row in rows))
    parts = [
        f'<svg class="chart" id="chart-funnel" role="img" aria-label="documents per step" '
        f'viewBox="0 0 {label_width + bar_width + 230} {height}" width="100%">'
    ]
    for index, row in enumerate(rows):
        y = 5 + index * row_height
        in_width = row["in"] * scale
        out_width = row["out"] * scale
        step = escape(row["step"])
        parts.append(
            f'<a href="#{escape(anchor("step", row["step"]))}"><text x="{label_width - 8}" y="{y + 15}" '
            f'text-anchor="end" class="label">{step}</text></a>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{in_width:.1f}" height="16" fill="{KEPT_COLOUR}" '
            f'opacity="0.25"><title>{step}: {row["in"]:,} in</title></rect>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{out_width:.1f}" height="16" fill="{KEPT_COLOUR}">'
            f"<title>{step}: {row['out']:,} out</title></rect>"
        )
        if row["rejected"]:
            parts.append(
                f'<rect x="{label_width + out_width:.1f}" y="{y + 3}" width="{max(1.5, in_width - out_width):.1f}" '
                f'height="16" fill="{REJECTED_COLOUR}"><title>{step}: {row["rejected"]:,} rejected</title></rect>'
            )
        note = f"{row['in']:,} → {row['out']:,}"
        if row["rejected"]:
            note += f"  −{row['rejected']:,}"
        if row["removals"]:
            note += f"  ✂{row['removals']:,}"
        parts.append(
            f'<text x="{label_width + bar_width + 8}" y="{y + 15}" class="value">{escape(note)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def reasons_chart(summary: Summary) -> str:
    if not summary.reasons:
        return '<p class="empty">Nothing was rejected.</p>'
    read = max(1, summary.read)
    label_width, bar_width, row_height = 260, 420, 22
    height = row_height * len(summary.reasons) + 10
    top = max(row.documents for row in summary.reasons)
    parts = [
        f'<svg class="chart" id="chart-reasons" role="img" aria-label="drop rate per reason" '
        f'viewBox="0 0 {label_width + bar_width + 170} {height}" width="100%">'
    ]
    for index, row in enumerate(summary.reasons):
        y = 5 + index * row_height
        width = max(1.5, bar_width * row.documents / top)
        reason = escape(row.reason)
        parts.append(
            f'<a href="#{escape(anchor("samples", row.reason))}"><text x="{label_width - 8}" y="{y + 14}" '
            f'text-anchor="end" class="label">{reason}</text></a>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{width:.1f}" height="14" fill="{REJECTED_COLOUR}">'
            f"<title>{reason}: {row.documents:,} documents, {percent(row.documents, read)} of read</title></rect>"
        )
        parts.append(
            f'<text x="{label_width + width + 6:.1f}" y="{y + 14}" class="value">'
            f"{percent(row.documents, read)} · {row.documents:,}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram_chart(
    chart_id: str, labels: Sequence[str], series: list[tuple[str, str, list[int]]], title: str
) -> str:
    """Vertical bars, one group per bin, one bar per series."""
    if not any(sum(values) for _, _, values in series):
        return f'<p class="empty">No data for {escape(title)}.</p>'
    bins = len(labels)
    plot_left, plot_width, plot_height, top_margin = 50, 720, 180, 10
    group_width = plot_width / bins
    bar_width = (group_width - 4) / len(series)
    peak = max(max(values) for _, _, values in series) or 1
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {plot_left + plot_width + 10} {plot_height + top_margin + 60}" width="100%">'
    ]
    for fraction in (0, 0.5, 1):
        y = top_margin + plot_height * (1 - fraction)
        parts.append(
            f'<line x1="{plot_left}" x2="{plot_left + plot_width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{plot_left - 6}" y="{y + 4:.1f}" text-anchor="end" class="value">{round(peak * fraction):,}</text>'
        )
    for bin_index, label in enumerate(labels):
        x0 = plot_left + bin_index * group_width + 2
        for series_index, (name, colour, values) in enumerate(series):
            value = values[bin_index]
            bar_height = plot_height * value / peak
            parts.append(
                f'<rect x="{x0 + series_index * bar_width:.1f}" y="{top_margin + plot_height - bar_height:.1f}" '
                f'width="{max(1.0, bar_width - 1):.1f}" height="{bar_height:.1f}" fill="{colour}">'
                f"<title>{escape(name)} {escape(label)}: {value:,}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + group_width / 2 - 2:.1f}" y="{top_margin + plot_height + 14}" text-anchor="end" '
            f'class="tick" transform="rotate(-35 {x0 + group_width / 2 - 2:.1f} {top_margin + plot_height + 14})">'
            f"{escape(label)}</text>"
        )
    legend_x = plot_left
    for name, colour, _ in series:
        parts.append(
            f'<rect x="{legend_x}" y="{top_margin + plot_height + 44}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{legend_x + 14}" y="{top_margin + plot_height + 53}" class="value">{escape(name)}</text>'
        )
        legend_x += 110
    parts.append("</svg>")
    return "".join(parts)


def length_labels() -> list[str]:
    def short(value: int) -> str:
        return f"{value // 1000}k" if value >= 1000 else str(value)

    labels = [
        f"{short(low)}–{short(high)}" for low, high in zip(LENGTH_EDGES, LENGTH_EDGES[1:], strict=False)
    ]
    return labels + [f"≥{short(LENGTH_EDGES[-1])}"]


def quality_histogram(values: list[float]) -> tuple[list[str], list[int]]:
    if not values:
        return [], []
    low, high = min(values), max(values)
    if 0.0 <= low and high <= 1.0:
        low, high = 0.0, 1.0
    if high <= low:
        high = low + 1.0
    width = (high - low) / QUALITY_BINS
    counts = [0] * QUALITY_BINS
    for value in values:
        counts[min(QUALITY_BINS - 1, int((value - low) / width))] += 1
    labels = [f"{low + index * width:.2f}" for index in range(QUALITY_BINS)]
    return labels, counts
