"""`zhclean clean` and `zhclean dedup`: a recipe over files, then the one-screen summary.

A run that fails as a whole (nearly every record rejected because it could not be read,
decoded or processed) writes everything it read, says why in a few lines on stderr and
exits with code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zhclean import __version__
from zhclean.cli.common import (
    RUN_FAILED_EXIT,
    UserError,
    default_workers,
    field_names,
    non_negative_float,
    positive_int,
)
from zhclean.cli.startup import skip_pyarrow_pandas_probe
from zhclean.engines import RunResult, run_clean
from zhclean.io.readers import DEFAULT_MAX_RECORD_BYTES, FORMATS, ReaderOptions
from zhclean.io.shards import read_rows, shard_paths
from zhclean.io.storage import StoragePath, as_path
from zhclean.pipeline import CRASH_CODE, DEFAULT_MAX_SECONDS_PER_RECORD
from zhclean.recipe import Recipe, load_recipe
from zhclean.steps import Deduplicator, Step

# "Nearly every record": the share of records rejected for a failure reason (below) from
# which a run counts as failed. A crawl with a few unreadable records is a normal run.
FAILED_RUN_SHARE = 0.9
# Reasons that say a record could not be read, decoded or processed, as opposed to a
# judgement about its content.
FAILURE_PREFIXES = ("io.", "decode.")
# Field names that usually hold a document's text, to suggest for a missing --text-field.
LIKELY_TEXT_FIELDS = (
    "content",
    "contents",
    "body",
    "article",
    "raw_content",
    "document",
    "passage",
    "txt",
    "string",
)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    clean = commands.add_parser(
        "clean",
        help="run a recipe over crawl dumps or text files",
        description=(
            "Run a recipe over inputs (WARC/WET, JSONL[.gz|.zst], Parquet, a directory of .html files) "
            "and write OUT/kept/, OUT/rejected/ (Parquet shards of one schema), OUT/_stats.json and OUT/_manifest.json. "
            "Exit code 0, 2 for a usage error, 1 when nearly every record could not be read, decoded or processed."
        ),
    )
    clean.add_argument(
        "inputs",
        nargs="+",
        type=as_path,
        metavar="INPUT",
        help="a file, a directory, or an s3://… (fsspec) URL",
    )
    clean.add_argument(
        "-o", "--output", required=True, type=as_path, metavar="OUT", help="output directory or s3://… URL"
    )
    clean.add_argument(
        "--recipe", default="default", help="built-in recipe name or TOML file (default: %(default)s)"
    )
    clean.add_argument(
        "--workers",
        type=positive_int,
        default=default_workers(),
        help="processes (default: %(default)s, one per core)",
    )
    clean.add_argument(
        "--overwrite", action="store_true", help="replace the results in a non-empty output directory"
    )
    clean.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local process pool (default) or Ray (needs zhclean[ray])",
    )
    clean.add_argument("--address", help="Ray cluster address (default: start a local Ray)")
    clean.add_argument(
        "--resume", action="store_true", help="continue an interrupted run into the same output directory"
    )
    clean.add_argument("--format", choices=FORMATS, help="reader to use instead of guessing from file names")
    add_reader_options(clean)
    clean.add_argument(
        "--quality-model", type=Path, metavar="MODEL", help="add the fastText quality scorer with this model"
    )
    clean.add_argument(
        "--min-quality",
        type=float,
        metavar="X",
        help="with --quality-model: reject documents scoring below X",
    )
    clean.add_argument("--no-progress", action="store_true", help="no progress bar")
    clean.set_defaults(handler=command_clean)

    dedup = commands.add_parser(
        "dedup",
        help="remove exact and near-duplicate documents",
        description=(
            "Exact duplicates on normalized text, then MinHash on character n-grams. Reads anything "
            "`zhclean clean` reads (typically its kept/ shards) and writes the same kept/rejected layout."
        ),
    )
    dedup.add_argument("inputs", nargs="+", type=as_path, metavar="INPUT")
    dedup.add_argument(
        "-o", "--output", required=True, type=as_path, metavar="OUT", help="output directory or s3://… URL"
    )
    dedup.add_argument(
        "--mode",
        choices=("memory", "staged"),
        default="memory",
        help="memory: one machine's RAM; staged: spill to Parquet for corpora larger than memory",
    )
    dedup.add_argument(
        "--ngram-chars",
        type=positive_int,
        default=5,
        help="shingle size in characters (default: %(default)s)",
    )
    dedup.add_argument("--bands", type=positive_int, default=16, help="LSH bands (default: %(default)s)")
    dedup.add_argument(
        "--rows-per-band", type=positive_int, default=8, help="LSH rows per band (default: %(default)s)"
    )
    dedup.add_argument("--no-exact", action="store_true", help="skip the exact-duplicate pass")
    dedup.add_argument(
        "--workers", type=positive_int, default=default_workers(), help="processes (default: %(default)s)"
    )
    dedup.add_argument(
        "--overwrite", action="store_true", help="replace the results in a non-empty output directory"
    )
    dedup.add_argument("--resume", action="store_true", help="continue an interrupted run")
    dedup.add_argument("--format", choices=FORMATS, help="reader to use instead of guessing from file names")
    add_reader_options(dedup)
    dedup.add_argument("--no-progress", action="store_true", help="no progress bar")
    dedup.set_defaults(handler=command_dedup)


def add_reader_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("text inputs (JSONL and Parquet)")
    group.add_argument("--text-field", default="text", help="field holding the text (default: %(default)s)")
    group.add_argument("--id-field", default="id", help="field holding the record id (default: %(default)s)")
    group.add_argument("--url-field", default="url", help="field holding the URL (default: %(default)s)")
    group.add_argument("--html-field", help="field holding HTML markup to extract instead of text")
    group.add_argument("--raw-base64-field", help="field holding the page's raw bytes, base64-encoded")
    group.add_argument(
        "--keep-fields",
        type=field_names,
        metavar="NAMES",
        help="the input's other fields to carry into the output's `fields` column, comma-separated "
        "(default: all of them; '' for none). A `title` field always fills the `title` column",
    )
    limits = parser.add_argument_group("per-record limits (a record past one is rejected as limit.*)")
    limits.add_argument(
        "--max-record-bytes",
        type=positive_int,
        default=DEFAULT_MAX_RECORD_BYTES,
        metavar="BYTES",
        help="larger records are rejected unread (limit.record_bytes; default: %(default)s)",
    )
    limits.add_argument(
        "--max-seconds-per-record",
        type=non_negative_float,
        default=DEFAULT_MAX_SECONDS_PER_RECORD,
        metavar="SECONDS",
        help="one step may spend this long on one record (limit.seconds; 0: no limit; default: %(default)s)",
    )


def reader_options_from(arguments: argparse.Namespace) -> ReaderOptions:
    return ReaderOptions(
        text_field=arguments.text_field,
        id_field=arguments.id_field,
        url_field=arguments.url_field,
        html_field=arguments.html_field,
        raw_base64_field=arguments.raw_base64_field,
        max_record_bytes=arguments.max_record_bytes,
        keep_fields=arguments.keep_fields,
    )


def command_clean(arguments: argparse.Namespace) -> int:
    recipe = load_recipe(arguments.recipe)
    if arguments.min_quality is not None and not arguments.quality_model:
        raise UserError("--min-quality needs --quality-model")
    if arguments.quality_model:
        from zhclean.quality import quality_steps
        from zhclean.quality.model import ModelError

        if not arguments.quality_model.is_file():
            raise UserError(f"quality model not found: {arguments.quality_model}")
        try:
            added = quality_steps(arguments.quality_model, arguments.min_quality)
        except ModelError as error:
            raise UserError(str(error)) from None
        # A new Recipe, so the fingerprint (and resume's identity check) covers the added steps.
        recipe = Recipe(
            name=f"{recipe.name}+quality",
            description=recipe.description,
            steps=with_scoring_before_dedup(recipe.steps, added),
        )
    return run_and_summarize(recipe, arguments)


def with_scoring_before_dedup(steps: list[Step], added: list[Step]) -> list[Step]:
    """The recipe with `added` (the quality scorer and threshold) before its first
    deduplicator: deduplicators keep the copy with the highest quality, which they can only
    do once documents are scored, and a threshold before them saves comparing documents
    that are dropped anyway."""
    first = next((index for index, step in enumerate(steps) if isinstance(step, Deduplicator)), len(steps))
    return steps[:first] + added + steps[first:]


def run_and_summarize(recipe: Recipe, arguments: argparse.Namespace) -> int:
    """What `clean` and `dedup` share: run a recipe as the arguments say, print the summary."""
    engine = getattr(arguments, "engine", "local")  # `dedup` has no --engine
    if engine == "local":
        skip_pyarrow_pandas_probe()
    result = run_clean(
        arguments.inputs,
        arguments.output,
        recipe.steps,
        recipe_name=recipe.name,
        recipe_fingerprint=recipe.fingerprint(),
        workers=arguments.workers,
        format=arguments.format,
        reader_options=reader_options_from(arguments),
        overwrite=arguments.overwrite,
        resume=arguments.resume,
        max_seconds_per_record=arguments.max_seconds_per_record or None,
        engine=engine,
        ray_address=getattr(arguments, "address", None),
        show_progress=not arguments.no_progress,
    )
    print(summary(result, recipe.name))
    if result.stats.read == 0:
        print(
            f"zhclean: warning: the inputs held no records; {result.out_dir / 'kept'} and "
            f"{result.out_dir / 'rejected'} hold a 0-row shard each",
            file=sys.stderr,
        )
        return 0
    failure = failed_run_message(result, arguments)
    if failure:
        print(failure, file=sys.stderr)
        return RUN_FAILED_EXIT
    return 0


def is_failure(reason: str) -> bool:
    return reason.startswith(FAILURE_PREFIXES) or reason.endswith("." + CRASH_CODE)


def failed_run_message(result: RunResult, arguments: argparse.Namespace) -> str | None:
    """The lines that explain a failed run, or None when the run did not fail: when at
    least FAILED_RUN_SHARE of the records were rejected because they could not be read,
    decoded or processed. Names the commonest such reason, one example of its detail and,
    for a missing field, the fields found and the flag to pass."""
    stats = result.stats
    failures = {reason: count for reason, count in stats.reasons().items() if is_failure(reason)}
    failed = sum(failures.values())
    if failed < FAILED_RUN_SHARE * stats.read:
        return None
    reason, count = max(failures.items(), key=lambda item: item[1])
    detail = first_detail(result.out_dir, reason)
    lines = [
        f"zhclean: error: the run failed: {failed:,} of {stats.read:,} records "
        f"({100 * failed / stats.read:.0f}%) could not be read, decoded or processed"
    ]
    lines.append(
        f"  {count:,} rejected as {reason}"
        + (f": {json.dumps(detail, ensure_ascii=False)[:300]}" if detail else "")
    )
    if reason == "io.missing_field" and detail:
        fields = [str(name) for name in detail.get("fields") or detail.get("columns") or []]
        lines.append(
            f"  the records have no field {detail.get('field')!r}; fields found: {', '.join(fields) or '(none)'}"
        )
        likely = next((name for name in fields if name.lower() in LIKELY_TEXT_FIELDS), None)
        example = f" (here probably --text-field {likely})" if likely else ""
        lines.append(
            f"  pass --text-field NAME with the field that holds the text{example}, "
            "or --html-field / --raw-base64-field for pages"
        )
    elif reason.endswith("." + CRASH_CODE):
        lines.append(
            f"  the step {reason.split('.')[0]!r} raised on these records: a bug, or a recipe parameter it cannot use"
        )
    lines.append(
        f"  everything read is in {result.out_dir / 'rejected'}; see: zhclean audit {result.out_dir} --reason {reason} --sample 3"
    )
    return "\n".join(lines)


def first_detail(out_dir: StoragePath, reason: str) -> dict[str, Any] | None:
    """The detail of the first rejected row with `reason` (read only until it is found)."""
    for row in read_rows(shard_paths(out_dir / "rejected"), ["reason", "detail"]):
        if row["reason"] == reason:
            try:
                detail = json.loads(row["detail"] or "{}")
            except ValueError:
                return None
            return detail if isinstance(detail, dict) else None
    return None


def command_dedup(arguments: argparse.Namespace) -> int:
    from zhclean.dedup.exact import ExactDeduplicator
    from zhclean.dedup.minhash import MinHashDeduplicator

    steps: list[Step] = []
    if not arguments.no_exact:
        steps.append(ExactDeduplicator(mode=arguments.mode))
    steps.append(
        MinHashDeduplicator(
            ngram_chars=arguments.ngram_chars,
            bands=arguments.bands,
            rows_per_band=arguments.rows_per_band,
            mode=arguments.mode,
        )
    )
    recipe = Recipe(name="dedup", description="exact + MinHash deduplication", steps=steps)
    return run_and_summarize(recipe, arguments)


def top_counts(
    heading: str,
    counts: Counter[str],
    top: int,
    stats_name: str,
    share: Callable[[int], str] = lambda count: "",
) -> list[str]:
    """A section of the summary: the `top` most frequent names with their counts, and how
    many more `_stats.json` holds; nothing when there are none."""
    if not counts:
        return []
    lines = ["", heading]
    lines += [f"  {name:<36}{count:>8,}{share(count)}" for name, count in counts.most_common(top)]
    if len(counts) > top:
        lines.append(f"  … {len(counts) - top} more in {stats_name}")
    return lines


def summary(result: RunResult, recipe_name: str, top_reasons: int = 12) -> str:
    """The one screen printed after a run."""
    stats = result.stats
    read = max(1, stats.read)
    lines = [
        f"zhclean {__version__} · recipe {recipe_name} · {result.seconds:.1f} s · "
        f"{stats.read / max(result.seconds, 1e-9):,.0f} records/s",
        f"read {stats.read:,}   kept {stats.kept:,} ({100 * stats.kept / read:.1f}%)   "
        f"rejected {stats.rejected:,} ({100 * stats.rejected / read:.1f}%)",
        "",
        f"{'step':<22}{'in':>10}{'out':>10}{'seconds':>10}",
    ]
    for step in stats.steps:
        lines.append(f"{step.name:<22}{step.docs_in:>10,}{step.docs_out:>10,}{step.seconds:>10.2f}")
    lines += top_counts(
        "rejected by reason:",
        stats.reasons(),
        top_reasons,
        result.stats_path.name,
        lambda count: f"  {100 * count / read:5.1f}%",
    )
    # Only what the kept documents lost: a step also cut fragments from documents that a
    # later step rejected, and those are not in kept/.
    lines += top_counts(
        "stripped from kept documents (fragments):", stats.kept_removals, top_reasons, result.stats_path.name
    )
    lines += [
        "",
        f"kept:     {result.out_dir / 'kept'}",
        f"rejected: {result.out_dir / 'rejected'}",
        f"stats:    {result.stats_path}",
    ]
    return "\n".join(lines)
