"""Table-driven checks of every heuristic filter: (filter, text, expected reason or None)."""

from __future__ import annotations

import pytest

from zhclean.document import Document
from zhclean.filters import (
    ContactDensityFilter,
    HanShareFilter,
    KeywordStuffingFilter,
    MojibakeFilter,
    PunctuationFilter,
    RepetitionFilter,
    ScriptFilter,
    SpamWordFilter,
    StopWordFilter,
)
from zhclean.steps import Filter
from zhclean.text.chars import count_han

PROSE = (
    "今年春天，县里的农民合作社开始试种一种耐旱的小麦品种。负责技术指导的老师说，这个品种在去年的试验田里表现不错，"
    "产量比普通品种高出一成左右。村民们希望今年的收成能好一些，也盼着合作社把经验推广到邻近的村子。\n"
    "到了六月，麦子成熟了。大家在田边忙着收割，孩子们也跑来帮忙，整个村子都热闹起来。"
    "老支书站在地头，看着金黄的麦浪，脸上露出了笑容。他说，这是他见过的最好的一季庄稼。\n"
    "合作社随后召开总结会，把种植中遇到的问题一一记录下来，准备明年改进灌溉和施肥的方法。"
)
KEYWORDS = "\n".join(["北京搬家|北京搬家公司|搬家公司电话|北京搬家价格|搬家多少钱|长途搬家"] * 6)
CLAUSE_LINE = "他今年读高二了,学习压力比较大,周末也很少休息,家里人都很担心,老师也常常找他谈心,"
NAMES = "、".join(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"] * 20)
GAMBLING = "真人娱乐城，百家乐、老虎机在线投注，注册送彩金，首存优惠，赔率最高。" * 4 + PROSE
PORN = "成人视频在线看，激情视频、自拍偷拍每日更新，美女视频免费看。" * 4 + PROSE
ADS = (
    "贵公司负责人您好！我司长期提供优惠服务，价格优惠，质量保证，欢迎来电咨询，"
    "详情请联系人王先生。此信息长期有效，顺祝商祺！"
) * 3
FRAUD = "本公司可代开发票，增值税发票税点低，可抵扣，真票可验证后付款。" * 3
CONTACTS = (
    "联系我们：13912345678 或 010-87654321，邮箱 sales@example.com，网址 http://www.example.com 。" * 2
    + "欢迎合作。"
)
JAPANESE = "今日はとても良い天気ですね。私は公園へ散歩に行きました。桜の花がきれいに咲いていました。" * 3
KOREAN = "오늘은 날씨가 정말 좋습니다. 저는 공원에 산책하러 갔습니다. 한국어 문장입니다." * 3
ENGLISH = "This page is mostly written in English, with only a few Chinese words like 中文 here. " * 5
REPEATED_LINES = "\n".join(["今天天气很好，我们去公园散步吧。"] * 10 + ["明天再说。"])
REPEATED_NGRAM = "好运来好运来好运来" * 40 + "。" + PROSE
NO_PUNCTUATION = "北京 上海 广州 深圳 天津 重庆 成都 武汉 南京 西安 杭州 苏州 " * 12
SYMBOLS = "★☆★☆◆◇■□●○◎※→←↑↓" * 10 + "特价商品，欢迎选购。" * 5
MENU_LINES = "\n".join(
    ["新闻中心", "产品展示", "客户案例", "关于我们", "联系方式", "招贤纳士", "在线留言"] * 2
)


@pytest.mark.parametrize(
    ("step", "text", "expected"),
    [
        (HanShareFilter(), PROSE, None),
        (HanShareFilter(), ENGLISH, "too_low"),
        (HanShareFilter(), "㐀㐁㐂𠀀𠀁𠀂 abc", None),  # Extension A and B count as Han
        (StopWordFilter(), PROSE, None),
        (StopWordFilter(), NAMES, "too_few"),
        (StopWordFilter(), KEYWORDS, "too_few"),
        (PunctuationFilter(), PROSE, None),
        (PunctuationFilter(), NO_PUNCTUATION, "too_little"),
        (PunctuationFilter(), SYMBOLS, "too_many_symbols"),
        (
            PunctuationFilter(),
            MENU_LINES + "\n" + "欢迎光临本公司网站，我们竭诚为您服务" * 5,
            "few_line_endings",
        ),
        (RepetitionFilter(), PROSE * 1, None),
        (RepetitionFilter(), REPEATED_LINES, "duplicate_lines"),
        (RepetitionFilter(), REPEATED_NGRAM, "top_ngram"),
        (RepetitionFilter(), PROSE + "\n\n" + PROSE, "duplicate_lines"),
        (SpamWordFilter(), PROSE, None),
        (SpamWordFilter(), GAMBLING, "gambling"),
        (SpamWordFilter(), PORN, "pornography"),
        (SpamWordFilter(), ADS, "advertising"),
        (SpamWordFilter(), FRAUD, "fraud"),
        # A news report that mentions a scam twice is not spam.
        (SpamWordFilter(), "警方提醒，近期有人冒充客服称对方中奖，诱骗群众转账。" + PROSE, None),
        (ContactDensityFilter(), PROSE, None),
        (ContactDensityFilter(), CONTACTS, "too_many"),
        (
            ContactDensityFilter(),
            " ".join(f"https://site{index}.example.cn/page" for index in range(12)) + "。链接",
            "too_many_urls",
        ),
        (KeywordStuffingFilter(), PROSE, None),
        (KeywordStuffingFilter(), KEYWORDS + "\n" + PROSE[:60], "keyword_lists"),
        (KeywordStuffingFilter(), "我们买了苹果、香蕉、梨和葡萄，回家做了一盘水果沙拉。" * 5, None),
        # A mail broken into lines before each full stop: clauses joined by commas that
        # share no keyword are prose, not a phrase list.
        (KeywordStuffingFilter(), "\n".join([CLAUSE_LINE] * 6) + "\n" + PROSE[:60], None),
        (MojibakeFilter(), PROSE, None),
        (MojibakeFilter(), "鐨勬槸涓嶈兘锛屾垜浠銆傝繖鏄竴涓" * 5, "garbled"),
        (MojibakeFilter(), PROSE + "\ufffd" * 30, "replacement_chars"),
        (ScriptFilter(), PROSE, None),
        (ScriptFilter(), JAPANESE, "japanese"),
        (ScriptFilter(), KOREAN, "korean"),
        (ScriptFilter(), PROSE + "引用了日本电影《となりのトトロ》的片名。", None),
    ],
)
def test_filter(step: Filter, text: str, expected: str | None) -> None:
    verdict = step.check(Document(id="t", text=text))
    assert (verdict.code if verdict else None) == expected
    if verdict is not None:
        assert verdict.code in step.codes
        assert verdict.detail  # measured values are reported


def test_mojibake_uses_normalizer_meta() -> None:
    doc = Document(id="t", text=PROSE, meta={"replacement_char_share": 0.5, "mojibake_share": 0.0})
    verdict = MojibakeFilter().check(doc)
    assert verdict is not None and verdict.code == "replacement_chars"


def test_spam_detail_names_the_rule_and_counts() -> None:
    verdict = SpamWordFilter().check(Document(id="t", text=GAMBLING))
    assert verdict is not None
    assert verdict.detail["rule"] == "spam.gambling"
    assert verdict.detail["hits"] >= 3 and verdict.detail["top_words"]


def test_han_counting_covers_extension_blocks() -> None:
    assert count_han("中㐀𠀀𪜀𫝀豈丽") == 7


def test_spam_words_match_whatever_the_case() -> None:
    from zhclean.filters.spam_words import fold_case

    # The letters re.IGNORECASE joins but str.lower keeps apart fold to one.
    assert fold_case("ſ") == fold_case("S") == "s"
    assert fold_case("\u212a") == "k"  # Kelvin sign
    shouted = ("AV在线，AV女优，" * 6) + PROSE
    verdict = SpamWordFilter().check(Document(id="t", text=shouted))
    assert verdict is not None and verdict.code == "pornography"
    assert set(verdict.detail["top_words"]) >= {"av在线", "av女优"}


# Written for these tests: a police report that repeats gambling words as densely as a pitch.
CRACKDOWN_REPORT = (
    "记者从市公安局获悉，警方近日破获一起网上赌博案件，抓获犯罪嫌疑人十二名。"
    "据介绍，该团伙以百家乐、老虎机为幌子开设网上赌场，诱导群众下注，涉案资金逾千万元。"
    "目前案件正在进一步调查中，警方依法查处了相关账户。"
)
FRAUD_REPORT = (
    "民警介绍，骗子冒充客服称受害人中奖，要求先交手续费和保证金才能领奖，"
    "受害人随后按对方指示汇款三次。警方提醒，此类诈骗案件近期多发，目前嫌疑人已被抓获。"
)
# An admissions notice: the advertising category's words (招生, 报名, 课程 …) without a pitch.
ADMISSIONS_NOTICE = (
    "某某大学二〇二四年博士研究生招生简章。一、招生专业与课程设置见附表，学员须修满规定学分。"
    "二、报名时间为十一月一日至三十日，报名费按规定收取，培训费另行通知。"
    "三、联系电话：010-12345678，联系人：招生办公室。四、讲师及以上职称者可申请同等学力报名。"
)
PITCH = "名额有限，欲报从速，欢迎来电咨询！"
# Three distinct advertising words, four hits each: the mail pitches three times (您, 如有需要,
# 欢迎来电), the description once (您).
SHORT_AD_MAIL = "您好：本公司专营办公用品，本公司价格优惠，如有需要欢迎来电！"
SHOP_DESCRIPTION = "您走进这家店就会发现，本公司自营的文具批发生意很忙，节假日有优惠活动，店里常年批发纸张。"
# Three report words (警方, 嫌疑人, 表示), three pitches (立即 twice, 开户), fraud words.
BANK_REPORT = (
    "警方表示，嫌疑人以高额返利为诱饵发展下线，要求老人立即汇款、立即转账至指定账户，"
    "还冒充银行职员以开户为名套取信息，这是一起典型的传销骗局。"
)
CASINO_FEATURE = (
    "这座海滨小城的博彩业已有上百年历史，城中的赌场大多集中在半岛南端。"
    "二十世纪六十年代以后，赌场数量迅速增加，百家乐成为最受欢迎的玩法，"
    "博彩税收也一度占到当地财政收入的一半以上。"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CRACKDOWN_REPORT, None),
        (FRAUD_REPORT, None),
        (ADMISSIONS_NOTICE, None),
        (ADMISSIONS_NOTICE + PITCH, "advertising"),
        # Three distinct advertising words: a mail that asks again and again is
        # advertising, a shop's description that addresses the reader once is not.
        (SHORT_AD_MAIL, "advertising"),
        (SHOP_DESCRIPTION, None),
        # A feature on casinos, with no report words and no pitch either.
        (CASINO_FEATURE, None),
        # A report that quotes as many urgings as it names sources is still a report.
        (BANK_REPORT, None),
        # Report words do not launder a pitch that outnumbers them.
        (GAMBLING + "记者从警方获悉，法院已立案。", "gambling"),
    ],
)
def test_spam_words_tell_a_pitch_from_a_report(text: str, expected: str | None) -> None:
    verdict = SpamWordFilter().check(Document(id="t", text=text))
    assert (verdict.code if verdict else None) == expected


