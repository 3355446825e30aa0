"""MainContentExtractor: boilerplate removal with rule ids, main-content choice, structure,
page kinds and pathological pages. All pages are written for the test."""

from __future__ import annotations

import pickle

import pytest
from selectolax.lexbor import LexborHTMLParser

from zhclean.document import Document, Reject
from zhclean.extract import MainContentExtractor
from zhclean.extract.blocks import TEXT_TAG_ID
from zhclean.extract.dom_tokens import DEFAULT_RULES_FILE, DomTokenRules, class_words
from zhclean.rules import load_rules_file

PARAGRAPHS = [
    "今年春天，小镇的图书馆终于重新开放了。馆长说，修缮工作持续了整整两年，书架、灯光和座椅都换成了新的。",
    "开馆第一天，来借书的居民排起了长队。一位退休教师告诉记者，她已经很久没有在安静的阅览室里坐一下午了。",
    "图书馆还开设了儿童阅读角，每周六上午由志愿者给孩子们讲故事，报名的家庭比预想的多出一倍。",
]
NAV = (
    '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/news">新闻</a></li>'
    '<li><a href="/sports">体育</a></li></ul>'
)
FOOTER_LINKS = '<div><a href="/about">关于我们</a> | <a href="/contact">联系我们</a></div>'


def article_page(
    extra_inside: str = "", extra_outside: str = "", wrapper_class: str = "article-content"
) -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    return (
        "<html><head><title>小镇图书馆重新开放_示例新闻网</title></head><body>"
        f"{NAV}<div class='{wrapper_class}'><h1>小镇图书馆重新开放</h1>{body}{extra_inside}</div>"
        f"{extra_outside}{FOOTER_LINKS}</body></html>"
    )


def extract(html: str, **params: object) -> Document | Reject:
    return MainContentExtractor(**params).apply(Document(id="page", html=html))  # type: ignore[arg-type]


def extracted(html: str, **params: object) -> Document:
    result = extract(html, **params)
    assert isinstance(result, Document), result
    return result


# -- boilerplate blocks become Removals with their rule ------------------------------------

BOILERPLATE_CASES = [
    ('<div class="ad">特价促销，点击领取优惠券</div>', "main_content.ad", "dom.ad", "特价促销"),
    ('<div id="guanggao_2">招商加盟火热进行中</div>', "main_content.ad", "dom.ad", "招商加盟"),
    ('<div class="topAd">全场五折起</div>', "main_content.ad", "dom.ad", "全场五折"),
    ('<div class="sidebar"><p>本站热门标签汇总</p></div>', "main_content.sidebar", "dom.sidebar", "热门标签"),
    ("<nav><p>频道导航说明文字</p></nav>", "main_content.nav", "dom.nav", "频道导航"),
    ('<div class="breadcrumb">当前位置：首页 > 新闻</div>', "main_content.nav", "dom.nav", "当前位置"),
    ("<footer><p>本网站由示例公司运营维护</p></footer>", "main_content.footer", "dom.footer", "运营维护"),
    ('<div class="share-box">分享到微博 分享到微信</div>', "main_content.share", "dom.share", "分享到微博"),
    (
        '<div id="comment_list"><p>网友甲：写得真好，支持！</p></div>',
        "main_content.comment",
        "dom.comment",
        "网友甲",
    ),
    (
        '<div class="related-news"><p>延伸内容：另一座城市的图书馆</p></div>',
        "main_content.related",
        "dom.related",
        "另一座城市",
    ),
    ('<div class="tuijian">为你推荐的精彩内容</div>', "main_content.related", "dom.related", "为你推荐"),
    ('<div class="login-box">请先登录后再发表看法</div>', "main_content.login", "dom.login", "请先登录"),
    (
        '<div style="display: none">隐藏的关键词堆砌文本</div>',
        "main_content.hidden",
        "dom.hidden",
        "关键词堆砌",
    ),
    ("<div hidden>另一段隐藏文字</div>", "main_content.hidden", "dom.hidden", "另一段隐藏"),
    ("<form><p>输入手机号获取验证码</p></form>", "main_content.form", "dom.form", "获取验证码"),
    ("<iframe>您的浏览器不支持框架</iframe>", "main_content.iframe", "dom.iframe", "不支持框架"),
    ("<p>版权所有 © 2004 示例新闻网</p>", "main_content.footer", "text.copyright", "版权所有"),
    ("<p>责任编辑：王小明</p>", "main_content.byline", "text.byline", "王小明"),
    ("<p>【打印】【关闭】 上一篇 下一篇</p>", "main_content.nav", "text.page_tools", "上一篇"),
]


