"""The demo crawl: Chinese pages written for zhclean, with the noise real sites carry.

Every text here was written for this project (no third-party content). The pages mimic
what a crawl of the Chinese web returns: a portal article wrapped in navigation, ad slots,
QR-code "follow us" lines and a copyright block; an old GBK page that separates paragraphs
with <br> and &nbsp;; a Traditional Chinese blog in Big5; a WeChat-style article; a forum
thread; a list page; gambling SEO spam; a repost of the article on another portal; a page
whose HTTP header lies about its charset; an image served in the crawl; a 404 page.
"""

from __future__ import annotations

from zhclean.io.warc_writer import HttpResponse

NAVIGATION = """
<div class="nav"><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/finance">财经</a> |
<a href="/tech">科技</a> | <a href="/sports">体育</a> | <a href="/ent">娱乐</a></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/news">新闻</a> &gt; 正文</div>
"""

AD_SLOTS = """
<div class="ad-banner"><a href="http://ads.example.invalid/">【广告】夏季大促，全场家电五折起，点击立即抢购！</a></div>
<div id="guanggao_right">推广：专业代写论文，加微信 dx2026 咨询</div>
"""

FOOTER = """
<div class="share">分享到：微信 微博 QQ空间</div>
<p>扫码关注我们的微信公众号，获取更多精彩内容！</p>
<p>责任编辑：王小明</p>
<div class="footer">版权所有 © 2008-2026 示例新闻网 京ICP备00000000号<br>
免责声明：本站转载的文章仅代表作者本人观点，与本站无关。如有侵权请联系删除。</div>
"""

RIVER_ARTICLE = [
    "本报讯 入夏以来，江南多地降水明显偏多，部分河段水位持续上涨。"
    "记者从市水利局了解到，全市已启动防汛四级应急响应，沿江各区县加强了堤防巡查。",
    "据介绍，今年汛期来得比往年早，上游来水与本地降雨叠加，给防汛工作带来不小压力。水利部门提前对城区排水管网进行了疏通，并在低洼地段布置了移动泵站。",
    "“我们每天分三班巡堤，发现管涌、渗漏等险情第一时间上报。”一位参加巡查的工作人员说。截至昨日，全市共排查隐患点四十余处，均已落实整改措施。",
    "气象部门预计，未来一周仍有两次较强降雨过程，提醒市民关注天气预报，尽量避免前往河道、山区等危险区域，出行注意安全。",
]


def portal_article() -> HttpResponse:
    paragraphs = "".join(f"<p>{text}</p>" for text in RIVER_ARTICLE)
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>江南多地进入主汛期 防汛应急响应启动_示例新闻网</title>
<script>var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); }})();</script>
<style>.nav {{ color: red; }}</style></head><body>
{NAVIGATION}{AD_SLOTS}
<div class="article"><h1>江南多地进入主汛期 防汛应急响应启动</h1>
<div class="info">2026-06-18 09:30 来源：示例日报 阅读 12345 次 评论 67 条</div>
<div class="content">{paragraphs}
<p>点击阅读全文，下载示例新闻APP查看更多本地新闻。</p></div></div>
<div class="related"><h3>相关推荐</h3><ul><li><a href="/a1">城市排水系统改造进展顺利</a></li>
<li><a href="/a2">暑期出行安全提示</a></li><li><a href="/a3">本周天气早知道</a></li></ul></div>
{FOOTER}</body></html>"""
    return HttpResponse(
        "http://news.example.invalid/2026/0618/flood.html", html.encode("utf-8"), "text/html; charset=utf-8"
    )


def repost_of_portal_article() -> HttpResponse:
    """The same story on another portal: other navigation, other ads, one sentence edited."""
    edited = list(RIVER_ARTICLE)
    edited[3] = (
        "气象部门预计，未来一周仍有两次较强降雨过程，请市民关注天气预报，尽量避免前往河道、山区等危险区域。"
    )
    paragraphs = "".join(f"<p>{text}</p>" for text in edited)
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>江南多地进入主汛期 - 某某资讯</title></head><body>
<div id="topnav"><a href="/">资讯首页</a> <a href="/local">本地</a> <a href="/life">生活</a></div>
<div class="gg_top">赞助商链接：二手车评估，三分钟出报价</div>
<div id="main"><h1>江南多地进入主汛期</h1><div class="source">来源：网络 编辑：李华</div>
{paragraphs}</div>
<p>本文转载自示例日报，转载请注明出处。</p>
<p>关注某某资讯公众号，每天推送本地新闻。</p>
<div class="copyright">Copyright 2026 某某资讯 All Rights Reserved</div></body></html>"""
    return HttpResponse(
        "http://info.example.invalid/local/20260618/88.shtml", html.encode("gbk"), "text/html"
    )


