import pytest

from zhclean.clean.normalize import Normalizer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３，你好！", "ABC123，你好！"),  # full-width letters/digits out, Chinese punctuation kept
        ("他说：“好的。”（完）", "他说：“好的。”（完）"),
        ("\u3000\u3000段落开头缩进", "段落开头缩进"),
        ("零\u200b宽\u200d字符\ufeff", "零宽字符"),
        ("控制\x07字符\x00", "控制字符"),
        ("A&amp;B&nbsp;C &#20013;&#x6587;", "A&B C 中文"),
        ("双重&amp;quot;转义&amp;quot;", '双重"转义"'),
        ("第一段\n\n\n\n第二段", "第一段\n\n第二段"),
        ("行尾空格   \n  行首", "行尾空格\n行首"),
        # A table's row keeps one tab between cells; tabs at a line's ends go.
        ("城市 \t\t 人口\t面积\t\n\t北京\t2189万", "城市\t人口\t面积\n北京\t2189万"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert Normalizer().clean(text).text == expected


@pytest.mark.parametrize(
    ("text", "key", "positive"),
    [
        ("正常的中文文本，没有乱码。", "mojibake_share", False),
        ("锟斤拷锟斤拷锟斤拷文本", "mojibake_share", True),
        ("鐨勬槸涓嶈兘锛屾垜浠銆", "mojibake_share", True),
        ("有替换字符\ufffd\ufffd", "replacement_char_share", True),
    ],
)
def test_mojibake_meta(text: str, key: str, positive: bool) -> None:
    assert (Normalizer().clean(text).meta[key] > 0) is positive


def test_spaces_beside_consecutive_line_breaks_go_in_one_pass() -> None:
    # The second line break follows the space the first match took: it starts a match too.
    once = Normalizer().clean("第一段\n \n 第二段").text
    assert once == "第一段\n\n第二段"
    assert Normalizer().clean(once).text == once


def test_whitespace_step_keeps_one_tab_between_a_rows_cells() -> None:
    from zhclean.clean.whitespace import WhitespaceNormalizer

    text = "\t城市 \t 人口\u3000\u3000面积\t\n\n北京\t\t2189万  两千"
    assert WhitespaceNormalizer().clean(text).text == "城市\t人口 面积\n北京\t2189万 两千"