def test_the_walk_knows_lexbor_s_tag_id_of_text_nodes() -> None:
    paragraph = LexborHTMLParser("<p>文字</p>").css_first("p")
    assert paragraph is not None and paragraph.first_child is not None
    assert paragraph.first_child.tag_id == TEXT_TAG_ID


@pytest.mark.parametrize(("block", "code", "rule", "fragment"), BOILERPLATE_CASES)
def test_boilerplate_inside_the_article_is_removed_with_its_rule(
    block: str, code: str, rule: str, fragment: str
) -> None:
    doc = extracted(article_page(extra_inside=block))
    assert fragment not in doc.text
    assert PARAGRAPHS[0] in doc.text and PARAGRAPHS[2] in doc.text
    matching = [removal for removal in doc.removed if fragment in removal.text]
    assert matching, doc.removed
    assert (matching[0].code, matching[0].rule) == (code, rule)


def test_hidden_jammer_text_inside_a_paragraph_is_cut_without_breaking_the_line() -> None:
    paragraph = (
        '图书馆的<font class="jammer">乱码干扰</font>开放时间是每天上午九点到晚上八点，节假日照常开放。'
    )
    doc = extracted(article_page(extra_inside=f"<p>{paragraph}</p>"))
    assert "图书馆的开放时间是每天上午九点到晚上八点，节假日照常开放。" in doc.text
    assert any(removal.rule == "dom.hidden" and removal.text == "乱码干扰" for removal in doc.removed)


@pytest.mark.parametrize(
    "class_name",
    ["head-line", "shadow", "download", "loading", "badge", "gradient", "address", "thread"],
)
def test_words_that_merely_contain_a_token_are_not_boilerplate(class_name: str) -> None:
    block = f'<div class="{class_name}"><p>这段说明文字属于正文的一部分，不能被当作广告删掉。</p></div>'
    doc = extracted(article_page(extra_inside=block))
    assert "不能被当作广告删掉" in doc.text


def test_a_matched_wrapper_holding_the_article_is_kept() -> None:
    doc = extracted(article_page(wrapper_class="main has-sidebar"))
    for paragraph in PARAGRAPHS:
        assert paragraph in doc.text


def test_wechat_content_hidden_until_a_script_shows_it_is_extracted() -> None:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
    html = (
        '<html><head><meta property="og:title" content="公众号文章标题"></head><body>'
        '<div class="rich_media_content" id="js_content" style="visibility: hidden;">'
        f"{body}</div><div class='qr_code_pc'>微信扫一扫关注该公众号</div></body></html>"
    )
    doc = extracted(html)
    assert PARAGRAPHS[1] in doc.text
    assert doc.meta["title"] == "公众号文章标题"


def test_navigation_and_footer_links_are_not_in_the_text() -> None:
    doc = extracted(article_page())
    for fragment in ("首页", "体育", "关于我们", "联系我们"):
        assert fragment not in doc.text
    assert doc.meta["page_kind"] == "article"


# -- structure and metadata ----------------------------------------------------------------


def test_paragraphs_are_lines_and_the_title_goes_to_meta() -> None:
    doc = extracted(article_page())
    lines = doc.text.split("\n")
    assert lines[-3:] == PARAGRAPHS
    assert doc.meta["title"] == "小镇图书馆重新开放_示例新闻网"
    assert doc.html is None


