"""Main-content extraction quality and speed: zhclean against its peers, same run.

    python benchmarks/extraction.py ../shared/data/extraction/pages*.jsonl

Input: one or more JSONL files in the schema of `../shared/data/extraction/pages.jsonl`
(`raw_b64` holds the page bytes as served, `gold_kind` says what the gold is, `gold_text`
the main text, or `gold_with` / `gold_without` snippets). Pages are decoded with `zhclean.io.decode`, the
same code the pipeline runs before extraction.

Prints JSON: per extractor, mean precision / recall / F1 of character bigrams
(NFKC-normalized, only `str.isalnum()` characters kept, multisets), snippet checks passed
and pages/s, per `gold_kind`; and for the human gold, per part of the dev split (`tune` /
`untouched`, benchmarks/split.py) and per source (`site` or `page_type`) within each part,
with the worst pages' figures beside the mean: the share of pages under F1 0.5 and the
10th-percentile F1. `--part` scores one part only; `--worst N` lists the N worst pages of
the tune part (the untouched part is never listed page by page).

Peers (the `bench` extra): trafilatura, readability-lxml, resiliparse; a peer that is not
installed is reported as skipped.

`--through-cli` also scores `zhclean_clean`: the pages' raw bytes written as WARC response
records (Content-Type `text/html`, no charset: the decoder finds it) and run through
`zhclean clean --recipe extract` in a fresh process, as a user runs it; a page the run
rejects scores 0. Its pages/s is the whole process's, start-up included.
"""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zhclean.document import Document
from zhclean.extract import MainContentExtractor
from zhclean.extract.visible_text import visible_text
from zhclean.io.decode import decode_bytes
from zhclean.io.shards import read_rows, shard_paths
from zhclean.io.warc_writer import HttpResponse, write_warc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from split import TUNE, UNTOUCHED, load_split, part_of  # noqa: E402  (benchmarks/split.py)

ExtractFunction = Callable[[str, str], str]


# -- the metric ---------------------------------------------------------------------------


def bigrams(text: str) -> Counter[str]:
    kept = "".join(char for char in unicodedata.normalize("NFKC", text) if char.isalnum())
    return Counter(kept[index : index + 2] for index in range(len(kept) - 1))


def bigram_scores(extracted: str, gold: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of the character-bigram multisets."""
    extracted_bigrams, gold_bigrams = bigrams(extracted), bigrams(gold)
    common = sum((extracted_bigrams & gold_bigrams).values())
    if not extracted_bigrams or not gold_bigrams:
        same = not extracted_bigrams and not gold_bigrams
        return (1.0, 1.0, 1.0) if same else (0.0, 0.0, 0.0)
    precision = common / sum(extracted_bigrams.values())
    recall = common / sum(gold_bigrams.values())
    f1 = 0.0 if common == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def snippet_checks(extracted: str, must_have: list[str], must_not_have: list[str]) -> list[tuple[str, bool]]:
    """One (description, passed) per snippet; compared after NFKC and whitespace removal
    so that line breaks inside a snippet do not decide."""

    def squash(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())

    squashed = squash(extracted)
    checks = [(f"with:{snippet}", squash(snippet) in squashed) for snippet in must_have]
    checks += [(f"without:{snippet}", squash(snippet) not in squashed) for snippet in must_not_have]
    return checks


# -- the extractors -----------------------------------------------------------------------


def zhclean_extractor() -> ExtractFunction:
    extractor = MainContentExtractor()

    def extract(html: str, url: str) -> str:
        result = extractor.apply(Document(id="page", url=url, html=html))
        return result.text if isinstance(result, Document) else ""

    return extract


def visible_text_extractor() -> ExtractFunction:
    return lambda html, url: visible_text(html)[0]


def trafilatura_extractor() -> ExtractFunction:
    import trafilatura

    # Main text without comments (as FineWeb runs it; other options at their defaults).
    return lambda html, url: trafilatura.extract(html, url=url or None, include_comments=False) or ""


def readability_extractor() -> ExtractFunction:
    from lxml import html as lxml_html
    from readability import Document as ReadabilityDocument

    def extract(html: str, url: str) -> str:
        summary = ReadabilityDocument(html, url=url or None).summary(html_partial=True)
        tree = lxml_html.fromstring(summary)
        return "\n".join(text.strip() for text in tree.itertext() if text.strip())

    return extract


def resiliparse_extractor() -> ExtractFunction:
    from resiliparse.extract.html2text import extract_plain_text

    return lambda html, url: extract_plain_text(html, main_content=True)


EXTRACTORS: dict[str, Callable[[], ExtractFunction]] = {
    "zhclean": zhclean_extractor,
    "trafilatura": trafilatura_extractor,
    "readability": readability_extractor,
    "resiliparse": resiliparse_extractor,
    "visible_text": visible_text_extractor,
}


def extract_through_cli(pages: list[dict[str, Any]]) -> tuple[list[str], list[float]]:
    """Texts of `zhclean clean --recipe extract` on a WARC of the pages' raw bytes, and the
    whole process's wall time shared equally among the pages."""
    with tempfile.TemporaryDirectory(prefix="zhclean-extraction-") as folder:
        record_ids = [f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, page['id'])}" for page in pages]
        responses = [
            HttpResponse(
                url=page.get("url") or f"http://example.invalid/{page['id']}",
                body=page["raw"],
                record_id=record_id,
            )
            for page, record_id in zip(pages, record_ids, strict=True)
        ]
        warc = write_warc(Path(folder) / "pages.warc.gz", responses)
        out = Path(folder) / "out"
        command = [
            sys.executable,
            "-m",
            "zhclean",
            "clean",
            str(warc),
            "-o",
            str(out),
            "--recipe",
            "extract",
            "--no-progress",
        ]
        began = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - began
        texts = {
            row["id"]: row["text"] for row in read_rows(shard_paths(out / "kept"), columns=["id", "text"])
        }
    return [texts.get(record_id, "") for record_id in record_ids], [elapsed / len(pages)] * len(pages)


