"""zhclean: scraped Chinese web pages to clean training text for language models.

The public surface: documents and verdicts, the step kinds, the pipeline, recipes
(`load_recipe`), the functions that apply a recipe to strings and tables (`apply`,
`clean_texts`, see `zhclean.api`), and the steps themselves from their stage packages
(`zhclean.extract`, `zhclean.clean`, `zhclean.filters`, `zhclean.quality`,
`zhclean.dedup`); readers and the shard writer are in `zhclean.io`.
"""

__version__ = "0.1.0"

from zhclean.api import apply, clean_texts  # noqa: E402
from zhclean.document import Document, Reject, Rejected, Removal, Source  # noqa: E402
from zhclean.pipeline import Pipeline, PipelineStats, StepStats  # noqa: E402
from zhclean.recipe import Recipe, RecipeError, load_recipe  # noqa: E402
from zhclean.steps import Cleaned, Cleaner, DedupEntry, Deduplicator, Extractor, Filter, Scorer, Step  # noqa: E402

__all__ = [
    "__version__",
    "Document",
    "Reject",
    "Rejected",
    "Removal",
    "Source",
    "Pipeline",
    "PipelineStats",
    "StepStats",
    "Step",
    "Extractor",
    "Cleaner",
    "Cleaned",
    "Filter",
    "Scorer",
    "Deduplicator",
    "DedupEntry",
    "Recipe",
    "RecipeError",
    "load_recipe",
    "apply",
    "clean_texts",
]