def test_table_rows_are_lines_with_cells_joined_by_tabs() -> None:
    table = (
        "<table><tr><th>年份</th><th>借阅人次</th></tr>"
        "<tr><td>2019年</td><td>一万二千</td></tr><tr><td>2020年</td><td>八千</td></tr></table>"
    )
    doc = extracted(article_page(extra_inside=table))
    assert "年份\t借阅人次\n2019年\t一万二千\n2020年\t八千" in doc.text


def test_list_items_are_lines() -> None:
    items = "<ul><li>周一闭馆整理</li><li>周二至周日正常开放</li></ul>"
    doc = extracted(article_page(extra_inside=items))
    assert "周一闭馆整理\n周二至周日正常开放" in doc.text


def test_old_gbk_style_page_with_br_and_nbsp_paragraphs() -> None:
    paragraphs = "<br><br>".join(f"&nbsp;&nbsp;&nbsp;&nbsp;{paragraph}" for paragraph in PARAGRAPHS)
    links = "".join(
        f'<tr><td><a href="/n{index}">相关新闻标题第{index}条</a></td></tr>' for index in range(12)
    )
    html = (
        "<html><body><table width=760><tr><td width=180><table>"
        f"{links}</table></td><td width=580><font size=3>{paragraphs}</font></td></tr></table>"
        "</body></html>"
    )
    doc = extracted(html)
    assert doc.text.split("\n") == PARAGRAPHS


def test_a_line_wrapped_in_the_source_is_not_split_by_a_space() -> None:
    html = article_page(extra_inside="<p>源代码里这一句被\n换行了，但读者看到的是一整句话。</p>")
    assert "源代码里这一句被换行了，但读者看到的是一整句话。" in extracted(html).text


# -- page kinds -----------------------------------------------------------------------------


def test_a_list_page_is_recognised() -> None:
    items = "".join(
        f'<li class="item"><a href="/n/{index}">第{index}期社区活动通知发布</a>'
        f"<span>2021-05-{index:02d}</span></li>"
        for index in range(1, 21)
    )
    html = f"<html><head><title>通知列表</title></head><body>{NAV}<ul class='list'>{items}</ul></body></html>"
    doc = extracted(html)
    assert doc.meta["page_kind"] == "list"
    assert "第7期社区活动通知发布" in doc.text


def forum_thread() -> str:
    posts = [
        "楼主：我家附近新开了一家图书馆，环境很好，周末可以带孩子去看看，大家有什么推荐的书吗？欢迎一起讨论。",
        "推荐几本科普绘本，孩子看得很开心，图书馆里应该都能借到。",
        "同意楼上，另外儿童阅读角的志愿者讲故事也很不错，值得一去。",
        "谢谢分享，这个周末就带孩子过去。",
    ]
    boxes = "".join(
        f'<div class="post"><div class="author"><a href="/u/{index}">用户{index}</a></div>'
        f'<div class="post-body">{text}</div><div class="post-info">发表于 2021-06-0{index} 10:00</div></div>'
        for index, text in enumerate(posts, start=1)
    )
    head = "<html><head><title>图书馆讨论帖</title></head>"
    return f"{head}<body>{NAV}<div id='postlist'>{boxes}</div></body></html>"


def test_a_forum_thread_yields_its_first_post() -> None:
    doc = extracted(forum_thread())
    assert doc.meta["page_kind"] == "forum"
    assert "有什么推荐的书吗" in doc.text
    assert "科普绘本" not in doc.text


def test_forum_replies_can_be_kept() -> None:
    doc = extracted(forum_thread(), forum_replies=True)
    assert "科普绘本" in doc.text and "有什么推荐的书吗" in doc.text


# -- pathological pages are rejected with a reason -------------------------------------------

