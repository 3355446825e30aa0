"""The quality gate (benchmarks/gate.py) as a test: extraction, text cleaning, heuristics
and dedup figures on ../shared/data must stay at or above the floors pinned in
benchmarks/floors.json. Skips when the evaluation data is absent (a fresh clone has no
../shared); point ZHCLEAN_SHARED_DATA at a copy of it to run the gate elsewhere."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    configured = os.environ.get("ZHCLEAN_SHARED_DATA")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"


def load_gate() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package: load gate.py by its path.
    spec = importlib.util.spec_from_file_location(
        "zhclean_quality_gate", REPOSITORY / "benchmarks" / "gate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_floors_file_is_well_formed() -> None:
    floors = json.loads((REPOSITORY / "benchmarks" / "floors.json").read_text(encoding="utf-8"))["floors"]
    assert floors
    for name, bounds in floors.items():
        assert {"min", "max"} & set(bounds), f"{name} has neither a floor nor a ceiling"


def test_quality_stays_above_pinned_floors() -> None:
    data_dir = shared_data_dir()
    if not (data_dir / "extraction" / "pages.jsonl").exists():
        pytest.skip(f"quality gate skipped: no evaluation data at {data_dir} (set ZHCLEAN_SHARED_DATA)")
    report = load_gate().run_gate(data_dir)
    failed = "\n".join(f"  {check['figure']}: {'; '.join(check['failures'])}" for check in report["failed"])
    assert report["passed"], f"quality below the floors of benchmarks/floors.json:\n{failed}"