def old_gbk_page() -> HttpResponse:
    """A 2000s portal page: table layout, paragraphs as <br>&nbsp;&nbsp; runs, GBK."""
    text = (
        "&nbsp;&nbsp;&nbsp;&nbsp;茶是中国人生活中不可缺少的饮品。早在唐代，陆羽就写下了《茶经》，系统总结了种茶、制茶和饮茶的方法。<br><br>"
        "&nbsp;&nbsp;&nbsp;&nbsp;各地茶俗不尽相同。江南人爱喝绿茶，讲究用玻璃杯冲泡，看茶叶在水中慢慢舒展；闽粤一带流行工夫茶，小壶小杯，一泡再泡。<br><br>"
        "&nbsp;&nbsp;&nbsp;&nbsp;喝茶不只是解渴，更是一种待客之道。客人进门先奉上一杯热茶，是许多家庭保留至今的习惯。<br><br>"
        "&nbsp;&nbsp;&nbsp;&nbsp;近年来，年轻人也开始重新认识传统茶文化，新式茶饮店遍布街头，老茶馆里也多了不少年轻面孔。"
    )
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>漫谈中国茶俗--文化频道</title></head>
<body><table width="760"><tr><td class="nav"><a href="/">首页</a> | <a href="/culture">文化</a> |
<a href="/bbs">论坛</a></td></tr>
<tr><td><font size="4"><b>漫谈中国茶俗</b></font><br>作者：陈静 2006年3月2日<br><br>{text}</td>
<td width="160" class="sidebar">热门文章<br><a href="/1">春节习俗大全</a><br><a href="/2">端午节的由来</a></td></tr>
<tr><td>【打印本页】【关闭窗口】【返回顶部】 上一篇：春节习俗大全 下一篇：端午节的由来</td></tr></table></body></html>"""
    return HttpResponse("http://culture.example.invalid/tea/2006/0302.htm", html.encode("gbk"), "text/html")


def traditional_big5_blog() -> HttpResponse:
    html = """<html><head><meta charset="big5"><title>週末去淡水走走 - 小貓的部落格</title></head><body>
<div class="header">小貓的部落格 | 首頁 | 關於我 | 留言板</div>
<div class="post"><h2>週末去淡水走走</h2>
<p>這個週末天氣很好，我和朋友搭捷運去淡水。老街上人潮很多，我們買了阿給和魚丸湯，味道跟記憶中一樣。</p>
<p>傍晚走到漁人碼頭看夕陽，海風吹來有點涼，但是景色真的很美。回程的時候大家都累了，在捷運上差點睡著。</p>
<p>下次想早一點出發，去紅毛城和真理大學看看，聽說那邊的建築很有特色。</p></div>
<div class="comment">留言(3) | 引用(0) | 分享到臉書</div></body></html>"""
    return HttpResponse(
        "http://blog.example.invalid/kitty/post/1024", html.encode("big5"), "text/html; charset=big5"
    )


def wechat_style_article() -> HttpResponse:
    html = """<html><head><meta charset="utf-8"><title>如何在家做出好吃的红烧肉</title></head><body>
<div id="js_content">
<p>红烧肉是一道家常菜，做法并不复杂，关键在于火候和糖色。</p>
<p>第一步，选用肥瘦相间的五花肉，切成三厘米见方的块，冷水下锅焯水，去掉血沫后捞出沥干。</p>
<p>第二步，锅中放少量油和冰糖，小火慢慢炒出枣红色的糖色，再倒入肉块翻炒上色。</p>
<p>第三步，加入生抽、老抽、料酒、葱姜和八角，倒入没过肉块的热水，大火烧开后转小火炖一个小时，最后大火收汁即可。</p>
<p>长按识别下方二维码，关注“家常菜谱”，每天学一道好菜！</p>
<p>点个“在看”，分享给更多朋友吧～</p>
</div></body></html>"""
    return HttpResponse(
        "https://mp.example.invalid/s/hongshaorou", html.encode("utf-8"), "text/html; charset=utf-8"
    )


def forum_thread() -> HttpResponse:
    html = """<html><head><meta charset="utf-8"><title>求助：笔记本电脑开机很慢怎么办？ - 数码论坛</title></head><body>