PATHOLOGICAL_CASES = [
    (
        "<html><body>" + "<p>很长的页面。</p>" * 2000 + "</body></html>",
        {"max_html_chars": 10_000},
        "limit.html_chars",
    ),
    ("<html><body>" + "<div>" * 600 + "深" + "</div>" * 600 + "</body></html>", {}, "limit.dom_depth"),
    ("<html><body>" + "<span>" * 600 + "深" + "</span>" * 600 + "</body></html>", {}, "limit.dom_depth"),
    ("<body>" + "<p>段落。</p>" * 3000, {"max_dom_nodes": 1000}, "limit.dom_nodes"),
    ("\x00\x01\x02\x03\x04PK\x03\x04" * 500, {}, "binary"),
    ("<html><head><script>var a = 1;</script></head><body></body></html>", {}, "no_text"),
    ("", {}, "no_text"),
]


@pytest.mark.parametrize(("html", "params", "code"), PATHOLOGICAL_CASES)
def test_pathological_pages_are_rejected_with_a_reason(html: str, params: dict[str, int], code: str) -> None:
    result = extract(html, **params)
    assert isinstance(result, Reject)
    assert result.code == code
    assert code in MainContentExtractor.codes


def test_very_deep_nesting_is_rejected_before_parsing() -> None:
    # lexbor's parse time grows with the square of the nesting: 200k levels would hang.
    result = extract("<body>" + "<div>" * 200_000 + "x")
    assert isinstance(result, Reject) and result.code == "limit.dom_depth"
    assert "estimated_depth" in result.detail


# -- the step contract ---------------------------------------------------------------------


def test_step_contract() -> None:
    step = MainContentExtractor(max_dom_depth=300, forum_replies=True)
    assert MainContentExtractor.name == "main_content"
    assert step.get_params()["max_dom_depth"] == 300
    clone = pickle.loads(pickle.dumps(step))
    assert clone == step
    source = Document(id="page", html=article_page(), meta={"encoding": "gb18030"})
    result = clone.apply(source)
    assert isinstance(result, Document)
    assert source.html is not None and source.text == "" and source.removed == ()
    assert result.meta["encoding"] == "gb18030"
    text_only = Document(id="text", text="已经是文本")
    assert clone.apply(text_only) is text_only


def test_every_removal_names_a_rule_of_the_rules_file() -> None:
    rule_ids = {rule["id"] for rule in load_rules_file(DEFAULT_RULES_FILE)["rules"]}
    blocks = "".join(block for block, *_ in BOILERPLATE_CASES)
    doc = extracted(
        article_page(extra_inside=blocks, extra_outside='<div class="sidebar"><p>侧栏文字</p></div>')
    )
    assert doc.removed
    for removal in doc.removed:
        assert removal.rule in rule_ids
        assert removal.code.startswith("main_content.")


# -- the token rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("topAd2 side_bar", ["top", "ad", "side", "bar"]),
        ("rich_media_content", ["rich", "media", "content"]),
        ("广告位-1", ["广告位"]),
        ("", []),
    ],
)
def test_class_words(value: str, words: list[str]) -> None:
    assert class_words(value) == words


def test_the_token_rules_classify_class_names() -> None:
    rules = DomTokenRules(load_rules_file(DEFAULT_RULES_FILE))
    assert rules.classify("div", {"class": "footer-links"})[0] != -1
    assert rules.classify("div", {"class": "header"})[0] == -1


# -- signals that hold across sites: headline, teaser lists, anchors, templates -------------

TEASERS = "".join(
    f'<div class="feed-item"><h4><a href="/n/{number}.html">{headline}</a></h4><p>{abstract}</p></div>'
    for number, (headline, abstract) in enumerate(
        [
            ("城东新建三座口袋公园", "公园将在下月开放，附近居民可以就近散步。"),
            ("夜市经营时间延长两小时", "市场管理方表示，延长营业是应摊主的要求。"),
            ("秋季运动会报名开始", "各社区可以组队参加，截止日期为本月底。"),
            ("老城区供暖管道完成改造", "改造后的管道热损失减少了三成左右。"),
            ("公交新开两条夜间线路", "夜班车每半小时一班，覆盖主要医院和车站。"),
        ]
    )
)


