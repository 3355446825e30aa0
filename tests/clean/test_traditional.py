import pytest

from zhclean.clean.opencc_changes import CHANGES_FILE, change_detector, opencc_paths, write_changes_file
from zhclean.clean.traditional import TraditionalToSimplified


@pytest.mark.parametrize(
    ("config", "text", "expected_text", "script"),
    [
        ("t2s", "這個軟體的網絡設計很複雜。", "这个软体的网络设计很复杂。", "Hant"),
        ("tw2s", "這個軟體的網路設計很複雜。", "这个软体的网路设计很复杂。", "Hant"),
        ("t2s", "这是简体中文，不需要转换。", "这是简体中文，不需要转换。", "Hans"),
        ("off", "這是繁體中文。", "這是繁體中文。", "Hant"),
    ],
)
def test_conversion_and_script(config: str, text: str, expected_text: str, script: str) -> None:
    cleaned = TraditionalToSimplified(config=config).clean(text)
    assert cleaned.text == expected_text
    assert cleaned.meta["script_original"] == script


def test_unknown_config_is_an_error() -> None:
    with pytest.raises(ValueError):
        TraditionalToSimplified(config="s2t")


# Texts with and without what OpenCC changes, including phrases whose characters are all
# ordinary Simplified ones (回覆 → 回复, 深沈 → 深沉) and phrases it copies (乾隆).
DETECTOR_CASES = [
    "这是简体中文，不需要转换。",
    "这個字是繁體。",
    "请尽快回覆邮件。",
    "他心情深沈。",
    "乾隆皇帝下江南。",
    "什么都没有覆盖。",
    "沈阳的天气不错，坏天气少。",
    "Plain ASCII text with no Han at all.",
    "",
    "中\x00國",
]


@pytest.mark.parametrize("config", ["t2s", "tw2s", "hk2s", "off"])
def test_skipped_conversions_are_those_opencc_would_not_change(config: str) -> None:
    step = TraditionalToSimplified(config=config)
    converter = step.converter()
    detector = change_detector("t2s" if config == "off" else config)
    assert detector is not None
    for text in DETECTOR_CASES:
        if not detector.may_change(text):
            assert converter.convert(text) == text, repr(text)
    assert detector.may_change("请尽快回覆邮件。") and detector.may_change("这個字是繁體。")
    assert not detector.may_change("这是简体中文，不需要转换。")


def test_skipping_gives_the_result_of_converting() -> None:
    fast = TraditionalToSimplified()
    slow = TraditionalToSimplified()
    slow.converter()
    slow._detector = None  # convert every text, as without a detector
    for text in DETECTOR_CASES:
        assert fast.clean(text) == slow.clean(text), repr(text)


def test_stored_changes_match_the_installed_dictionaries(tmp_path) -> None:
    import json

    import opencc

    stored = json.loads(CHANGES_FILE.read_text(encoding="utf-8"))
    if stored["opencc_version"] != opencc.__version__ or not opencc_paths()[1].exists():
        pytest.skip("another OpenCC version, or no opencc_dict: the stored file is not used")
    write_changes_file(tmp_path / "changes.json")
    assert json.loads((tmp_path / "changes.json").read_text(encoding="utf-8")) == stored


def test_a_change_outside_han_characters_has_share_zero() -> None:
    # No dictionary of today's OpenCC changes a text without Han characters, but one
    # that did must give share 0, not divide by a Han count of 0.
    class Replacing:
        def convert(self, text: str) -> str:
            return text.replace("a", "b")

    step = TraditionalToSimplified()
    step._converter, step._detector = Replacing(), None
    cleaned = step.clean("abc")
    assert cleaned.text == "bbc"
    assert cleaned.meta == {"script_original": "Hans", "traditional_char_share": 0.0}