<div class="nav">论坛首页 › 电脑硬件 › 帖子</div>
<div class="post"><div class="author">楼主 小张同学</div>
<div class="post-content">我的笔记本用了三年，最近开机要两三分钟，打开浏览器也很卡。
已经删过一些软件了，效果不明显，请问大家有什么办法？</div></div>
<div class="post"><div class="author">2楼 老王</div>
<div class="post-content">先看看开机启动项，很多软件会偷偷设置自启动。
另外如果还是机械硬盘，换一块固态硬盘提升非常明显。</div></div>
<div class="post"><div class="author">3楼 数码达人</div>
<div class="post-content">同意楼上，换固态是最划算的升级。顺便清理一下风扇灰尘，温度高了也会降频变慢。</div></div>
<div class="post"><div class="author">4楼 路人甲</div><div class="post-content">顶</div></div>
<div class="footer">本帖最后由 小张同学 编辑 | 回复 | 举报</div></body></html>"""
    return HttpResponse(
        "http://bbs.example.invalid/thread-3344-1-1.html", html.encode("utf-8"), "text/html; charset=utf-8"
    )


def list_page() -> HttpResponse:
    items = "".join(
        f'<li><a href="/news/{number}.html">{title}</a><span>2026-06-{10 + number}</span></li>'
        for number, title in enumerate(
            [
                "市区新增三条公交线路",
                "图书馆延长夏季开放时间",
                "老旧小区改造工程开工",
                "中小学暑假安全提醒",
                "夜市经济带动消费增长",
                "社区开展义诊活动",
            ]
        )
    )
    html = f"""<html><head><meta charset="utf-8"><title>本地新闻列表</title></head><body>{NAVIGATION}
<ul class="news-list">{items}</ul><div class="pages">上一页 1 2 3 4 5 下一页</div>{FOOTER}</body></html>"""
    return HttpResponse(
        "http://news.example.invalid/local/list_1.html", html.encode("utf-8"), "text/html; charset=utf-8"
    )


def gambling_spam() -> HttpResponse:
    lines = "".join(
        f"<p>{line}</p>"
        for line in [
            "澳门威尼斯人线上娱乐城，真人百家乐，注册即送88元彩金！",
            "皇冠体育投注网，足球比分直播，时时彩计划免费看，日赚千元不是梦！",
            "澳门威尼斯人线上娱乐城，真人百家乐，注册即送88元彩金！",
            "加QQ 12345678 或微信 abc888 领取内部投注技巧，百家乐必胜公式！",
            "六合彩开奖结果，特码资料大全，一肖一码精准预测，彩票网投首选！",
        ]
    )
    html = f"""<html><head><meta charset="utf-8"><title>娱乐城_百家乐_时时彩_六合彩_体育投注</title>
<meta name="keywords" content="百家乐,娱乐城,时时彩,六合彩"></head><body>{lines}</body></html>"""
    return HttpResponse(
        "http://spam.example.invalid/index.html", html.encode("utf-8"), "text/html; charset=utf-8"
    )


def lying_header_page() -> HttpResponse:
    """The HTTP header says UTF-8, the body is GBK: the decoder must not trust it."""
    html = """<html><head><title>秋季养生小常识</title></head><body><div class="content">
<p>秋天气候干燥，容易出现口干、皮肤干燥等问题。日常饮食可以多吃梨、百合、银耳等滋阴润燥的食物。</p>
<p>早晚温差变大，要注意及时增减衣物。适当进行散步、慢跑、太极拳等运动，有助于增强体质。</p>
<p>此外，保持充足的睡眠和愉快的心情，也是秋季养生的重要内容。</p></div></body></html>"""
    return HttpResponse(
        "http://health.example.invalid/autumn.html", html.encode("gbk"), "text/html; charset=utf-8"
    )


def image_record() -> HttpResponse:
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    return HttpResponse("http://news.example.invalid/images/logo.png", png, "image/png")


def not_found_page() -> HttpResponse:
    html = "<html><head><title>404</title></head><body><p>您访问的页面不存在。</p></body></html>"
    return HttpResponse(
        "http://news.example.invalid/missing.html", html.encode("utf-8"), "text/html", status=404
    )


def demo_responses() -> list[HttpResponse]:
    return [
        portal_article(),
        repost_of_portal_article(),
        old_gbk_page(),
        traditional_big5_blog(),
        wechat_style_article(),
        forum_thread(),
        list_page(),
        gambling_spam(),
        lying_header_page(),
        image_record(),
        not_found_page(),
    ]
