"""`zhclean report OUT -o report.html`: one self-contained HTML file (no network, no CDN,
no external font) with

* the funnel per step (documents in, out, rejected, fragments stripped),
* the drop rate per reason (share of the records read),
* length histograms of kept and rejected documents and the quality-score histogram,
* a browsable sample of rejected documents per reason and of stripped fragments per rule,
  the matched text highlighted,
* the definitions every reason and rule id links to: the step with its parameters, the
  rule file entry (file, line, pattern or words) with the file's version hash.

The data is gathered by `report_data`, the charts are inline SVG drawn by `charts` (so
they show even with scripts off), the page is put together here; the little script
only filters samples and marks the page ready (which the browser test checks).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from zhclean.audit.charts import (
    KEPT_COLOUR,
    REJECTED_COLOUR,
    funnel_chart,
    histogram_chart,
    length_labels,
    quality_histogram,
    reasons_chart,
)
from zhclean.audit.definitions import Definitions
from zhclean.audit.markup import anchor, escape, link, percent, short_json
from zhclean.audit.output import CleanedOutput
from zhclean.audit.report_data import DEFAULT_SAMPLES_PER_GROUP, ReportData, gather
from zhclean.audit.samples import Sample
from zhclean.io.storage import StoragePath, write_text_atomic


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
    destination: StoragePath,
    *,
    samples_per_group: int = DEFAULT_SAMPLES_PER_GROUP,
    seed: int = 0,
) -> StoragePath:
    """The report of `output` written to `destination` (a local path or an object-store
    URL), complete or not at all."""
    data = gather(output, samples_per_group, seed)
    text = render(data, f"zhclean audit · {output.path.name or output.path}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(destination, text)
    return destination
