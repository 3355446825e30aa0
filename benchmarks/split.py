"""The fixed split of the dev data into a part we tune on and a part we never look at page
by page.

    python benchmarks/split.py ../shared/data            # writes benchmarks/split.json
    python benchmarks/split.py ../shared/data --check    # the file still matches the data

Rules and thresholds fitted to the pages they are scored on look better than they are, so
every quality figure comes in pairs: `tune` (the records we read, debug and fit on) and
`untouched` (scored only as an aggregate, never opened one by one while tuning).

Which part a record is in depends only on its id (a salted SHA-256, so the split is stable
and does not follow file order):

- `extraction/pages.jsonl`: all `tune`. Every rule before the split was fitted on these
  pages; calling any of them untouched would flatter us.
- `extraction/pages-more.jsonl`: half and half, per `site` / `page_type` group, so each
  source has pages on both sides.
- `quality/labelled.jsonl` and `web/inews.jsonl`: half and half per label.

`benchmarks/split.json` lists the untouched ids per file (the tune part is the rest), so
the split can be read without running this script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

SALT = "zhclean-dev-split-v1:"
SPLIT_FILE = Path(__file__).with_name("split.json")
TUNE, UNTOUCHED = "tune", "untouched"
# (file under the data folder, field that names a record's group, share untouched).
SPLIT_FILES: tuple[tuple[str, str, float], ...] = (
    ("extraction/pages.jsonl", "", 0.0),
    ("extraction/pages-more.jsonl", "site|page_type|gold_kind", 0.5),
    ("quality/labelled.jsonl", "label", 0.5),
    ("web/inews.jsonl", "", 0.5),
)


def id_rank(record_id: str) -> str:
    return hashlib.sha256((SALT + record_id).encode("utf-8")).hexdigest()


def group_of(record: dict[str, Any], fields: str) -> str:
    for field in filter(None, fields.split("|")):
        if record.get(field):
            return f"{field}={record[field]}"
    return ""


def compute_split(data_dir: Path) -> dict[str, list[str]]:
    """{file: sorted untouched ids}: in each group, the first half of the ids by hash rank."""
    untouched: dict[str, list[str]] = {}
    for name, fields, share in SPLIT_FILES:
        path = data_dir / name
        if not path.is_file():
            continue
        groups: dict[str, list[str]] = defaultdict(list)
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                groups[group_of(record, fields)].append(str(record["id"]))
        chosen: list[str] = []
        for ids in groups.values():
            ranked = sorted(ids, key=id_rank)
            chosen.extend(ranked[: round(share * len(ranked))])
        untouched[name] = sorted(chosen)
    return untouched


def load_split(split_file: Path = SPLIT_FILE) -> dict[str, set[str]]:
    with split_file.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return {name: set(ids) for name, ids in data["untouched"].items()}


def part_of(file_name: str, record_id: str, split: dict[str, set[str]]) -> str:
    """`tune` or `untouched` for a record of a data file (matched by the file's last two
    path parts, so any data folder works); files outside the split are `tune`."""
    key = "/".join(Path(file_name).parts[-2:])
    return UNTOUCHED if record_id in split.get(key, ()) else TUNE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, nargs="?", default=Path("../shared/data"))
    parser.add_argument("--check", action="store_true", help="exit 1 when split.json differs from the data")
    args = parser.parse_args(argv)
    untouched = compute_split(args.data_dir)
    if args.check:
        same = load_split() == {name: set(ids) for name, ids in untouched.items()}
        print("split.json matches the data" if same else "split.json differs from the data")
        return 0 if same else 1
    about = (
        "Untouched ids per data file (benchmarks/split.py): never opened one by one while tuning; "
        "every other record is in the tune part."
    )
    SPLIT_FILE.write_text(
        json.dumps({"about": about, "salt": SALT, "untouched": untouched}, ensure_ascii=False, indent=1)
        + "\n",
        encoding="utf-8",
    )
    for name, ids in untouched.items():
        print(f"{name}: {len(ids)} untouched")
    return 0


if __name__ == "__main__":
    sys.exit(main())
