"""Finds steps by their `name`, so recipes can name them.

There is no registry to edit: every `Step` subclass with a `name` defined in a module of
one of the stage packages below is found. Adding a filter is one module in `filters/`
(exporting it from `filters/__init__.py` is a convenience for Python users, not needed
by recipes).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from types import ModuleType

from zhclean.steps import Step

STAGE_PACKAGES = (
    "zhclean.io",
    "zhclean.extract",
    "zhclean.clean",
    "zhclean.filters",
    "zhclean.quality",
    "zhclean.dedup",
)


def stage_modules(package_name: str) -> list[ModuleType]:
    """The package, then each of its modules (the package's own exports keep their order)."""
    package = importlib.import_module(package_name)
    modules = [package]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        if not info.name.startswith("_"):
            modules.append(importlib.import_module(f"{package_name}.{info.name}"))
    return modules


@functools.lru_cache(maxsize=1)
def _steps() -> dict[str, type[Step]]:
    steps: dict[str, type[Step]] = {}
    for package_name in STAGE_PACKAGES:
        for module in stage_modules(package_name):
            exported = [getattr(module, name) for name in getattr(module, "__all__", ())]
            for candidate in [*exported, *vars(module).values()]:
                if isinstance(candidate, type) and issubclass(candidate, Step) and candidate.name:
                    if candidate.name in steps and steps[candidate.name] is not candidate:
                        raise RuntimeError(f"two steps are named {candidate.name!r}")
                    steps[candidate.name] = candidate
    return steps


def exported_steps() -> dict[str, type[Step]]:
    """Every step class by its recipe name, in stage order."""
    return dict(_steps())


def step_class(name: str) -> type[Step]:
    steps = exported_steps()
    if name not in steps:
        raise KeyError(name)
    return steps[name]
