import pytest

from zhclean.clean.ad_lines import AdLineCleaner, single_line

BODY = "这家小店开在老街的拐角，店主每天清晨五点就开始揉面，做出来的包子皮薄馅大。"
TRAILING_RULES = {"ad.copyright.notice", "ad.reprint.notice", "ad.disclaimer.statement"}


@pytest.mark.parametrize(
    ("line", "code", "rule"),
    [
        ("扫码关注我们的微信公众号", "ad_lines.qr_follow", "ad.qr_follow.scan"),
        ("点击上方蓝字关注我们", "ad_lines.qr_follow", "ad.qr_follow.official_account"),
        ("关注某某资讯公众号，每天推送本地新闻。", "ad_lines.qr_follow", "ad.qr_follow.official_account"),
        ("Copyright © 2003-2024 某某网 版权所有", "ad_lines.copyright", "ad.copyright.notice"),
        (
            "京ICP备12345678号-1 京公网安备11010502000001号",
            "ad_lines.copyright",
            "ad.copyright.licence_number",
        ),
        ("转载请注明出处，未经授权不得转载。", "ad_lines.reprint", "ad.reprint.notice"),
        ("免责声明：本文仅代表作者个人观点，与本站无关。", "ad_lines.disclaimer", "ad.disclaimer.statement"),
        ("责任编辑：李四", "ad_lines.byline", "ad.byline.editor"),
        ("来源：某某日报  作者：张三", "ad_lines.byline", "ad.byline.editor"),
        ("上一篇：春天的故事", "ad_lines.navigation", "ad.navigation.prev_next"),
        ("返回顶部", "ad_lines.navigation", "ad.navigation.back"),
        ("当前位置：首页 > 新闻 > 本地", "ad_lines.navigation", "ad.navigation.breadcrumb"),
        ("分享到：微博 微信 QQ空间", "ad_lines.share", "ad.share.widget"),
        ("打开APP阅读全文", "ad_lines.read_more", "ad.read_more.prompt"),
        ("相关阅读", "ad_lines.read_more", "ad.read_more.related_header"),
        (
            "老街包子铺年营业额破百万 本报讯 城东老街的一家包子铺凭借皮薄馅大的手艺，去年营业额…【详细】",
            "ad_lines.read_more",
            "ad.read_more.teaser",
        ),
        (
            "社区食堂开张，老人吃饭不再发愁。居民们说，这里的饭菜便宜又可口，就是排队的人太...... [全文]",
            "ad_lines.read_more",
            "ad.read_more.teaser",
        ),
        ("加微信：abc12345 了解详情", "ad_lines.contact", "ad.contact.wechat_qq"),
        ("咨询电话：010-12345678", "ad_lines.contact", "ad.contact.phone_call"),
        ("广告", "ad_lines.ad_marker", "ad.marker.label"),
        ("广告位招租 联系我们", "ad_lines.ad_marker", "ad.marker.placement"),
        ("阅读(1234) 评论(56)", "ad_lines.counter", "ad.counter.views_comments"),
        ("发表评论", "ad_lines.comment_box", "ad.counter.comment_box"),
        ("旅行中的故事【小王】08-11 16:06 298字 [43/0]", "ad_lines.listing", "ad.listing.thread_index"),
    ],
)
def test_boilerplate_lines_are_removed_with_their_rule(line: str, code: str, rule: str) -> None:
    if rule in TRAILING_RULES:  # these go only after the main text
        text = f"{BODY}\n{BODY}再写一句。\n{BODY}又写一句。\n{line}"
    else:
        text = f"{BODY}\n{line}\n{BODY}再写一句。"
    cleaned = AdLineCleaner().clean(text)
    assert line not in cleaned.text
    assert BODY in cleaned.text
    assert [(r.code, r.rule) for r in cleaned.removals] == [(code, rule)]


