from __future__ import annotations

from pathlib import Path

import pytest

from zhclean.recipe import RecipeError, builtin_recipe_names, load_recipe, parse_recipe


@pytest.mark.parametrize("name", ["extract", "clean-text", "heuristics", "default"])
def test_builtin_recipes_load_and_round_trip(name: str, tmp_path: Path) -> None:
    recipe = load_recipe(name)
    assert recipe.steps and recipe.description
    written = tmp_path / f"{name}.toml"
    written.write_text(recipe.to_toml(), encoding="utf-8")
    again = load_recipe(str(written))
    assert again.steps == recipe.steps
    assert again.fingerprint() == recipe.fingerprint()


def test_the_four_builtins_exist() -> None:
    assert {"extract", "clean-text", "heuristics", "default"} <= set(builtin_recipe_names())


def test_parameters_override_defaults() -> None:
    recipe = parse_recipe('[[steps]]\nname = "length"\nmin_chars = 5\n', "inline")
    assert recipe.steps[0].get_params()["min_chars"] == 5
    assert recipe.fingerprint() != parse_recipe('[[steps]]\nname = "length"\n', "inline").fingerprint()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[steps]]\nname = "no_such_step"\n', "valid steps: .*length"),
        (
            '[[steps]]\nname = "length"\nmin_char = 5\n',
            "no parameter 'min_char'; valid: min_chars, max_chars",
        ),
        ('steps = "length"\n', "at least one"),
        ('[[steps]]\nname = "length"\n[extra]\nx = 1\n', "unknown top-level"),
        ("[[steps]\n", "not valid TOML"),
    ],
)
def test_bad_recipes_say_what_is_valid(text: str, message: str) -> None:
    with pytest.raises(RecipeError, match=message):
        parse_recipe(text, "bad")


def test_unknown_recipe_name_lists_builtins() -> None:
    with pytest.raises(RecipeError, match="default"):
        load_recipe("no-such-recipe")


def test_a_step_is_found_by_recipes_from_its_module_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding a step is one module in a stage package: no registry or export line to edit."""
    import zhclean.filters
    from zhclean import registry

    (tmp_path / "shouting.py").write_text(
        "from zhclean.steps import Filter\n\n\n"
        "class ShoutingFilter(Filter):\n"
        "    name = 'shouting'\n"
        "    codes = ('too_many',)\n\n"
        "    def check(self, doc):\n"
        "        return None\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(zhclean.filters, "__path__", [*zhclean.filters.__path__, str(tmp_path)])
    registry._steps.cache_clear()
    try:
        assert registry.step_class("shouting").__name__ == "ShoutingFilter"
    finally:
        registry._steps.cache_clear()
