"""`zhclean report OUT -o report.html`: one self-contained HTML file (no network, no CDN,
no external font) with

* the funnel per step (documents in, out, rejected, fragments stripped),
* the drop rate per reason (share of the records read),
* length histograms of kept and rejected documents and the quality-score histogram,
* a browsable sample of rejected documents per reason and of stripped fragments per rule,
  the matched text highlighted,
* the definitions every reason and rule id links to: the step with its parameters, the
  rule file entry (file, line, pattern or words) with the file's version hash.

Charts are inline SVG drawn here, so they show even with scripts off; the little script
only filters samples and marks the page ready (which the browser test checks).
"""

from __future__ import annotations

import html
import json
import math
import random
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy
import pyarrow.compute as pc

from zhclean.audit.definitions import Definitions
from zhclean.audit.output import CleanedOutput, scan
from zhclean.audit.samples import Sample, load_rejected, load_removals
from zhclean.audit.summary import Summary, summarize

DEFAULT_SAMPLES_PER_GROUP = 8
REPORT_CONTEXT_CHARS = 240
# Bin edges of the length histograms, in characters: roughly ×2 steps, since document
# lengths spread over four orders of magnitude.
LENGTH_EDGES = [0, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000]
QUALITY_BINS = 20
KEPT_COLOUR = "#3b7dd8"
REJECTED_COLOUR = "#e0703a"


# -- data gathering ---------------------------------------------------------------------------