def test_a_teaser_list_inside_the_article_is_removed_with_its_rule() -> None:
    result = extracted(article_page(extra_inside=f'<div class="more">{TEASERS}</div>'))
    assert "开馆第一天" in result.text
    assert "口袋公园" not in result.text and "夜班车" not in result.text
    teaser_removals = [removal for removal in result.removed if removal.rule == "dom.teaser_list"]
    assert len(teaser_removals) == 5
    assert all(removal.code == "main_content.related" for removal in teaser_removals)


def test_a_linked_abstract_is_a_teaser_not_prose() -> None:
    linked = "".join(
        f'<div><p><a href="/x{number}.html">{PARAGRAPHS[number % 3]}</a></p></div>' for number in range(6)
    )
    page = (
        "<html><body><div class='main'><h1>示例</h1><p>这是一篇很短的文章，只有两句话。它讲的是社区的新变化，"
        "居民们都很关心，街道也组织了好几次讨论会，大家的意见写进了方案。</p></div>"
        f"<div class='x'>{linked}</div></body></html>"
    )
    assert "这是一篇很短的文章" in extracted(page).text


def test_text_inside_a_named_anchor_is_prose() -> None:
    body = "".join(
        f'<p><a name="p{number}">{paragraph}</a></p>' for number, paragraph in enumerate(PARAGRAPHS)
    )
    page = f"<html><body>{NAV}<div>{body}</div>{FOOTER_LINKS}</body></html>"
    text = extracted(page).text
    assert all(paragraph in text for paragraph in PARAGRAPHS)


def test_a_textarea_template_is_not_text() -> None:
    template = '<textarea class="tpl">&lt;div class="pic"&gt;图集模板&lt;/div&gt;</textarea>'
    text = extracted(article_page(extra_outside=template)).text
    assert "图集模板" not in text and "&lt;" not in text and "<div" not in text


def test_a_token_in_the_articles_own_class_list_does_not_drop_it() -> None:
    # "enableAdSlots" splits into enable/ad/slots: the box still holds the headline and prose,
    # though the feeds beside it carry most of the page's text and punctuation.
    teasers = "".join(f"<section class='feed'>{TEASERS}</section>" for _ in range(3))
    page = article_page(wrapper_class="story enableAdSlots", extra_outside=teasers)
    text = extracted(page).text
    assert "开馆第一天" in text and "口袋公园" not in text


def test_the_article_starts_after_its_headline() -> None:
    ticker = (
        "<div><ul><li>恒指</li><li>18652</li><li>国指</li><li>6625</li></ul>"
        "<p>股市将在四小时后收市，请留意。</p></div>"
    )
    page = (
        "<html><head><title>小镇图书馆重新开放 - 示例新闻网</title></head><body><div class='page'>"
        f"{ticker}<h1>小镇图书馆重新开放</h1>{''.join(f'<p>{paragraph}</p>' for paragraph in PARAGRAPHS)}"
        "</div></body></html>"
    )
    result = extracted(page)
    assert result.text.startswith(PARAGRAPHS[0])
    assert result.meta["title"] == "小镇图书馆重新开放 - 示例新闻网"


def test_a_short_news_item_under_its_headline_is_the_article_not_the_box_beside_it() -> None:
    # Under 100 prose characters the extractor looks for text in short lines (a poem, a
    # table) instead; a short item right under the page's headline is still the article.
    headlines = "".join(
        f"<p>{title}</p>"
        for title in [
            "市区新增三条公交线路",
            "老城区供暖管网改造完成",
            "图书馆延长周末开放时间",
            "滨河公园步道全线贯通",
            "社区食堂推出老年人套餐",
            "夜间集市下月恢复营业",
            "中小学秋季开学时间公布",
            "全市启动垃圾分类检查",
            "新能源汽车充电桩加密",
            "地铁三号线延长运营",
        ]
        * 2
    )
    page = (
        "<html><head><title>小镇图书馆重新开放_示例新闻网</title></head><body><div class='main'>"
        "<h1>小镇图书馆重新开放</h1><p>2024-05-01 来源：示例新闻网</p>"
        "<div class='text'><p>记者从街道获悉，小镇图书馆今天重新开放。</p><p>闭馆期间，馆内更换了全部书架。</p></div>"
        f"<div class='box'><h2>重点推荐</h2>{headlines}</div></div></body></html>"
    )
    text = extracted(page).text
    assert text == "记者从街道获悉，小镇图书馆今天重新开放。\n闭馆期间，馆内更换了全部书架。"


