"""`zhclean recipe`: list, show, check and describe recipes."""

from __future__ import annotations

import argparse
import sys

from zhclean.recipe import builtin_recipe_names, load_recipe
from zhclean.registry import exported_steps


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    recipe = commands.add_parser("recipe", help="list, show, check and describe recipes")
    recipe_commands = recipe.add_subparsers(dest="recipe_command", required=True, metavar="ACTION")
    recipe_commands.add_parser("list", help="the built-in recipes").set_defaults(handler=command_recipe_list)
    show = recipe_commands.add_parser(
        "show", help="print a recipe as TOML with every parameter, a starting point for your own"
    )
    show.add_argument("recipe", help="built-in recipe name or TOML file")
    show.set_defaults(handler=command_recipe_show)
    check = recipe_commands.add_parser(
        "check", help="check recipe files: step names, parameter names, types and ranges"
    )
    check.add_argument("recipes", nargs="+", metavar="RECIPE", help="built-in recipe name or TOML file")
    check.set_defaults(handler=command_recipe_check)
    recipe_commands.add_parser(
        "steps", help="every step a recipe can name, with its parameters"
    ).set_defaults(handler=command_recipe_steps)


def command_recipe_list(arguments: argparse.Namespace) -> int:
    for name in builtin_recipe_names():
        recipe = load_recipe(name)
        print(f"{name:<12} {recipe.description}")
    return 0


def command_recipe_show(arguments: argparse.Namespace) -> int:
    recipe = load_recipe(arguments.recipe)
    if arguments.recipe in builtin_recipe_names():
        header = f"# zhclean recipe '{recipe.name}' with every parameter at its value; save, edit, pass with --recipe FILE\n"
    else:
        header = f"# {recipe.name}\n"
    sys.stdout.write(header + recipe.to_toml())
    return 0


def command_recipe_check(arguments: argparse.Namespace) -> int:
    """Loads each recipe as a run would (step names, parameter names, types and ranges):
    a bad one is the same one-line error and exit code 2 as `clean --recipe` gives."""
    for name in arguments.recipes:
        recipe = load_recipe(name)
        print(f"{name}: ok, {len(recipe.steps)} steps ({', '.join(step.name for step in recipe.steps)})")
    return 0


def command_recipe_steps(arguments: argparse.Namespace) -> int:
    for name, step_class in exported_steps().items():
        params = ", ".join(f"{key}={value!r}" for key, value in step_class.default_params().items())
        codes = ", ".join(step_class.codes) or "-"
        print(f"{name:<16} {step_class.__name__}({params})\n{'':<16} reject codes: {codes}")
    return 0
