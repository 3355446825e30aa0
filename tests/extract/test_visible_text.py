from zhclean.extract.visible_text import visible_text

ROWS = "<tr><th>城市</th><th>人口</th></tr><tr><td>北京</td><td>2189万</td></tr>"


def test_a_table_row_is_one_line_with_its_cells_separated_by_tabs() -> None:
    text, _ = visible_text(f"<html><body><p>人口统计如下。</p><table>{ROWS}</table></body></html>")
    lines = [line for line in text.split("\n") if line]
    assert lines == ["人口统计如下。", "城市\t人口", "北京\t2189万"]


def test_a_layout_cell_still_breaks_into_its_blocks() -> None:
    html = "<table><tr><td><p>第一段正文。</p><p>第二段正文。</p></td><td><ul><li>菜单</li></ul></td></tr></table>"
    text, _ = visible_text(html)
    assert [line for line in text.split("\n") if line] == ["第一段正文。", "第二段正文。", "菜单"]
