"""Cleaners: text to text, every cut recorded as a `Removal` with its rule id."""

from zhclean.clean.ad_lines import AdLineCleaner
from zhclean.clean.boilerplate_runs import BoilerplateRunCleaner
from zhclean.clean.normalize import Normalizer
from zhclean.clean.pii import PersonalDataCleaner
from zhclean.clean.traditional import TraditionalToSimplified
from zhclean.clean.whitespace import WhitespaceNormalizer

__all__ = [
    "AdLineCleaner",
    "BoilerplateRunCleaner",
    "Normalizer",
    "PersonalDataCleaner",
    "TraditionalToSimplified",
    "WhitespaceNormalizer",
]
