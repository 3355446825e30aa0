from zhclean.clean.boilerplate_runs import BoilerplateRunCleaner

MENU = ["首页", "新闻", "体育", "娱乐", "财经", "科技"]
ARTICLE = [
    "今年夏天，江南一带持续高温，不少城市的用电负荷创下历史新高，电力部门采取了多项措施保障供应。",
    "专家提醒",
    "市民在高温天气里应尽量减少户外活动，注意补充水分，老人和儿童尤其要防止中暑。",
    "据气象部门预计，这轮高温天气还将持续一周左右，下周中后期随着冷空气南下，气温将有所下降。",
]
FOOTER = ["关于我们", "联系方式", "网站地图", "隐私政策", "友情链接"]
SIDEBAR = ["热门文章", "城市夏夜的烟火气，让人流连忘返。"]


def test_menus_and_footer_are_dropped_article_with_subheading_kept() -> None:
    text = "\n".join(MENU + ARTICLE + FOOTER + SIDEBAR)
    cleaned = BoilerplateRunCleaner().clean(text)
    assert cleaned.text == "\n".join(ARTICLE)
    rules = {removal.rule for removal in cleaned.removals}
    assert rules == {"runs.before_main", "runs.after_main"}
    assert all(removal.code == "boilerplate_runs.outside_main" for removal in cleaned.removals)


def test_plain_article_is_untouched() -> None:
    text = "\n".join(ARTICLE * 2)
    cleaned = BoilerplateRunCleaner().clean(text)
    assert cleaned.text == text and not cleaned.removals


def test_text_without_prose_is_untouched() -> None:
    text = "\n".join(MENU + FOOTER)
    assert BoilerplateRunCleaner().clean(text).text == text


def test_two_long_posts_are_both_kept() -> None:
    post = ARTICLE[0] + ARTICLE[2] + ARTICLE[3]
    text = "\n".join([post, *FOOTER, post.replace("今年", "去年")])
    cleaned = BoilerplateRunCleaner().clean(text)
    assert post in cleaned.text and post.replace("今年", "去年") in cleaned.text


def test_short_list_items_that_end_like_sentences_are_prose() -> None:
    # Written for this test: a notice whose conditions are short numbered sentences,
    # more of them in a row than the gap a region may bridge.
    items = ["1、年满十八岁。", "2、身体健康。", "3、遵纪守法；", "4、热爱本职。", "5、能吃苦。"]
    text = "\n".join(MENU + [ARTICLE[0], "报名条件：", *items, ARTICLE[2], ARTICLE[3]] + FOOTER)
    cleaned = BoilerplateRunCleaner().clean(text)
    assert all(item in cleaned.text for item in items)
    assert ARTICLE[3] in cleaned.text and "关于我们" not in cleaned.text


def test_short_list_items_without_a_full_stop_are_not() -> None:
    items = ["1、国内新闻", "2、国际新闻", "3、体育", "4、娱乐", "5、财经"]
    text = "\n".join([ARTICLE[0], ARTICLE[2], ARTICLE[3], *items])
    cleaned = BoilerplateRunCleaner().clean(text)
    assert not any(item in cleaned.text for item in items)


# Written for these tests: headlines of a teaser list have commas but no full stop.
HEADLINES = [
    "财经 | 多地出台新政，二手房交易明显回暖",
    "科技 | 国产芯片再获突破，量产时间表曝光",
    "体育 | 主场逆转取胜，球队重回积分榜首位",
    "社会 | 暴雨过后，城区多条道路积水严重",
    "娱乐 | 新片定档国庆，导演携主演亮相发布会",
]


def test_a_list_of_headlines_after_the_article_goes() -> None:
    text = "\n".join(MENU + ARTICLE + HEADLINES + FOOTER)
    cleaned = BoilerplateRunCleaner().clean(text)
    assert cleaned.text == "\n".join(ARTICLE)


def test_long_clauses_and_lines_ending_like_sentences_stay_prose() -> None:
    cut_short = "这段话没有写完，作者在这里换了一行，接着又补充了好几个细节，读起来依然是完整的文章内容"
    quoted = "老人笑着说：“今年的收成比去年好多了。”"
    text = "\n".join(MENU + [ARTICLE[0], cut_short, quoted, ARTICLE[2]] + FOOTER)
    cleaned = BoilerplateRunCleaner().clean(text)
    assert cut_short in cleaned.text and quoted in cleaned.text


def test_a_table_of_short_cells_inside_the_article_stays() -> None:
    # Rows of short cells are not prose, but however many there are, they do not break
    # the article around them into two regions.
    table = ["城市\t最高气温\t用电负荷", *[f"城市{index}\t{38 + index % 3}℃\t{index}万千瓦" for index in range(8)]]
    text = "\n".join(MENU + ARTICLE[:2] + table + ARTICLE[2:] + FOOTER)
    cleaned = BoilerplateRunCleaner().clean(text)
    assert cleaned.text == "\n".join(ARTICLE[:2] + table + ARTICLE[2:])