@pytest.mark.parametrize(
    "line",
    [
        # Long paragraphs that merely mention a trigger word are content.
        "记者：你平时通过什么渠道了解国家的农业政策？这些政策对你们合作社的经营有什么影响？",
        # Short lines that report on accounts rather than ask to follow one.
        "该市网信办持续关注各类公众号的违规行为。",
        "记者注意到，不少家长关注育儿类公众号。",
        # An ellipsis that ends a quotation, not a summary cut short before its link.
        "他站在门口看了很久，只说了一句：“再等等吧……”",
        "该公司因未经授权使用他人作品，被法院判决赔偿损失，法院认为其行为构成侵权，" * 3,
        "她在文章里写道，版权所有者应当得到尊重，这是创作者继续创作的基础，也是整个行业健康发展的前提。" * 2,
    ],
)
def test_content_is_kept(line: str) -> None:
    cleaned = AdLineCleaner().clean(f"{BODY}\n{line}")
    assert cleaned.text == f"{BODY}\n{line}"
    assert not cleaned.removals


@pytest.mark.parametrize(
    ("line", "kept", "rule"),
    [
        # Long lines: a short one would go entirely by a line rule.
        (BODY * 2 + "更多精彩内容，请关注我们的网站。", BODY * 2, "ad.fragment.more_prompt"),
        (BODY * 2 + "（责任编辑：赵六）", BODY * 2, "ad.fragment.source_note"),
        (BODY * 2 + "欢迎扫描下方二维码关注。", BODY * 2 + "欢迎", "ad.fragment.follow_sentence"),
    ],
)
def test_fragments_inside_a_line(line: str, kept: str, rule: str) -> None:
    cleaned = AdLineCleaner().clean(line)
    assert cleaned.text == kept
    assert [r.rule for r in cleaned.removals] == [rule]


def test_repeated_lines() -> None:
    text = f"本地新闻\n{BODY}\n本地新闻\n{BODY}\n这是另一段完整的内容，和前面的不一样。"
    cleaned = AdLineCleaner().clean(text)
    assert cleaned.text == f"{BODY}\n这是另一段完整的内容，和前面的不一样。"
    assert sorted(r.rule for r in cleaned.removals) == [
        "ad.repeated.label",
        "ad.repeated.label",
        "ad.repeated.line",
    ]


def test_rules_never_cross_lines() -> None:
    assert single_line(r"^[\s【]*a\s*[^。]{0,3}$") == r"^[ \t【]*a[ \t]*[^\n。]{0,3}$"


# Written for these tests: an article whose middle paragraph is about copyright.
ARTICLE = [
    "去年冬天，一位老作家把自己几十年的手稿整理成册，交给了家乡的图书馆。",
    "馆长说，这批手稿记录了小城半个世纪的变化，有很多从未发表过的散文和书信。",
    "作家特别声明：版权归家乡图书馆所有，任何人都可以免费阅读和研究。",
    "图书馆准备明年春天办一个小型展览，让更多市民看到这些珍贵的文字，也请来作家本人和读者见面。",
    "不少中学老师已经报名，打算带学生来参观，听作家讲讲写作的故事。",
]


def test_a_notice_in_the_middle_of_an_article_stays() -> None:
    text = "\n".join(ARTICLE)
    cleaned = AdLineCleaner().clean(text)
    assert cleaned.text == text and not cleaned.removals


def test_a_notice_at_the_top_stays_and_the_same_notice_at_the_end_goes() -> None:
    notice = "版权声明：本文为作者原创，转载请注明出处。"
    at_top = AdLineCleaner().clean("\n".join([notice, *ARTICLE]))
    assert notice in at_top.text
    at_end = AdLineCleaner().clean("\n".join([*ARTICLE, notice, "免责声明：本文仅代表作者个人观点。"]))
    assert notice not in at_end.text and "免责声明" not in at_end.text
    assert [removal.rule for removal in at_end.removals] == ["ad.copyright.notice", "ad.disclaimer.statement"]


def test_a_notice_needs_prose_before_it_as_set() -> None:
    notice = "转载请注明出处。"
    text = "\n".join([ARTICLE[0], notice])
    assert notice in AdLineCleaner().clean(text).text  # one sentence is not an article yet
    assert notice not in AdLineCleaner(trailing_min_prose_before=20).clean(text).text


def test_a_text_that_is_only_notices_is_emptied() -> None:
    text = "特别声明：以上内容仅供参考，不代表本站观点。\n转载请注明出处。"
    assert AdLineCleaner().clean(text).text == ""


