"""Filters: keep a document, or reject it with a declared code and measured values."""

from zhclean.filters.cjk_ratio import HanShareFilter
from zhclean.filters.contacts import ContactDensityFilter
from zhclean.filters.keyword_stuffing import KeywordStuffingFilter
from zhclean.filters.length import LengthFilter
from zhclean.filters.mojibake import MojibakeFilter
from zhclean.filters.punctuation import PunctuationFilter
from zhclean.filters.repetition import RepetitionFilter
from zhclean.filters.script import ScriptFilter
from zhclean.filters.spam_words import SpamWordFilter
from zhclean.filters.stop_words import StopWordFilter

__all__ = [
    "HanShareFilter",
    "ContactDensityFilter",
    "KeywordStuffingFilter",
    "LengthFilter",
    "MojibakeFilter",
    "PunctuationFilter",
    "RepetitionFilter",
    "ScriptFilter",
    "SpamWordFilter",
    "StopWordFilter",
]