def test_without_a_heading_the_title_names_the_headline_the_article_starts_after() -> None:
    # Old portals set the headline in a styled cell, not an <h1>: the title's first
    # segment finds it.
    ticker = "<p>股市将在四小时后收市，请留意。</p>"
    page = (
        "<html><head><title>小镇图书馆重新开放_新闻中心_示例新闻网</title></head><body><table><tr><td>"
        f"{ticker}<font size='5'><b>小镇图书馆重新开放</b></font>"
        f"{''.join(f'<p>{paragraph}</p>' for paragraph in PARAGRAPHS)}"
        "</td></tr></table></body></html>"
    )
    assert extracted(page).text.startswith(PARAGRAPHS[0])


def test_a_heading_left_at_the_end_of_the_article_heads_nothing_and_goes() -> None:
    # A box whose items a script fills in later leaves its heading after the article.
    result = extracted(article_page(extra_inside="<h3>热门推荐</h3><div class='feed'></div>"))
    assert result.text.endswith(PARAGRAPHS[-1])


def test_a_platform_disclaimer_line_is_removed() -> None:
    disclaimer = "<p>平台声明：该文观点仅代表作者本人，本平台仅提供信息存储空间服务。</p>"
    result = extracted(article_page(extra_inside=disclaimer))
    assert "仅代表作者本人" not in result.text
    assert any(removal.rule == "text.disclaimer" for removal in result.removed)


def test_a_follow_prompt_under_the_article_is_removed_but_a_report_of_a_qr_code_stays() -> None:
    prompt = "<p>每天推送最新的本地新闻，更多福利请扫描二维码关注（示例新闻网）</p>"
    report = "<p>市民可扫描站牌上的二维码查询公交到站时间，这项服务下月起覆盖全市。</p>"
    result = extracted(article_page(extra_inside=report + prompt))
    assert "扫描二维码关注" not in result.text
    assert "查询公交到站时间" in result.text
    assert any(removal.rule == "text.follow" for removal in result.removed)


def test_a_list_of_space_separated_keywords_is_removed_with_its_rule() -> None:
    words = " ".join(["二手车", "新能源", "电动车", "充电桩", "汽车报价", "汽车保险", "驾校", "违章查询"] * 9)
    result = extracted(article_page(extra_inside=f"<p>{words}</p>"))
    assert "充电桩" not in result.text
    assert any(removal.rule == "dom.keyword_list" for removal in result.removed)


def test_an_english_sentence_without_commas_is_not_a_keyword_list() -> None:
    sentence = " ".join(["the"] + ["quick brown fox jumps over the lazy dog"] * 9)
    result = extracted(article_page(extra_inside=f"<p>{sentence}</p>"))
    assert "lazy dog" in result.text


def test_a_caption_that_repeats_the_title_late_in_the_article_does_not_cut_it() -> None:
    # No heading reads the title, so the first block that does would name the headline,
    # and the article would start after it; here it is a caption after most of the text.
    body = f"<p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p><p>小镇图书馆重新开放</p><p>{PARAGRAPHS[2]}</p>"
    html = (
        "<html><head><title>小镇图书馆重新开放_示例新闻网</title></head><body>"
        f"{NAV}<div class='article-content'>{body}</div>{FOOTER_LINKS}</body></html>"
    )
    text = extracted(html).text
    assert all(paragraph in text for paragraph in PARAGRAPHS)