# -- the run ------------------------------------------------------------------------------


def load_pages(
    path: Path, split: dict[str, set[str]] | None = None
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Decoded pages with their gold and their part of the dev split (`part`) and source
    (`group`: `site`, else `page_type`, else the file); pages whose bytes are not a page
    are counted."""
    split = load_split() if split is None else split
    pages: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            raw = base64.b64decode(row.get("raw_b64") or "")
            decoded = decode_bytes(raw) if raw else None
            if decoded is None or "<" not in decoded[0]:
                skipped[f"{row.get('gold_kind')}: raw is not a page"] += 1
                continue
            part = part_of(str(path), str(row["id"]), split)
            group = row.get("site") or row.get("page_type") or path.stem
            pages.append({**row, "html": decoded[0], "raw": raw, "part": part, "group": group})
    return pages, skipped


def run_extractor(extract: ExtractFunction, pages: list[dict[str, Any]]) -> tuple[list[str], list[float]]:
    texts: list[str] = []
    seconds: list[float] = []
    for page in pages:
        began = time.perf_counter()
        try:
            text = extract(page["html"], page.get("url") or "")
        except Exception as error:  # a peer crashing on a page scores 0 there, not a crash
            text = ""
            print(f"  {page['id']}: {type(error).__name__}: {error}", file=sys.stderr)
        seconds.append(time.perf_counter() - began)
        texts.append(text)
    return texts, seconds


def worst_page_figures(f1s: list[float]) -> dict[str, Any]:
    """Mean F1 with the figures of the worst pages beside it."""
    ordered = sorted(f1s)
    return {
        "pages": len(ordered),
        "f1": round(sum(ordered) / len(ordered), 4),
        "f1_p10": round(ordered[int(0.1 * (len(ordered) - 1))], 4),
        "share_under_0.5": round(sum(f1 < 0.5 for f1 in ordered) / len(ordered), 4),
    }


def summarize(pages: list[dict[str, Any]], texts: list[str], seconds: list[float]) -> dict[str, Any]:
    by_kind: dict[str, dict[str, Any]] = {}
    human_f1s: dict[str, dict[str, list[float]]] = {}  # part -> group -> F1 of each page
    for page, text, spent in zip(pages, texts, seconds, strict=True):
        kind = page["gold_kind"]
        entry = by_kind.setdefault(
            kind, {"pages": 0, "seconds": 0.0, "scores": [], "checks": [], "per_page": {}}
        )
        entry["pages"] += 1
        entry["seconds"] += spent
        if page.get("gold_text"):
            scores = bigram_scores(text, page["gold_text"])
            entry["scores"].append(scores)
            entry["per_page"][page["id"]] = round(scores[2], 4)
            if kind == "human":
                human_f1s.setdefault(page["part"], {}).setdefault(page["group"], []).append(scores[2])
        if page.get("gold_with") or page.get("gold_without"):
            checks = snippet_checks(text, page.get("gold_with") or [], page.get("gold_without") or [])
            entry["checks"].extend(checks)
            failed = [name for name, passed in checks if not passed]
            entry["per_page"][page["id"]] = failed or "ok"
    result: dict[str, Any] = {}
    for kind, entry in by_kind.items():
        summary: dict[str, Any] = {
            "pages": entry["pages"],
            "pages_per_second": round(entry["pages"] / max(entry["seconds"], 1e-9), 1),
        }
        if entry["scores"]:
            count = len(entry["scores"])
            summary["precision"] = round(sum(score[0] for score in entry["scores"]) / count, 4)
            summary["recall"] = round(sum(score[1] for score in entry["scores"]) / count, 4)
            summary["f1"] = round(sum(score[2] for score in entry["scores"]) / count, 4)
            summary.update(
                {
                    key: value
                    for key, value in worst_page_figures([score[2] for score in entry["scores"]]).items()
                    if key != "f1" and key != "pages"
                }
            )
        if entry["checks"]:
            summary["snippet_checks_passed"] = sum(passed for _, passed in entry["checks"])
            summary["snippet_checks"] = len(entry["checks"])
        summary["per_page"] = entry["per_page"]
        result[kind] = summary
    parts: dict[str, Any] = {}
    for part, groups in sorted(human_f1s.items()):
        every_page = [f1 for f1s in groups.values() for f1 in f1s]
        parts[part] = {
            **worst_page_figures(every_page),
            "by_source": {group: worst_page_figures(f1s) for group, f1s in sorted(groups.items())},
        }
    result["human_by_part"] = parts
    total_seconds = sum(seconds)
    result["all"] = {"pages": len(pages), "pages_per_second": round(len(pages) / max(total_seconds, 1e-9), 1)}
    return result


def worst_pages(
    pages: list[dict[str, Any]], texts_by_extractor: dict[str, list[str]], count: int
) -> list[dict[str, Any]]:
    """The tune part's human-gold pages where zhclean scores lowest, with every extractor's
    F1 and zhclean's precision and recall beside them (the untouched part is not listed)."""
    main = "zhclean_clean" if "zhclean_clean" in texts_by_extractor else "zhclean"
    rows = []
    for index, page in enumerate(pages):
        if page["part"] != TUNE or page["gold_kind"] != "human" or not page.get("gold_text"):
            continue
        precision, recall, f1 = bigram_scores(texts_by_extractor[main][index], page["gold_text"])
        row: dict[str, Any] = {
            "id": page["id"],
            "group": page["group"],
            "p": round(precision, 3),
            "r": round(recall, 3),
        }
        for name, texts in texts_by_extractor.items():
            row[name] = round(bigram_scores(texts[index], page["gold_text"])[2], 3)
        rows.append((f1, row))
    rows.sort(key=lambda entry: entry[0])
    return [row for _, row in rows[:count]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "pages", type=Path, nargs="+", help="JSONL in the schema of ../shared/data/extraction/pages.jsonl"
    )
    parser.add_argument("--extractors", default=",".join(EXTRACTORS), help="comma-separated subset")
    parser.add_argument("--kinds", default="", help="only these gold_kind prefixes (comma-separated)")
    parser.add_argument(
        "--part", choices=(TUNE, UNTOUCHED, "all"), default="all", help="one part of the dev split"
    )
    parser.add_argument("--per-page", action="store_true", help="include per-page F1 / failed checks")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst tune pages of zhclean")
    parser.add_argument(
        "--through-cli",
        action="store_true",
        help="also score `zhclean clean --recipe extract` on a WARC of the pages",
    )
    args = parser.parse_args(argv)

    pages: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    split = load_split()
    for path in args.pages:
        file_pages, file_skipped = load_pages(path, split)
        pages += file_pages
        skipped += file_skipped
    if args.kinds:
        prefixes = tuple(args.kinds.split(","))
        pages = [page for page in pages if page["gold_kind"].startswith(prefixes)]
    if args.part != "all":
        pages = [page for page in pages if page["part"] == args.part]
    report: dict[str, Any] = {"pages": len(pages), "skipped_pages": dict(skipped), "extractors": {}}
    names = args.extractors.split(",") + (["zhclean_clean"] if args.through_cli else [])
    texts_by_extractor: dict[str, list[str]] = {}
    for name in names:
        if name == "zhclean_clean":
            texts, seconds = extract_through_cli(pages)
        else:
            try:
                extract = EXTRACTORS[name]()
            except ImportError as error:
                report["extractors"][name] = {
                    "skipped": f"not installed ({error.name}); pip install 'zhclean[bench]'"
                }
                continue
            texts, seconds = run_extractor(extract, pages)
        texts_by_extractor[name] = texts
        summary = summarize(pages, texts, seconds)
        for kind, entry in summary.items():
            if not args.per_page or kind == "human_by_part":
                entry.pop("per_page", None)
            elif "per_page" in entry:  # the untouched part is never listed page by page
                untouched = {page["id"] for page in pages if page["part"] == UNTOUCHED}
                entry["per_page"] = {
                    key: value for key, value in entry["per_page"].items() if key not in untouched
                }
        report["extractors"][name] = summary
    if args.worst and ("zhclean" in texts_by_extractor or "zhclean_clean" in texts_by_extractor):
        report["worst_tune_pages"] = worst_pages(pages, texts_by_extractor, args.worst)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