def test_spam_detail_counts_pitches_and_report_words() -> None:
    verdict = SpamWordFilter().check(Document(id="t", text=ADMISSIONS_NOTICE + PITCH))
    assert verdict is not None
    assert verdict.detail["pitches"] >= 1  # counted as far as the verdict needs
    assert isinstance(verdict.detail["report_words"], list)


# Written for these tests: an encyclopedia-style entry that is mostly a bulleted list.
RIVERS = (
    "海河 滦河 永定河 潮白河 拒马河 大清河 子牙河 漳河 卫河 南运河 "
    "北运河 蓟运河 桑干河 洋河 白河 黑河 唐河 沙河 滹沱河 滏阳河"
).split()
LIST_ARTICLE = (
    "华北地区的主要河流\n"
    "华北平原上的河流大多发源于西部和北部的山地，向东流入渤海，夏季水量大，冬季水量小。\n"
    "主要河流：\n" + "\n".join(f"* {name}" for name in RIVERS) + "\n参见\n1 黄河\n2 淮河"
)


def test_a_bulleted_list_is_not_a_menu() -> None:
    assert PunctuationFilter().check(Document(id="t", text=LIST_ARTICLE)) is None
    # The same lines without bullets are as bare as a menu.
    bare = LIST_ARTICLE.replace("* ", "").replace("1 ", "").replace("2 ", "")
    verdict = PunctuationFilter().check(Document(id="t", text=bare))
    assert verdict is not None and verdict.code == "few_line_endings"
