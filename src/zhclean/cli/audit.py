"""The `audit` and `report` subcommands of `zhclean`.

    zhclean audit OUT                                   funnel, reasons, stripped rules
    zhclean audit OUT --reason R [--sample N --seed S]  samples, the match highlighted
    zhclean audit OUT --rule ID  [--sample N --seed S]  fragments (and rejections) by rule
    zhclean audit OUT --id DOC_ID                       one document: verdict, reason,
                                                        measured values, rule, every fragment
    zhclean audit diff OUT_A OUT_B                      documents that changed verdict
    zhclean report OUT -o report.html                   the self-contained HTML report

`--format json` prints one JSON object for scripts. User errors print one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from zhclean.audit.definitions import Definitions
from zhclean.audit.diff import Diff, diff_outputs
from zhclean.audit.output import AuditError, CleanedOutput, open_output, parse_json_column
from zhclean.audit.report import write_report
from zhclean.audit.report_data import DEFAULT_SAMPLES_PER_GROUP
from zhclean.audit.samples import (
    Sample,
    find_document,
    rejected_sample,
    removal_sample,
    sample_rejected,
    sample_removals,
)
from zhclean.audit.summary import Summary, summarize
from zhclean.cli.common import non_negative_int, user_error
from zhclean.io.storage import ObjectPath, as_path

DEFAULT_SAMPLES = 5


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds `audit` and `report` to the `zhclean` command's subparsers."""
    audit = subparsers.add_parser(
        "audit",
        help="what was dropped and stripped, why, and by which rule",
        usage="%(prog)s OUT [--reason R] [--rule ID] [--id DOC_ID] [--sample N] [--seed S] [--format text|json]\n"
        "       %(prog)s diff OUT_A OUT_B [--sample N] [--seed S] [--format text|json]",
        description=(
            "Audit an output of `zhclean clean`: the funnel per step, rejected documents per reason and "
            "fragments stripped per rule; with --reason/--rule, samples with the match highlighted; with "
            "--id, one document. `audit diff OUT_A OUT_B` lists documents whose verdict changed."
        ),
    )
    audit.add_argument("targets", nargs="+", metavar="OUT", help="output directory (or: diff OUT_A OUT_B)")
    audit.add_argument(
        "--reason", help="reason or removal code, exact or a prefix (e.g. repetition, ad_lines.qr_follow)"
    )
    audit.add_argument("--rule", help="rule id, exact or a prefix (e.g. ad.qr_follow)")
    audit.add_argument("--id", dest="document_id", metavar="DOC_ID", help="show one document by id")
    audit.add_argument(
        "--sample",
        type=non_negative_int,
        default=None,
        metavar="N",
        help=f"samples to show (default {DEFAULT_SAMPLES} with --reason/--rule, 3 per change for diff)",
    )
    audit.add_argument(
        "--seed", type=int, default=0, metavar="S", help="sampling seed (default: %(default)s)"
    )
    audit.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)"
    )
    audit.set_defaults(handler=command_audit)

    report = subparsers.add_parser(
        "report",
        help="write the self-contained HTML audit report",
        description="Write one self-contained HTML file (no network) auditing OUT.",
    )
    report.add_argument(
        "output_dir",
        type=as_path,
        metavar="OUT",
        help="output directory of `zhclean clean` (or an s3://… URL)",
    )
    report.add_argument(
        "-o",
        "--output",
        type=as_path,
        default=None,
        metavar="FILE",
        help="where to write the report (default: OUT/report.html)",
    )
    report.add_argument(
        "--sample",
        type=non_negative_int,
        default=DEFAULT_SAMPLES_PER_GROUP,
        metavar="N",
        help="samples per reason and per rule (default: %(default)s)",
    )
    report.add_argument(
        "--seed", type=int, default=0, metavar="S", help="sampling seed (default: %(default)s)"
    )
    report.set_defaults(handler=command_report)


# -- handlers ---------------------------------------------------------------------------------


