"""The README's "From Python" examples, run as written: each ```python block of that
section, in order, in one namespace (later blocks use what earlier ones defined)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(section: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {section}\n")
    end = text.find("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start : end if end != -1 else None], flags=re.DOTALL)


def run(blocks: list[str]) -> None:
    namespace: dict[str, object] = {"__name__": "readme"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - the README's own examples


def test_the_from_python_section_has_the_examples_the_readme_promises() -> None:
    blocks = python_blocks("From Python")
    joined = "\n".join(blocks)
    for call in (
        "zhclean.clean_texts",
        "zhclean.apply",
        "zhclean.load_recipe",
        "recipe.apply(frame",
        ".map(recipe.apply",
        "map_batches(recipe.apply",
        "check_text",
        "clean_text",
        "read_documents",
        "ShardWriter",
    ):
        assert call in joined, call


def test_from_python_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    run([block for block in python_blocks("From Python") if "import ray" not in block])
    printed = capsys.readouterr().out
    assert "length.too_short" in printed and "gambling" in printed


@pytest.mark.slow
def test_from_python_ray_example_runs() -> None:
    blocks = python_blocks("From Python")
    run([blocks[0], blocks[1], *[block for block in blocks if "import ray" in block]])
