"""Chinese text written for these tests (no third-party data): two articles, a repost
wrapper, and sentences to assemble many distinct documents from."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from zhclean.steps import DedupEntry

ARTICLE_RIVER = (
    "本报讯 入夏以来，城东的清水河沿岸迎来了一批特别的志愿者。"
    "他们每天清晨六点准时出发，沿着河堤捡拾塑料瓶、旧渔网和被风吹来的广告单。"
    "志愿队的发起人是一位退休的中学物理老师，他说自己小时候常在这条河里游泳，"
    "后来河水变浑，鱼也少了，心里一直不是滋味。"
    "三个月来，志愿者们一共清理出垃圾四百多袋，还在河边立起了二十块提醒牌。"
    "附近的小学把这里当成了课外课堂，老师带着孩子们测水温、看水草、认识河里的小鱼。"
    "街道办事处表示，明年将拿出专项资金修复河岸的绿化带，并在入河口加装拦污网。"
    "不少居民说，傍晚到河边散步的人明显多了，空气里也少了过去那股难闻的味道。"
    "志愿队计划在秋天举办一次河流摄影展，用照片记录这条河一年来的变化。"
)

ARTICLE_MARKET = (
    "周末的早市比平时热闹许多，天还没亮，卖菜的三轮车就排满了整条巷子。"
    "今年雨水充足，本地的黄瓜和豆角上市早，价格比去年同期便宜了两三成。"
    "一位在这里摆摊十几年的大姐告诉记者，现在年轻顾客越来越多，很多人习惯用手机付款，"
    "她特意把收款码贴在了秤盘旁边。"
    "市场管理处最近重新划了摊位线，还在入口处设了公平秤，顾客觉得分量不对可以随时复称。"
    "卖豆腐的老师傅每天凌晨三点起来磨豆子，他说豆腐要趁热卖，放久了口感就变了。"
    "附近社区的老人喜欢结伴来逛，买完菜再到街角的茶摊坐一坐，聊聊家长里短。"
    "管理处负责人说，下一步打算给早市搭上遮雨棚，让摊主和顾客下雨天也不用挨淋。"
)

SENTENCES = [
    "清晨的公园里，几位老人正在打太极拳，动作缓慢而舒展。",
    "图书馆新开了一间自习室，座位需要提前一天在网上预约。",
    "这家面馆的牛肉面汤头浓郁，每天中午门口都排着长队。",
    "气象台预计，未来三天本市以多云为主，午后有零星阵雨。",
    "小区物业在楼道里安装了感应灯，晚上回家再也不用摸黑。",
    "今年的科技节上，学生们展示了自己动手做的机器人和小风车。",
    "地铁三号线延长段正在加紧施工，预计明年年底通车试运营。",
    "这位青年画家用三年时间走遍了家乡的古村落，画下了上百幅速写。",
    "社区医院开设了夜间门诊，方便上班族下班以后看病拿药。",
    "农技站的专家来到田间地头，手把手教农户给果树剪枝。",
    "博物馆推出了一场关于古代瓷器的特展，展品来自五个省份。",
    "足球队在主场以二比一战胜对手，赢得了本赛季的第五场胜利。",
    "新建的口袋公园虽然不大，却有跑道、座椅和一片小小的花圃。",
    "一场突如其来的大雪让山区的公路暂时封闭，养护工人连夜除雪。",
    "志愿者们在车站为返乡的旅客送上热水和姜茶。",
    "这所中学把闲置的屋顶改造成了菜园，学生们轮流浇水除草。",
    "消防队员走进幼儿园，给孩子们讲解火灾发生时如何安全逃生。",
    "老街上的修鞋铺已经开了三十年，师傅的手艺在街坊中很有口碑。",
    "市民可以通过手机查询公交车的实时位置，等车时间大大缩短。",
    "大学生返乡创业，把家乡的土特产卖到了全国各地。",
    "环卫工人在凌晨清扫街道，让城市在天亮前恢复整洁。",
    "一家老字号糕点铺推出了低糖月饼，受到不少年轻人的欢迎。",
    "山村小学的孩子们第一次通过网络课堂和城里的同学一起上课。",
    "河边新修了一条自行车道，周末骑行的人络绎不绝。",
    "剧院重新装修后开门迎客，首场演出是一部经典话剧。",
    "养老院的老人们学会了用平板电脑和远方的子女视频聊天。",
    "夜市里的小吃摊飘出阵阵香味，烤串和凉粉最受游客喜爱。",
    "植物园的荷花进入盛花期，吸引了大批摄影爱好者前来拍摄。",
    "快递网点增加了自提柜，居民取件更加方便。",
    "一场马拉松比赛吸引了上万名跑者参加，沿途市民热情加油。",
]


def repost(article: str, portal: str, edit: bool = True) -> str:
    """The article as another portal would carry it: its own header and footer, spacing
    and punctuation changed, and (with `edit`) one sentence rewritten."""
    body = article.replace("，", ", ").replace("。", "。\n")
    if edit:
        body = body.replace("本报讯", "据报道").replace("三个月来", "几个月来")
    return f"{portal} | 本地新闻\n2023-05-06 来源：{portal}\n" + body + "\n责任编辑：李华"


def random_documents(count: int, seed: int) -> list[tuple[str, str]]:
    """`count` documents of 6–10 sentences; one in five repeats an earlier one with a
    sentence swapped, one in ten is a copy with other spacing, so the corpus has clusters
    of every size."""
    rng = random.Random(seed)
    documents: list[tuple[str, str]] = []
    for index in range(count):
        draw = rng.random()
        if documents and draw < 0.1:
            _, earlier = rng.choice(documents)
            text = earlier.replace("，", ", ")
        elif documents and draw < 0.3:
            _, earlier = rng.choice(documents)
            parts = [part + "。" for part in earlier.split("。") if part]
            parts[rng.randrange(len(parts))] = rng.choice(SENTENCES)
            text = "".join(parts)
        else:
            text = "".join(rng.sample(SENTENCES, rng.randint(6, 10)))
        documents.append((f"doc-{index:04d}", text))
    return documents


@dataclass(frozen=True)
class EntryLists:
    """Dedup entries in parts, as the engine's work shards hand them to a deduplicator
    (`zhclean.steps.DedupEntryParts`)."""

    parts: tuple[tuple[DedupEntry, ...], ...]

    def __len__(self) -> int:
        return len(self.parts)

    def __iter__(self) -> Iterator[DedupEntry]:
        for part in self.parts:
            yield from part

    def part_size(self, index: int) -> int:
        return len(self.parts[index])

    def read_part(self, index: int) -> Iterator[DedupEntry]:
        return iter(self.parts[index])
