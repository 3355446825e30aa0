"""Text helpers shared by the steps: regular-expression building for word lists."""

from zhclean.text.patterns import character_class, two_character_gate

__all__ = ["character_class", "two_character_gate"]
