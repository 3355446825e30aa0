"""zhclean on the data you already have: strings, tables, DataFrames, 🤗 datasets, Ray Data.

    import zhclean

    zhclean.clean_texts(["一段文字……", "另一段……"])           # each text as kept, or None
    zhclean.apply(df)                                          # the rows, with zhclean's columns
    recipe = zhclean.load_recipe("default")
    dataset = dataset.map(recipe.apply, batched=True)          # 🤗 datasets
    dataset = dataset.filter(recipe.keeps, batched=True)
    ray_dataset.map_batches(recipe.apply, batch_format="pyarrow")   # Ray Data

`apply` returns its input's type with the same rows in the same order, and these columns
added (or replaced, when the input has a column of that name):

    text     str    the kept text; for a rejected row, the most processed text there was
    kept     bool
    reason   str    `<step>.<code>` of a rejected row (`spam_words.gambling`), else null
    detail   str    JSON of the measured values behind the reason, else null
    removed  list   fragments cut from the text: {code, rule, text}
    quality  float  the quality score, when the recipe has a scorer

The same names and types as in `zhclean clean`'s Parquet output. A deduplicating recipe
compares the rows of one call: a whole DataFrame or Table, or one batch of `map`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from zhclean.pipeline import Pipeline
from zhclean.recipe import Recipe, load_recipe
from zhclean.tables import ACCEPTED, OUTPUT_COLUMNS

__all__ = ["ACCEPTED", "OUTPUT_COLUMNS", "apply", "clean_texts", "pipeline_for"]


def pipeline_for(recipe: Any) -> Pipeline:
    """A pipeline from a recipe name or file, a Recipe, a Pipeline or a list of steps."""
    if isinstance(recipe, Pipeline):
        return recipe
    if isinstance(recipe, Recipe):
        return recipe.pipeline()
    if isinstance(recipe, (str, os.PathLike)):
        return load_recipe(recipe).pipeline()
    if isinstance(recipe, Iterable):
        return Pipeline(list(recipe))
    raise TypeError(
        f"recipe must be a recipe name or TOML path, a zhclean Recipe, a Pipeline or a list of steps, "
        f"not {type(recipe).__name__}"
    )


def apply(
    data: Any,
    recipe: Any = "default",
    *,
    text_column: str = "text",
    id_column: str | None = None,
    html_column: str | None = None,
) -> Any:
    """`data` with zhclean's columns added, cleaned with `recipe` (a built-in name, a TOML
    file, a Recipe, a Pipeline or a list of steps). See the module docstring."""
    return pipeline_for(recipe).apply(
        data, text_column=text_column, id_column=id_column, html_column=html_column
    )


def clean_texts(texts: Iterable[str], recipe: Any = "default") -> list[str | None]:
    """Each text as `recipe` keeps it, or None where it rejects it."""
    return pipeline_for(recipe).clean_texts(texts)