def command_audit(arguments: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    targets: list[str] = arguments.targets
    try:
        if targets[0] == "diff" and len(targets) == 3:
            return audit_diff(open_output(targets[1]), open_output(targets[2]), arguments, out)
        if targets[0] == "diff" and not Path("diff").is_dir():
            return user_error("usage: zhclean audit diff OUT_A OUT_B")
        if len(targets) != 1:
            return user_error("audit takes one output directory (or: audit diff OUT_A OUT_B)")
        output = open_output(targets[0])
        if arguments.document_id:
            return audit_document(output, arguments.document_id, arguments.format, out)
        if arguments.reason or arguments.rule:
            return audit_samples(output, arguments, out)
        return audit_summary(output, arguments.format, out)
    except AuditError as error:
        return user_error(str(error))


def command_report(arguments: argparse.Namespace) -> int:
    try:
        output = open_output(arguments.output_dir)
    except AuditError as error:
        return user_error(str(error))
    destination = arguments.output or output.path / "report.html"
    if destination.is_dir():
        return user_error(f"{destination} is a directory; pass a file name with -o")
    path = write_report(output, destination, samples_per_group=arguments.sample, seed=arguments.seed)
    print(path if isinstance(path, ObjectPath) else path.resolve())
    return 0


def audit_summary(output: CleanedOutput, format: str, out: TextIO) -> int:
    summary = summarize(output)
    definitions = Definitions.for_output(output.stats)
    if format == "json":
        json.dump(summary.as_dict(definitions), out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        out.write(format_summary(summary, definitions))
    return 0


def audit_samples(output: CleanedOutput, arguments: argparse.Namespace, out: TextIO) -> int:
    definitions = Definitions.for_output(output.stats)
    n = DEFAULT_SAMPLES if arguments.sample is None else arguments.sample
    rejected_total, rejected = sample_rejected(
        output, definitions, reason=arguments.reason, rule=arguments.rule, n=n, seed=arguments.seed
    )
    removal_total, removals = sample_removals(
        output, definitions, reason=arguments.reason, rule=arguments.rule, n=n, seed=arguments.seed
    )
    selection = {"reason": arguments.reason, "rule": arguments.rule, "sample": n, "seed": arguments.seed}
    if rejected_total == 0 and removal_total == 0:
        summary = summarize(output)
        if arguments.rule:
            known = sorted(
                {row.rule for row in summary.removals} | set(Definitions.for_output(output.stats).rules)
            )
            label = "rules"
        else:
            known = sorted({row.reason for row in summary.reasons} | {row.code for row in summary.removals})
            label = "reasons and codes"
        what = " and ".join(
            f"{key} {value!r}" for key, value in selection.items() if key in ("reason", "rule") and value
        )
        hint = f"; {label} here: {', '.join(known[:15])}" + (" …" if len(known) > 15 else "") if known else ""
        return user_error(f"no rejected document or stripped fragment matches {what}{hint}")
    if arguments.format == "json":
        json.dump(
            {
                "selection": selection,
                "rejected": {
                    "matching": rejected_total,
                    "samples": [sample.as_dict() for sample in rejected],
                },
                "removals": {"matching": removal_total, "samples": [sample.as_dict() for sample in removals]},
            },
            out,
            ensure_ascii=False,
            indent=2,
            default=str,
        )
        out.write("\n")
        return 0
    colour = out.isatty() if hasattr(out, "isatty") else False
    if rejected_total:
        out.write(
            f"rejected documents matching: {rejected_total:,} (showing {len(rejected)}, seed {arguments.seed})\n\n"
        )
        for sample in rejected:
            out.write(format_sample(sample, definitions, colour))
    if removal_total:
        out.write(
            f"fragments stripped from kept documents matching: {removal_total:,} "
            f"(showing {len(removals)}, seed {arguments.seed})\n\n"
        )
        for sample in removals:
            out.write(format_sample(sample, definitions, colour))
    return 0


def audit_document(output: CleanedOutput, document_id: str, format: str, out: TextIO) -> int:
    found = find_document(output, document_id)
    if found is None:
        return user_error(f"no document with id {document_id!r} in {output.path}")
    which, row = found
    definitions = Definitions.for_output(output.stats)
    removed = list(row.get("removed") or [])
    fragments = [removal_sample(row, position, definitions) for position in range(len(removed))]
    data: dict[str, Any] = {
        "id": document_id,
        "verdict": which,
        "url": row.get("url"),
        "source": row.get("source"),
        "text_chars": len(row.get("text") or ""),
    }
    if which == "rejected":
        sample = rejected_sample(row, definitions)
        data.update(
            reason=row.get("reason"),
            detail=parse_json_column(row.get("detail")),
            definition=definitions.reason_definition(row.get("reason") or ""),
            rules=[
                definitions.rule_definition(rule, row.get("reason") or "")
                for rule in definitions.rule_ids_in(parse_json_column(row.get("detail")))
            ],
            context=sample.as_dict()["context"],
        )
    data["removed"] = [
        dict(fragment.as_dict(), definition=definitions.rule_definition(fragment.rule, fragment.reason))
        for fragment in fragments
    ]
    if format == "json":
        json.dump(data, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return 0
    colour = out.isatty() if hasattr(out, "isatty") else False
    out.write(
        f"{document_id}: {which.upper()}\n  url     {data['url']}\n  source  {data['source']}\n"
        f"  chars   {data['text_chars']:,}\n"
    )
    if which == "rejected":
        out.write(format_sample(sample, definitions, colour, header=False))
    out.write(
        f"\n{len(fragments)} fragments stripped from this document"
        + (" before it was rejected" if which == "rejected" else "")
        + ":\n\n"
    )
    for fragment in fragments:
        out.write(format_sample(fragment, definitions, colour, header=False))
    return 0


def audit_diff(a: CleanedOutput, b: CleanedOutput, arguments: argparse.Namespace, out: TextIO) -> int:
    definitions = Definitions.for_output(b.stats)
    n = 3 if arguments.sample is None else arguments.sample
    diff = diff_outputs(a, b, definitions, samples=n, seed=arguments.seed)
    if arguments.format == "json":
        json.dump(diff.as_dict(), out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        out.write(format_diff(diff))
    return 0


# -- text formatting --------------------------------------------------------------------------


def format_summary(summary: Summary, definitions: Definitions) -> str:
    read = max(1, summary.read)
    lines = [
        f"output {summary.output} · recipe {summary.stats.get('recipe', '?')} · fingerprint "
        f"{summary.stats.get('recipe_fingerprint', '?')}",
        f"read {summary.read:,}   kept {summary.kept:,} ({100 * summary.kept / read:.1f}%)   "
        f"rejected {summary.rejected:,} ({100 * summary.rejected / read:.1f}%)",
    ]
    lines += [f"warning: {warning}" for warning in summary.warnings]
    funnel = summary.funnel()
    if funnel:
        lines += ["", "funnel", f"  {'step':<22}{'in':>10}{'out':>10}{'rejected':>10}{'stripped':>10}"]
        for step in funnel:
            lines.append(
                f"  {step['step']:<22}{step['in']:>10,}{step['out']:>10,}{step['rejected']:>10,}"
                f"{step['removals']:>10,}"
            )
    if summary.reasons:
        lines += [
            "",
            "rejected by reason",
            f"  {'reason':<36}{'docs':>9}{'of rej.':>9}{'of read':>9}{'chars':>13}  defined by",
        ]
        for row in summary.reasons:
            lines.append(
                f"  {row.reason:<36}{row.documents:>9,}{100 * row.documents / max(1, summary.rejected):>8.1f}%"
                f"{100 * row.documents / read:>8.1f}%{row.chars:>13,}  "
                f"{describe_reason(definitions.reason_definition(row.reason))}"
            )
        lines.append(f"  {'total':<36}{summary.rejected:>9,}")
    if summary.removals:
        lines += [
            "",
            "stripped from kept documents, by rule",
            f"  {'code':<30}{'rule':<32}{'fragments':>10}{'docs':>8}{'chars':>11}  defined in",
        ]
        for removal in summary.removals:
            lines.append(
                f"  {removal.code:<30}{removal.rule:<32}{removal.fragments:>10,}{removal.documents:>8,}"
                f"{removal.chars:>11,}  {describe_rule(definitions.rule_definition(removal.rule, removal.code))}"
            )
    changed = [info for info in definitions.rules_files.values() if info.changed_since_run]
    for info in changed:
        lines.append(
            f"warning: rule file {info.name} changed since the run (sha256 {info.sha256[:12]} now, "
            f"{(info.recorded_sha256 or '')[:12]} then)"
        )
    lines += [
        "",
        "samples: zhclean audit OUT --reason REASON | --rule RULE_ID [--sample N --seed S]; "
        "one document: --id DOC_ID",
    ]
    return "\n".join(lines) + "\n"


def describe_reason(definition: dict[str, Any]) -> str:
    if definition.get("kind") != "step":
        return str(definition.get("module") or definition.get("kind"))
    params = definition.get("params")
    shown = ", ".join(
        f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in (params or {}).items()
    )
    if len(shown) > 70:
        shown = shown[:69] + "…"
    return f"step {definition['step']}({shown})" if params is not None else f"step {definition['step']}"


def describe_rule(definition: dict[str, Any]) -> str:
    if definition.get("kind") == "rule":
        return (
            f"{definition['file']}:{definition['line']}"
            if definition.get("line")
            else str(definition["file"])
        )
    return f"code of step {definition.get('step') or '?'}"


def highlight(sample: Sample, colour: bool) -> str:
    if colour:
        return "".join(f"\x1b[7m{text}\x1b[0m" if marked else text for text, marked in sample.segments)
    return "".join(f"[[{text}]]" if marked else text for text, marked in sample.segments)


def indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines()) or prefix


def format_sample(sample: Sample, definitions: Definitions, colour: bool, header: bool = True) -> str:
    lines = []
    if header:
        lines.append(f"── {sample.id}  {sample.url}")
        if sample.source:
            lines.append(f"   source  {sample.source}")
    if sample.kind == "rejected":
        lines.append(
            f"   reason  {sample.reason}  ({describe_reason(definitions.reason_definition(sample.reason))})"
        )
        if sample.detail:
            lines.append(f"   measured {json.dumps(sample.detail, ensure_ascii=False, default=str)}")
        for rule_id in filter(None, sample.rule.split(", ")):
            lines.append(
                f"   rule    {rule_id}  ({describe_rule(definitions.rule_definition(rule_id, sample.reason))})"
            )
        lines.append(f"   text    {sample.text_chars:,} chars, {sample.highlights} highlighted:")
    else:
        lines.append(
            f"   {sample.reason}  rule {sample.rule}  "
            f"({describe_rule(definitions.rule_definition(sample.rule, sample.reason))}) · {sample.note}"
        )
    lines.append(indent(highlight(sample, colour)))
    return "\n".join(lines) + "\n\n"


def format_diff(diff: Diff) -> str:
    changed = sum(change.documents for change in diff.changes)
    lines = [
        f"a: {diff.output_a}",
        f"b: {diff.output_b}",
        f"documents {diff.compared:,}   unchanged {diff.unchanged:,}   changed verdict {changed:,}",
    ]
    if diff.duplicate_ids:
        lines.append(
            f"warning: {diff.duplicate_ids:,} ids occur more than once; their first row was compared"
        )
    if diff.changes:
        lines += ["", f"  {'old verdict':<36}{'new verdict':<36}{'docs':>8}"]
        for change in diff.changes:
            lines.append(f"  {change.old:<36}{change.new:<36}{change.documents:>8,}")
    for change in diff.changes:
        lines += ["", f"{change.old} → {change.new}: {change.documents:,} documents"]
        for sample in change.samples:
            lines.append(f"── {sample['id']}  {sample.get('url', '')}")
            for side in ("old", "new"):
                if f"{side}_detail" in sample:
                    lines.append(
                        f"   {side} measured {json.dumps(sample[f'{side}_detail'], ensure_ascii=False, default=str)}"
                    )
            if sample.get("context"):
                lines.append(indent(sample["context"]))
    return "\n".join(lines) + "\n"