class Reservoirs:
    """Uniform samples of at most `size` items per key, in one pass (algorithm R), the
    same for the same seed and the same order of items."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.random = random.Random(seed)
        self.seen: dict[Hashable, int] = {}
        self.items: dict[Hashable, list[Any]] = {}

    def add(self, key: Hashable, item: Any) -> None:
        seen = self.seen.get(key, 0) + 1
        self.seen[key] = seen
        bucket = self.items.setdefault(key, [])
        if len(bucket) < self.size:
            bucket.append(item)
        else:
            slot = self.random.randrange(seen)
            if slot < self.size:
                bucket[slot] = item


def length_histogram(output: CleanedOutput, which: str) -> list[int]:
    counts = [0] * len(LENGTH_EDGES)
    for _, _, batch in scan(output.shards(which), ["text"]):
        if "text" not in batch.schema.names:
            continue
        lengths = pc.fill_null(pc.utf8_length(batch.column(0)), 0).to_numpy(zero_copy_only=False)
        indices = numpy.searchsorted(numpy.array(LENGTH_EDGES[1:]), lengths, side="right")
        for index, count in zip(*numpy.unique(indices, return_counts=True), strict=False):
            counts[int(index)] += int(count)
    return counts


def quality_values(output: CleanedOutput) -> list[float]:
    values: list[float] = []
    for _, _, batch in scan(output.kept_shards, ["quality"]):
        if "quality" in batch.schema.names:
            values.extend(
                value
                for value in batch.column(0).to_pylist()
                if isinstance(value, (int, float)) and math.isfinite(value)
            )
    return values


def sampled_rejected(
    output: CleanedOutput, definitions: Definitions, size: int, seed: int
) -> dict[str, list[Sample]]:
    reservoirs = Reservoirs(size, seed)
    for shard, offset, batch in scan(output.rejected_shards, ["reason"]):
        if "reason" not in batch.schema.names:
            continue
        for index, reason in enumerate(batch.column(0).to_pylist()):
            reservoirs.add(reason or "", (shard, offset + index))
    samples: dict[str, list[Sample]] = {}
    for reason, rows in reservoirs.items.items():
        samples[str(reason)] = load_rejected(output, sorted(rows), definitions, REPORT_CONTEXT_CHARS)
    return samples


def sampled_removals(
    output: CleanedOutput, definitions: Definitions, size: int, seed: int
) -> dict[tuple[str, str], list[Sample]]:
    reservoirs = Reservoirs(size, seed)
    for shard, offset, batch in scan(output.kept_shards, ["removed"]):
        if "removed" not in batch.schema.names:
            continue
        removed = batch.column(0)
        flat = pc.list_flatten(removed)
        if len(flat) == 0:
            continue
        parents = pc.list_parent_indices(removed).to_pylist()
        codes = pc.struct_field(flat, "code").to_pylist()
        rules = pc.struct_field(flat, "rule").to_pylist()
        offsets = removed.offsets.to_pylist()
        for index, (parent, code, rule) in enumerate(zip(parents, codes, rules, strict=False)):
            reservoirs.add(
                (code or "", rule or ""), (shard, offset + parent, index + offsets[0] - offsets[parent])
            )
    samples: dict[tuple[str, str], list[Sample]] = {}
    for key, fragments in reservoirs.items.items():
        samples[key] = load_removals(output, sorted(fragments), definitions)  # type: ignore[index]
    return samples


@dataclass
class ReportData:
    summary: Summary
    definitions: Definitions
    kept_lengths: list[int]
    rejected_lengths: list[int]
    quality: list[float]
    rejected_samples: dict[str, list[Sample]]
    removal_samples: dict[tuple[str, str], list[Sample]]


def gather(
    output: CleanedOutput, samples_per_group: int = DEFAULT_SAMPLES_PER_GROUP, seed: int = 0
) -> ReportData:
    definitions = Definitions.for_output(output.stats)
    return ReportData(
        summary=summarize(output),
        definitions=definitions,
        kept_lengths=length_histogram(output, "kept"),
        rejected_lengths=length_histogram(output, "rejected"),
        quality=quality_values(output),
        rejected_samples=sampled_rejected(output, definitions, samples_per_group, seed),
        removal_samples=sampled_removals(output, definitions, samples_per_group, seed),
    )


# -- HTML helpers -----------------------------------------------------------------------------


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def anchor(kind: str, name: str) -> str:
    """An element id: `kind-name`, characters outside [A-Za-z0-9._-] replaced."""
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9._-]", lambda match: f"_{ord(match.group()):x}_", name)


def link(kind: str, name: str, label: str | None = None, css: str = "") -> str:
    class_attribute = f' class="{css}"' if css else ""
    return f'<a href="#{escape(anchor(kind, name))}"{class_attribute}>{escape(label if label is not None else name)}</a>'


def number(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.3g}"


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def short_json(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


# -- charts (inline SVG) ----------------------------------------------------------------------


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


# -- sections ---------------------------------------------------------------------------------


def sample_card(sample: Sample, definitions: Definitions, open_card: bool) -> str:
    context = "".join(
        f"<mark>{escape(text)}</mark>" if marked else escape(text) for text, marked in sample.segments
    )
    title = sample.url or sample.id
    head = (
        f'<summary><span class="doc">{escape(title)}</span> '
        f'<span class="muted">{sample.text_chars:,} chars'
        + (f" · {sample.highlights} highlighted" if sample.highlights else "")
        + "</span></summary>"
    )
    rows = [f"<tr><th>id</th><td>{escape(sample.id)}</td></tr>"]
    if sample.source:
        rows.append(f"<tr><th>source</th><td>{escape(sample.source)}</td></tr>")
    if sample.kind == "rejected":
        rows.append(f"<tr><th>reason</th><td>{link('reason', sample.reason)}</td></tr>")
        if isinstance(sample.detail, dict):
            for key, value in sample.detail.items():
                shown = (
                    link("rule", value)
                    if isinstance(value, str) and value in definitions.rules
                    else escape(short_json(value))
                )
                rows.append(f"<tr><th>{escape(key)}</th><td>{shown}</td></tr>")
        elif sample.detail:
            rows.append(f"<tr><th>detail</th><td>{escape(short_json(sample.detail))}</td></tr>")
        if sample.removed:
            rows.append(f"<tr><th>stripped before</th><td>{len(sample.removed):,} fragments</td></tr>")
    else:
        rows.append(f"<tr><th>code</th><td>{escape(sample.reason)}</td></tr>")
        rows.append(f"<tr><th>rule</th><td>{link('rule', sample.rule)}</td></tr>")
        rows.append(f"<tr><th>note</th><td>{escape(sample.note)}</td></tr>")
    search_text = escape(f"{sample.reason} {sample.rule} {sample.url} {sample.id}")
    return (
        f'<details class="sample" data-search="{search_text}"{" open" if open_card else ""}>{head}'
        f'<table class="detail">{"".join(rows)}</table><pre class="context">{context}</pre></details>'
    )


def reason_samples_section(data: ReportData) -> str:
    if not data.summary.reasons:
        return '<p class="empty">No rejected documents.</p>'
    parts = []
    read = max(1, data.summary.read)
    for row in data.summary.reasons:
        samples = data.rejected_samples.get(row.reason, [])
        step = data.definitions.step_of(row.reason)
        parts.append(
            f'<section class="group" id="{escape(anchor("samples", row.reason))}" data-group="{escape(row.reason)}">'
            f'<h3>{link("reason", row.reason)} <span class="muted">{row.documents:,} documents · '
            f"{percent(row.documents, read)} of read · {row.chars:,} chars · step {link('step', step)} · "
            f"{len(samples)} shown</span></h3>"
            + "".join(
                sample_card(sample, data.definitions, index == 0) for index, sample in enumerate(samples)
            )
            + "</section>"
        )
    return "".join(parts)


def removal_samples_section(data: ReportData) -> str:
    if not data.summary.removals:
        return '<p class="empty">No fragments were stripped from kept documents.</p>'
    parts = []
    for row in data.summary.removals:
        samples = data.removal_samples.get((row.code, row.rule), [])
        key = f"{row.code} {row.rule}"
        parts.append(
            f'<section class="group" id="{escape(anchor("fragments", key))}" data-group="{escape(key)}">'
            f'<h3>{escape(row.code)} · rule {link("rule", row.rule)} <span class="muted">{row.fragments:,} fragments in '
            f"{row.documents:,} documents · {row.chars:,} chars · {len(samples)} shown</span></h3>"
            + "".join(
                sample_card(sample, data.definitions, index == 0) for index, sample in enumerate(samples)
            )
            + "</section>"
        )
    return "".join(parts)


def removals_table(data: ReportData) -> str:
    if not data.summary.removals:
        return '<p class="empty">No fragments were stripped from kept documents.</p>'
    rows = "".join(
        f"<tr><td>{escape(row.code)}</td><td>{link('rule', row.rule)}</td><td class=num>{row.fragments:,}</td>"
        f"<td class=num>{row.documents:,}</td><td class=num>{row.chars:,}</td>"
        f"<td>{link('fragments', f'{row.code} {row.rule}', 'samples')}</td></tr>"
        for row in data.summary.removals
    )
    return (
        "<table class=data><thead><tr><th>code</th><th>rule</th><th>fragments</th><th>documents</th>"
        f"<th>chars</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def reasons_table(data: ReportData) -> str:
    if not data.summary.reasons:
        return ""
    read = max(1, data.summary.read)
    rejected = max(1, data.summary.rejected)
    rows = "".join(
        f"<tr><td>{link('reason', row.reason)}</td><td class=num>{row.documents:,}</td>"
        f"<td class=num>{percent(row.documents, rejected)}</td><td class=num>{percent(row.documents, read)}</td>"
        f"<td class=num>{row.chars:,}</td><td>{link('samples', row.reason, 'samples')}</td></tr>"
        for row in data.summary.reasons
    )
    total = (
        f"<tr class=total><td>all reasons</td><td class=num>{data.summary.rejected:,}</td><td class=num>100%</td>"
        f"<td class=num>{percent(data.summary.rejected, read)}</td>"
        f"<td class=num>{sum(row.chars for row in data.summary.reasons):,}</td><td></td></tr>"
    )
    return (
        "<table class=data><thead><tr><th>reason</th><th>documents</th><th>of rejected</th><th>of read</th>"
        f"<th>chars</th><th></th></tr></thead><tbody>{rows}{total}</tbody></table>"
    )


def params_table(params: dict[str, Any]) -> str:
    if not params:
        return '<span class="muted">no parameters</span>'
    return (
        "<table class=detail>"
        + "".join(
            f"<tr><th>{escape(key)}</th><td><code>{escape(short_json(value, 500))}</code></td></tr>"
            for key, value in params.items()
        )
        + "</table>"
    )


def definitions_section(data: ReportData) -> str:
    definitions = data.definitions
    parts = ["<h3>Steps and reasons</h3>"]
    steps: list[str] = [row["step"] for row in data.summary.funnel()]
    for name in [
        *definitions.step_params,
        *(row.reason for row in data.summary.reasons),
        *(row.code for row in data.summary.removals),
    ]:
        step = definitions.step_of(name)
        if step not in steps:
            steps.append(step)
    reasons_by_step: dict[str, list[str]] = {}
    for row in data.summary.reasons:
        reasons_by_step.setdefault(definitions.step_of(row.reason), []).append(row.reason)
    for step in steps:
        definition = definitions.reason_definition(f"{step}.")
        lines = [
            f'<div class="definition" id="{escape(anchor("step", step))}"><h4>step <code>{escape(step)}</code></h4>'
        ]
        if definition.get("class"):
            lines.append(
                f"<p><code>{escape(definition['class'])}</code>"
                + (f" in <code>{escape(definition['source'])}</code>" if definition.get("source") else "")
                + "</p>"
            )
        if definition.get("description"):
            lines.append(f'<p class="muted">{escape(definition["description"])}</p>')
        if definition.get("module") and definition.get("kind") != "step":
            lines.append(f"<p><code>{escape(definition['module'])}</code></p>")
        if definition.get("codes"):
            lines.append(
                "<p>codes: "
                + ", ".join(f"<code>{escape(code)}</code>" for code in definition["codes"])
                + "</p>"
            )
        if step in definitions.step_params:
            lines.append(
                "<p>parameters in this run (thresholds):</p>" + params_table(definitions.step_params[step])
            )
        for reason in reasons_by_step.get(step, []):
            lines.append(
                f'<p id="{escape(anchor("reason", reason))}">reason <code>{escape(reason)}</code>: '
                f"emitted by this step with the parameters above · {link('samples', reason, 'samples')}</p>"
            )
        lines.append("</div>")
        parts.append("".join(lines))
    shown_rules: list[tuple[str, str]] = []
    for removal_row in data.summary.removals:
        if removal_row.rule not in (rule for rule, _ in shown_rules):
            shown_rules.append((removal_row.rule, removal_row.code))
    for samples in data.rejected_samples.values():
        for sample in samples:
            for rule_id in filter(None, sample.rule.split(", ")):
                if rule_id not in (rule for rule, _ in shown_rules):
                    shown_rules.append((rule_id, sample.reason))
    parts.append("<h3>Rules</h3>")
    for rule_id, emitted_by in shown_rules:
        definition = definitions.rule_definition(rule_id, emitted_by)
        lines = [
            f'<div class="definition" id="{escape(anchor("rule", rule_id))}"><h4>rule <code>{escape(rule_id)}</code></h4>'
        ]
        if definition["kind"] == "rule":
            lines.append(
                f"<p>defined in <code>{escape(definition['path'])}</code>"
                + (f" line {definition['line']}" if definition.get("line") else "")
                + f" (rules file <code>{escape(definition['file'])}</code> version "
                f"<code>{escape(definition.get('file_version', '?'))}</code>)</p>"
            )
            lines.append(params_table(definition["fields"]))
        else:
            step = definition.get("step") or ""
            lines.append(
                f"<p>{escape(definition['description'])}"
                + (f" · see {link('step', step)}" if step else "")
                + "</p>"
            )
        lines.append("</div>")
        parts.append("".join(lines))
    if definitions.rules_files:
        rows = "".join(
            f"<tr><td><code>{escape(info.name)}</code></td><td><code>{escape(info.version)}</code></td>"
            f"<td><code>{escape(info.sha256[:16])}…</code></td><td class=num>{info.rule_count}</td>"
            f"<td>{rules_file_state(info)}</td></tr>"
            for info in definitions.rules_files.values()
        )
        parts.append(
            "<h3>Rule files</h3><table class=data><thead><tr><th>file</th><th>version</th><th>sha256</th>"
            f"<th>rules</th><th>vs. the run</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


# Chinese text needs a font with CJK glyphs: system-ui and the monospace fonts often have
# none (Chinese then shows as boxes), so every font list ends with the CJK fonts of
# Linux, macOS and Windows before the generic family.
CJK_FONTS = (
    '"Noto Sans CJK SC","Source Han Sans SC","Noto Sans SC","PingFang SC","Hiragino Sans GB",'
    '"Microsoft YaHei","WenQuanYi Micro Hei","WenQuanYi Zen Hei"'
)
CJK_MONO_FONTS = '"Noto Sans Mono CJK SC","Sarasa Mono SC",' + CJK_FONTS

# The page's style and script are package files, inlined into the one HTML file.
STYLE = (
    (resources.files(__package__) / "report.css")
    .read_text(encoding="utf-8")
    .replace("CJK_MONO_FONTS", CJK_MONO_FONTS)
    .replace("CJK_FONTS", CJK_FONTS)
)
SCRIPT = (resources.files(__package__) / "report.js").read_text(encoding="utf-8")


def rules_file_state(info: Any) -> str:
    """Whether a rule file is as the run recorded it (`audit.definitions.RulesFile`)."""
    if info.changed_since_run:
        return "<b class=warn>changed since the run</b>"
    return "recorded by the run" if info.recorded_sha256 else "not recorded by the run"


def render(data: ReportData, title: str) -> str:
    summary = data.summary
    stats = summary.stats
    read = max(1, summary.read)
    kept_share = percent(summary.kept, read)
    quality_labels, quality_counts = quality_histogram(data.quality)
    warnings = "".join(f'<p class="warn">⚠ {escape(warning)}</p>' for warning in summary.warnings)
    removals_total = sum(row.fragments for row in summary.removals)
    sections = [
        f'<section class="card"><h2>Overview</h2><div class="totals"><div><b>{summary.read:,}</b>read</div>'
        f"<div><b>{summary.kept:,}</b>kept ({kept_share})</div><div><b>{summary.rejected:,}</b>rejected "
        f"({percent(summary.rejected, read)})</div><div><b>{len(summary.reasons)}</b>reasons</div>"
        f"<div><b>{removals_total:,}</b>fragments stripped</div></div>"
        f'<p class="muted">recipe <code>{escape(stats.get("recipe", "?"))}</code> · fingerprint '
        f"<code>{escape(stats.get('recipe_fingerprint', '?'))}</code> · zhclean {escape(stats.get('zhclean_version', '?'))}"
        f" · output <code>{escape(summary.output)}</code></p>{warnings}</section>",
        '<section class="card"><h2>Funnel per step</h2><p class="muted">light: documents in · blue: out · orange: '
        "rejected · ✂ fragments stripped. Step names link to their parameters.</p>"
        + funnel_chart(summary.funnel(), summary.read)
        + "</section>",
        '<section class="card"><h2>Drop rate per reason</h2><p class="muted">share of the records read; '
        "reasons link to their samples.</p>" + reasons_chart(summary) + reasons_table(data) + "</section>",
        '<section class="card"><h2>Document length</h2>'
        + histogram_chart(
            "chart-length",
            length_labels(),
            [("kept", KEPT_COLOUR, data.kept_lengths), ("rejected", REJECTED_COLOUR, data.rejected_lengths)],
            "document length in characters",
        )
        + "</section>",
        '<section class="card"><h2>Quality score (kept documents)</h2>'
        + (
            histogram_chart(
                "chart-quality", quality_labels, [("kept", KEPT_COLOUR, quality_counts)], "quality score"
            )
            if data.quality
            else '<p class="empty">No quality scores in this output (the recipe has no scorer).</p>'
        )
        + "</section>",
        '<section class="card"><h2>Stripped from kept documents</h2>' + removals_table(data) + "</section>",
        '<section class="card" id="samples"><h2>Samples</h2><div class="toolbar"><input id="sample-filter" '
        'type="search" placeholder="filter samples: reason, rule, url or text"><span id="sample-count" '
        'class="muted"></span><button id="expand-all" type="button">expand all</button></div>'
        "<h3>Rejected documents, per reason</h3>"
        + reason_samples_section(data)
        + "<h3>Fragments stripped from kept documents, per rule</h3>"
        + removal_samples_section(data)
        + "</section>",
        '<section class="card" id="definitions"><h2>Definitions</h2>'
        + definitions_section(data)
        + "</section>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>{escape(title)}</h1><p>what was dropped, what was stripped, why, and by which rule</p></header>"
        f"<main>{''.join(sections)}</main><script>{SCRIPT}</script></body></html>\n"
    )


def write_report(
    output: CleanedOutput,
    destination: Path,
    *,
    samples_per_group: int = DEFAULT_SAMPLES_PER_GROUP,
    seed: int = 0,
) -> Path:
    data = gather(output, samples_per_group, seed)
    text = render(data, f"zhclean audit · {output.path.name or output.path}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(destination)
    return destination
