"""The shared text toolkit: word tries, the literals a rule pattern requires, and the
letters re.IGNORECASE joins that str.lower keeps apart."""

from __future__ import annotations

import re

import pytest

from zhclean.filters.spam_words import EXTRA_CASE_GROUPS, fold_case
from zhclean.text.patterns import required_literals, trie_pattern, two_character_gate

WORDS = ["博彩", "博彩网", "赌场", "百家乐", "更多", "更多>>", "a", "ab"]


@pytest.mark.parametrize(
    "text",
    ["欢迎来到博彩网注册", "博彩公司", "澳门赌场百家乐", "查看更多>>新闻", "更多>消息", "xaby", "无关的文字"],
)
def test_a_trie_finds_the_longest_word_where_a_longest_first_alternation_does(text: str) -> None:
    flat = re.compile("|".join(re.escape(word) for word in sorted(WORDS, key=len, reverse=True)))
    trie = re.compile(trie_pattern(WORDS))
    gated = re.compile(two_character_gate(WORDS) + trie_pattern(WORDS))
    assert [match.group() for match in trie.finditer(text)] == [
        match.group() for match in flat.finditer(text)
    ]
    assert [match.group() for match in gated.finditer(text)] == [
        match.group() for match in flat.finditer(text)
    ]


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        ("扫码关注", {"扫码关注"}),
        ("(?:扫描|长按)二维码", {"二维码"}),  # the longer, non-ASCII literal is the rarer
        ("微信|公众号", {"微信", "公众号"}),
        ("版权所有.{0,20}", {"版权所有"}),
        ("[：:]\\s*\\d+", {"：", ":"}),
        ("(?:关注)?我们", {"我们"}),
        ("责任编辑[：:]", {"责任编辑"}),
        ("a+b", {"a", "b"}),  # either alone is required: one of them is kept
        ("点击(?=这里)", {"点击"}),  # a lookahead requires nothing of the match itself
        ("(?P<name>联系)电话", {"联系"}),
    ],
)
def test_required_literals(pattern: str, required: set[str]) -> None:
    literals = required_literals(pattern)
    assert literals is not None and literals <= required
    assert literals & required


@pytest.mark.parametrize("pattern", ["\\d+", ".*", "[^。]{5,}", "(?i)广告", "\\x41", "(?:关注)?"])
def test_patterns_that_require_nothing_readable_give_none(pattern: str) -> None:
    assert required_literals(pattern) is None


@pytest.mark.parametrize(
    "pattern", ["(?:扫描|长按)二维码关注", "版权所有|未经授权不得转载", "[客服热线]{2}电话\\s*[:：]"]
)
def test_every_match_holds_a_required_literal(pattern: str) -> None:
    literals = required_literals(pattern)
    assert literals
    for text in ["长按二维码关注我们", "本站版权所有", "未经授权不得转载", "客服电话：", "热线电话:"]:
        for match in re.finditer(pattern, text):
            assert any(literal in match.group() for literal in literals)


@pytest.mark.parametrize("group", EXTRA_CASE_GROUPS)
def test_each_extra_case_group_is_one_letter_to_re_ignorecase(group: tuple[int, ...]) -> None:
    for code in group:
        for other in group:
            assert re.fullmatch(re.escape(chr(code)), chr(other), re.IGNORECASE)
    assert len({chr(code).lower() for code in group}) > 1  # str.lower keeps them apart
    assert len({fold_case(chr(code)) for code in group}) == 1  # fold_case joins them
