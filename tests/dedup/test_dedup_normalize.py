from __future__ import annotations

import random

import numpy as np
import pytest

from zhclean.dedup import normalize
from zhclean.dedup.normalize import (
    _exact_normalized_code_points,
    _whole_text_normalized_code_points,
    normalized_code_points,
    normalized_text,
    remembered_normalization,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天天气很好。", "今天天气很好"),
        ("今天 天气\u3000很好，\n我们去公园！", "今天天气很好我们去公园"),
        ("ＡＢＣ１２３和abc", "abc123和abc"),  # full-width letters and digits
        ("零\u200b宽\u200d空格", "零宽空格"),  # zero-width space and joiner (format characters)
        ("⼈民⽇报", "人民日报"),  # Kangxi radicals become the ideographs they look like
        ("《红楼梦》——曹雪芹", "红楼梦曹雪芹"),
        ("价格：￥100元 © 2023", "价格100元2023"),
        ("ｶﾞｲﾄﾞ", "ガイド"),  # half-width katakana with voiced marks compose
        ("！！！", ""),
        ("", ""),
    ],
)
def test_normalized_text(text: str, expected: str) -> None:
    assert normalized_text(text) == expected


def test_fast_path_equals_unicodedata_path() -> None:
    rng = random.Random(5)
    ranges = [
        (0x20, 0x3000),
        (0x3000, 0x3100),
        (0x4E00, 0x4E80),
        (0xFF00, 0xFFF0),
        (0x1D400, 0x1D800),
        (0x2F00, 0x2FE0),
    ]
    for _ in range(3000):
        text = "".join(chr(rng.randrange(*rng.choice(ranges))) for _ in range(rng.randint(1, 10)))
        fast = normalized_code_points(text)
        exact = _exact_normalized_code_points(text)
        assert np.array_equal(fast, exact), repr(text)


def test_lone_surrogate_is_dropped_not_an_error() -> None:
    assert normalized_text("前\ud800后") == "前后"


def test_entries_resolved_on_first_use_agree_with_unicodedata_everywhere() -> None:
    # Table entries are worked out the first time a text holds the code point: texts
    # drawn from all of Unicode (every plane, assigned or not) must agree with the
    # exact path whether their entries were resolved before or by this very call.
    rng = random.Random(11)
    for _ in range(2000):
        text = "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(1, 6)))
        assert np.array_equal(normalized_code_points(text), _exact_normalized_code_points(text)), repr(text)


def test_whole_text_path_equals_character_by_character_definition() -> None:
    rng = random.Random(13)
    for _ in range(2000):
        text = "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(1, 6)))
        text += "e\u0301ｶﾞ\u1100\u1161 Σ，"[rng.randrange(10) :]  # marks, jamo, sigma
        assert np.array_equal(
            _whole_text_normalized_code_points(text), _exact_normalized_code_points(text)
        ), repr(text)


def test_remembered_normalization_gives_a_text_its_first_result_once() -> None:
    texts = ["今天天气很好。", "e\u0301和ＡＢＣ", "！！！"]
    expected = [normalized_code_points(text) for text in texts]
    with remembered_normalization():
        first = [normalized_code_points(text) for text in texts]
        second = [normalized_code_points(text) for text in texts]
        third = normalized_code_points(texts[1])
    assert all(got is again for got, again in zip(first, second, strict=True))
    assert third is not first[1] and not third.flags.writeable
    for got, want in zip([*first, third], [*expected, expected[1]], strict=True):
        assert np.array_equal(got, want)
    assert normalize._remembered is None
