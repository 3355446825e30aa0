"""Recipes: a pipeline written as TOML, so it can be shared, versioned and fingerprinted.

    description = "what this recipe is for"

    [[steps]]
    name = "length"     # a step's recipe name (`zhclean recipe steps` lists them)
    min_chars = 50      # any of its constructor parameters; the rest keep their defaults

Built-in recipes live in `zhclean/recipes/*.toml` and are used by name. Every parameter is
checked for type and range when a recipe loads (`Step.check_params`), so a value of the
wrong kind (`min_han_share = "0.2"`) or scale (`min_han_share = 20`) stops the run at once
instead of rejecting every document.

From Python, a recipe applies like its pipeline: `load_recipe("default").apply(df)`.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from zhclean.registry import exported_steps
from zhclean.steps import Step

if TYPE_CHECKING:
    from zhclean.pipeline import Pipeline

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class RecipeError(Exception):
    """A recipe that cannot be built; the message says what is valid instead."""


@dataclass
class Recipe:
    name: str
    description: str
    steps: list[Step]

    def to_toml(self) -> str:
        return recipe_to_toml(self.steps, self.description)

    def fingerprint(self) -> str:
        """Changes when any step or parameter changes; the same recipe always gives the same."""
        return hashlib.sha256(recipe_to_toml(self.steps, "").encode()).hexdigest()[:16]

    # -- applying it from Python: each call runs a new Pipeline of these steps --------------

    def pipeline(self) -> Pipeline:
        from zhclean.pipeline import Pipeline

        return Pipeline(self.steps)

    def apply(
        self,
        data: Any,
        text_column: str = "text",
        id_column: str | None = None,
        html_column: str | None = None,
    ) -> Any:
        """`Pipeline.apply` with this recipe's steps: `data` (a DataFrame, a pyarrow Table,
        a batch dict, a list of strings, a 🤗 dataset) with zhclean's columns added."""
        return self.pipeline().apply(
            data, text_column=text_column, id_column=id_column, html_column=html_column
        )

    def keeps(
        self,
        data: Any,
        text_column: str = "text",
        id_column: str | None = None,
        html_column: str | None = None,
    ) -> Any:
        """`Pipeline.keeps`: whether each row is kept, for `datasets.Dataset.filter`."""
        return self.pipeline().keeps(
            data, text_column=text_column, id_column=id_column, html_column=html_column
        )

    def clean_text(self, text: str) -> str | None:
        return self.pipeline().clean_text(text)

    def clean_texts(self, texts: Iterable[str]) -> list[str | None]:
        return self.pipeline().clean_texts(texts)


def builtin_recipe_names() -> list[str]:
    folder = resources.files("zhclean") / "recipes"
    return sorted(
        entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml")
    )


def builtin_recipe_text(name: str) -> str:
    return (resources.files("zhclean") / "recipes" / f"{name}.toml").read_text(encoding="utf-8")


def load_recipe(name_or_path: str | os.PathLike[str]) -> Recipe:
    """A built-in recipe by name, or a TOML file by path."""
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(
            f"load_recipe takes a recipe name ({', '.join(builtin_recipe_names())}) or a TOML file path, "
            f"not {type(name_or_path).__name__}"
        )
    name_or_path = os.fspath(name_or_path)
    if name_or_path in builtin_recipe_names():
        return parse_recipe(builtin_recipe_text(name_or_path), name_or_path)
    path = Path(name_or_path)
    if path.is_file():
        return parse_recipe(path.read_text(encoding="utf-8"), str(path))
    raise RecipeError(
        f"no recipe {name_or_path!r}: not a built-in ({', '.join(builtin_recipe_names())}) nor a file"
    )


def parse_recipe(text: str, name: str) -> Recipe:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RecipeError(f"recipe {name}: not valid TOML: {error}") from None
    unknown = set(data) - {"description", "steps"}
    if unknown:
        raise RecipeError(
            f"recipe {name}: unknown top-level key(s) {sorted(unknown)}; valid: description, steps"
        )
    tables = data.get("steps", [])
    if not isinstance(tables, list) or not tables:
        raise RecipeError(f"recipe {name}: needs at least one [[steps]] table")
    steps = [build_step(table, f"recipe {name}, step {index + 1}") for index, table in enumerate(tables)]
    return Recipe(name=name, description=str(data.get("description", "")), steps=steps)


def build_step(table: dict[str, Any], where: str) -> Step:
    available = exported_steps()
    step_name = table.get("name")
    if step_name not in available:
        raise RecipeError(f"{where}: unknown step {step_name!r}; valid steps: {', '.join(sorted(available))}")
    step_class = available[step_name]
    params = {key: value for key, value in table.items() if key != "name"}
    valid = step_class.parameter_names()
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise RecipeError(
            f"{where}: step {step_name!r} has no parameter {', '.join(map(repr, unknown))}; "
            f"valid: {', '.join(valid) or '(none)'}"
        )
    try:
        step_class.check_params(params)
        return step_class(**params)
    except (TypeError, ValueError) as error:
        raise RecipeError(f"{where}: step {step_name!r}: {error}") from None


def recipe_to_toml(steps: list[Step], description: str = "") -> str:
    """Every parameter written out, one `[[steps]]` table per step, so the file shows what
    can be tuned."""
    parts = [tomli_w.dumps({"description": description})] if description else []
    for step in steps:
        parts.append("\n[[steps]]\n" + tomli_w.dumps({"name": step.name, **toml_safe(step.get_params())}))
    return "".join(parts)


def toml_safe(params: dict[str, Any]) -> dict[str, Any]:
    # TOML has no null: a parameter left at None is omitted, which rebuilds it as None.
    return {
        key: (list(value) if isinstance(value, tuple) else value)
        for key, value in params.items()
        if value is not None
    }