def test_values_repeated_down_a_table_column_stay() -> None:
    # One cell per line, as a page's visible text lays a table out: 同上 and 必修 recur
    # with different neighbours each time.
    rows = [
        ["课程", "学分", "性质"],
        ["高等数学", "5", "必修"],
        ["线性代数", "3", "同上"],
        ["大学物理", "4", "同上"],
        ["艺术欣赏", "2", "选修"],
        ["体育", "1", "必修"],
    ]
    text = "\n".join([BODY, *[cell for row in rows for cell in row], BODY + "再写一句。"])
    cleaned = AdLineCleaner().clean(text)
    assert cleaned.text == text and not cleaned.removals


def test_numbered_entries_repeated_by_every_record_stay_and_fields_keep_their_first_copy() -> None:
    # Every programme of an admissions notice lists the same exam subjects, every album of
    # a discography the same fields: data, not a widget's labels repeated as a block. Each
    # subject belongs to its programme; a repeated field keeps one copy, as a feed's
    # "类别：新闻" would.
    records = [
        ["美术学", "1、外国语", "2、中外美术史", "语言：国语"],
        ["设计学", "1、外国语", "2、中外美术史", "语言：国语"],
        ["戏剧学", "1、外国语", "2、中外美术史", "语言：国语"],
    ]
    text = "\n".join([BODY, *[line for record in records for line in record]])
    cleaned = AdLineCleaner().clean(text)
    expected = [BODY, "美术学", "1、外国语", "2、中外美术史", "语言：国语"]
    for programme in ("设计学", "戏剧学"):
        expected += [programme, "1、外国语", "2、中外美术史"]
    assert cleaned.text.split("\n") == expected
    assert [removal.text for removal in cleaned.removals] == ["语言：国语", "语言：国语"]
    assert {removal.rule for removal in cleaned.removals} == {"ad.repeated.line"}


def test_a_menu_repeated_as_a_block_still_goes() -> None:
    menu = ["国内", "国际", "图片", "视频"]
    text = "\n".join([*menu, BODY, BODY + "再写一句。", *menu])
    cleaned = AdLineCleaner().clean(text)
    assert cleaned.text == "\n".join([BODY, BODY + "再写一句。"])
    assert {removal.rule for removal in cleaned.removals} == {"ad.repeated.label"}


@pytest.mark.parametrize(
    "line",
    [
        # Sentences of news that use a widget's or a footer's words.
        "外交部发言人今天就此事发表评论，表示欢迎双方重启对话。",
        "一份专门刊登广告的免费周报近日在本市创刊，每周一出版。",
        "车管所在大厅公布了举报电话，接受群众对工作人员的监督。",
        # A year in brackets, and a list item of an article.
        "市中心的纪念碑落成 (1958)",
        "* 西安（1）",
    ],
)
def test_sentences_years_and_list_items_stay(line: str) -> None:
    text = f"{BODY}\n{line}\n{BODY}再写一句。"
    cleaned = AdLineCleaner().clean(text)
    assert line in cleaned.text and not cleaned.removals


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("文明上网，理性发言。", "ad.counter.comment_policy"),
        ("周末去哪儿玩 (23)", "ad.listing.thread_index"),
    ],
)
def test_comment_policy_and_reply_counts_still_go(line: str, rule: str) -> None:
    cleaned = AdLineCleaner().clean(f"{BODY}\n{line}\n{BODY}再写一句。")
    assert line not in cleaned.text
    assert [removal.rule for removal in cleaned.removals] == [rule]


# Long enough (over 80 characters) that no line rule takes the whole paragraph.
LEAD = BODY + "每到周末，排队买包子的人能从店门口一直排到巷子口，不少人专门从城东赶过来。"


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [
        ("乘客在闸机前扫描二维码，完成付款后即可进站乘车。", True),
        ("专家提醒，关注公众号、下载陌生软件都可能泄露个人信息。", True),
        ("今年来华访问的外国记者比往年多，更多的各国新闻界人士前来访问。", True),
        ("扫描下方二维码关注我们，获取更多活动信息。", False),
        ("更多精彩内容，请关注本报客户端。", False),
    ],
)
def test_promotional_fragments_are_prompts_not_reports(sentence: str, kept: bool) -> None:
    cleaned = AdLineCleaner().clean(LEAD + sentence)
    assert cleaned.text == (LEAD + sentence if kept else LEAD)
