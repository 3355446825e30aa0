import json
import time
from pathlib import Path

import pytest

from zhclean.clean.pii import PersonalDataCleaner, load_pii_rules, luhn_valid, valid_id_card
from zhclean.cli import main
from zhclean.document import Document, Reject
from zhclean.io.shards import read_rows, shard_paths
from zhclean.recipe import load_recipe, parse_recipe

CLEANER = PersonalDataCleaner()


def masked(text: str) -> str:
    return CLEANER.clean_text(text)


def rules_of(text: str) -> list[tuple[str, str]]:
    return [(removal.rule, removal.text) for removal in CLEANER.clean(text).removals]


MOBILE_SHAPES = [
    "13812345678",
    "138-1234-5678",
    "138 1234 5678",
    "1381 234 5678",
    "+86 13812345678",
    "+8613812345678",
    "+86-138-1234-5678",
    "(+86)13812345678",
    "（+86）138 1234 5678",
    "0086 13812345678",
    "１３８１２３４５６７８",
    "１３８－１２３４－５６７８",
]
ID_SHAPES = [
    "11010519491231002X",
    "11010519491231002x",
    "110105 19491231 002X",
    "110105-19491231-002x",
    "１１０１０５１９４９１２３１００２Ｘ",
]


@pytest.mark.parametrize(
    ("template", "number", "tag", "rule"),
    [("有意者请联系王先生，电话{}，非诚勿扰。", number, "[手机号]", "pii.mobile") for number in MOBILE_SHAPES]
    + [("申请人身份证号码：{}，请核对。", number, "[身份证号]", "pii.id_card") for number in ID_SHAPES],
)
def test_mobile_and_id_shapes(template: str, number: str, tag: str, rule: str) -> None:
    text = template.format(number)
    assert masked(text) == template.format(tag)
    assert rules_of(text) == [(rule, number)]


def test_two_mobiles_in_a_row_and_after_other_text() -> None:
    assert masked("电话：13812345678 13912345678/15012345678") == "电话：[手机号] [手机号]/[手机号]"
    assert masked("电话13812345678.") == "电话[手机号]."


def test_id_checksum() -> None:
    assert valid_id_card("11010519491231002X", None)  # type: ignore[arg-type]
    assert not valid_id_card("110105194912310021", None)  # type: ignore[arg-type]
    assert not valid_id_card("110105194902301234", None)  # type: ignore[arg-type]  (no 30 February)
    assert not valid_id_card("990105194912310026", None)  # type: ignore[arg-type]  (no province 99)


def luhn_completed(body: str) -> str:
    return next(body + digit for digit in "0123456789" if luhn_valid(body + digit))


@pytest.mark.parametrize("length", [16, 19])
def test_bank_card_shapes(length: int) -> None:
    number = luhn_completed("622202" + "1234567890123"[: length - 7])
    grouped = " ".join(number[index : index + 4] for index in range(0, length, 4))
    dashed = grouped.replace(" ", "-")
    for shape in (number, grouped, dashed):
        text = f"请将款项汇入以下账户，卡号{shape}，户名李某。"
        assert masked(text) == "请将款项汇入以下账户，卡号[银行卡号]，户名李某。", shape
        assert rules_of(text) == [("pii.bank_card", shape)]


@pytest.mark.parametrize(
    ("text", "expected", "rule"),
    [
        ("简历请发送至zhang.san@163.com，谢谢。", "简历请发送至[邮箱]，谢谢。", "pii.email"),
        ("投稿邮箱：13812345678@139.com", "投稿邮箱：[邮箱]", "pii.email"),
        ("联系 li_wei+job@mail.example.com.cn。", "联系 [邮箱]。", "pii.email"),
        ("有兴趣的朋友可以加我QQ：123456789。", "有兴趣的朋友可以加我QQ：[QQ]。", "pii.qq"),
        ("我的qq号是 98765432，欢迎交流。", "我的qq号是 [QQ]，欢迎交流。", "pii.qq"),
        ("咨询请加扣扣5566778", "咨询请加扣扣[QQ]", "pii.qq"),
        ("企鹅号：10001234", "企鹅号：[QQ]", "pii.qq"),
        ("详情请加微信：zhangsan_88。", "详情请加微信：[微信]。", "pii.wechat"),
        ("微信号 wangfang2024，添加请备注。", "微信号 [微信]，添加请备注。", "pii.wechat"),
        ("需要的加vx：abc12345", "需要的加vx：[微信]", "pii.wechat"),
        ("有意向的加我V信hyangna。", "有意向的加我V信[微信]。", "pii.wechat"),
        ("代购请联系威信：13812345678", "代购请联系威信：[微信]", "pii.wechat"),
        ("异常登录来自IP地址114.114.114.114。", "异常登录来自IP地址[IP]。", "pii.ip"),
        ("服务器地址为 2400:da00::6666，端口开放。", "服务器地址为 [IP]，端口开放。", "pii.ip"),
        ("地址 240e:3b7:3272:d8d0:1c2:8f3a:4a5b:9c1d。", "地址 [IP]。", "pii.ip"),
    ],
)
def test_other_kinds(text: str, expected: str, rule: str) -> None:
    assert masked(text) == expected
    assert [found for found, _ in rules_of(text)] == [rule]


@pytest.mark.parametrize(
    "text",
    [
        "会议定于2023年10月1日上午9:30召开，2023-10-01、2023/10/01、20231001都是同一天。",
        "列车14:05:30出发，视频时长1:02:45。",
        "这款手机售价¥3,299.00，折后2999元，约0.3万元。",
        "上半年全市生产总值同比增长12.5%，报名人数达到1,234,567人。",
        "您的订单号：6222021234567890128，已发货。",
        "交易流水号：4367421234567890125",
        "统一社会信用代码：913711007535322555",
        "快递单号SF1234567890123，中通运单号75312345678901。",
        "本书ISBN 978-7-111-12345-6，定价四十五元。",
        "产品执行GB/T 7714-2015和GB 18030-2022标准。",
        "编码110105194912310021的记录不存在。",
        "数据表里有一串数字6222021234567890123，不知道是什么意思。",
        "分组写法 6222 0212 3456 7890 123 也不是卡号，因为校验位不对。",
        "软件已更新到版本1.2.3.4，v2.0.1.5 修复了问题，升级到3.1.0.2版。",
        "2.1.2.1资质要求：注册资金不少于五百万元。",
        "路由器默认地址192.168.1.1，回环地址127.0.0.1和::1，文档地址2001:db8::1。",
        "时间戳1700000000123和1700000000都不是手机号，13812345678901也不是。",
        "QQ音乐会员有12345678人，微信支付 WeChatPay 也一样。",
        "wxpython 是一个界面库，微信 official 账号。",
        "表中数字14002535000和15412345678不是手机号段。",
        "访问 https://weibo.com/4890123456789012?uid=13812345678 查看。",
        "MAC地址00:1A:2B:3C:4D:5E，时间23:59:59。",
        "圆周率约3.14159265358979323846，精确到小数点后二十位。",
    ],
)
def test_lookalikes_survive_byte_for_byte(text: str) -> None:
    result = CLEANER.clean(text)
    assert result.text == text
    assert result.removals == ()


def test_text_without_personal_data_is_the_same_object() -> None:
    text = "今天天气很好，我们去公园散步。\n孩子们在草地上放风筝，老人们在树下下棋。"
    doc = Document(id="a", text=text)
    assert CLEANER.apply(doc) is doc


def test_remove_and_custom_tags() -> None:
    text = "电话13812345678，邮箱a.b@163.com。"
    assert PersonalDataCleaner(action="remove").clean_text(text) == "电话，邮箱。"
    tagged = PersonalDataCleaner(tags=("mobile=<PHONE>",)).clean_text(text)
    assert tagged == "电话<PHONE>，邮箱[邮箱]。"
    assert PersonalDataCleaner(kinds=("email",)).clean_text(text) == "电话13812345678，邮箱[邮箱]。"


def test_reject_above_max_items_else_mask() -> None:
    step = PersonalDataCleaner(action="reject", max_items=2)
    crowded = Document(id="c", text="张三 13812345678\n李四 13912345678\n王五 15012345678")
    verdict = step.apply(crowded)
    assert isinstance(verdict, Reject) and verdict.code == "too_many"
    assert verdict.detail["items"] == 3 and verdict.detail["mobile"] == 3
    light = step.apply(Document(id="l", text="联系电话13812345678。"))
    assert isinstance(light, Document) and light.text == "联系电话[手机号]。"


def test_removals_name_the_step_and_rule() -> None:
    doc = PersonalDataCleaner().apply(Document(id="d", text="电话13812345678，QQ：123456789"))
    assert isinstance(doc, Document)
    assert [(removal.code, removal.rule, removal.text) for removal in doc.removed] == [
        ("pii.mobile", "pii.mobile", "13812345678"),
        ("pii.qq", "pii.qq", "123456789"),
    ]


def test_removals_can_hold_the_items_starred_out() -> None:
    result = PersonalDataCleaner(record_items=False).clean("电话13812345678，QQ：12345")
    assert result.text == "电话[手机号]，QQ：[QQ]"
    assert [removal.text for removal in result.removals] == ["138******78", "*****"]


def test_a_document_that_was_only_personal_data_is_emptied_when_removed() -> None:
    verdict = PersonalDataCleaner(action="remove").apply(Document(id="e", text="13812345678"))
    assert isinstance(verdict, Reject) and verdict.code == "emptied"


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="action"):
        PersonalDataCleaner(action="hide")
    with pytest.raises(ValueError, match="kind=tag"):
        PersonalDataCleaner(tags=("[PHONE]",))
    with pytest.raises(ValueError, match="unknown kind passport"):
        PersonalDataCleaner(kinds=("passport",))
    with pytest.raises(ValueError, match="unknown kind phone"):
        PersonalDataCleaner(tags=("phone=[PHONE]",))


def test_rule_ids_are_stable_and_unique() -> None:
    ids = [rule.id for rule in load_pii_rules("pii.toml")]
    assert len(ids) == len(set(ids))
    for kind in ("mobile", "id_card", "bank_card", "email", "qq", "wechat", "ip"):
        assert f"pii.{kind}" in ids


def test_in_the_default_recipe_after_the_filters_and_before_dedup() -> None:
    names = [step.name for step in load_recipe("default").steps]
    assert names.index("contact_density") < names.index("pii") < names.index("exact_dup")


def test_recipe_round_trip_with_parameters() -> None:
    recipe = parse_recipe(
        '[[steps]]\nname = "pii"\naction = "reject"\nmax_items = 3\ntags = ["qq=<QQ>"]\n', "inline"
    )
    again = parse_recipe(recipe.to_toml(), "again")
    assert again.steps == recipe.steps


@pytest.mark.parametrize(
    "unit",
    [
        "1",
        "１",
        "1 ",
        "1-",
        "12345 ",
        "6222 ",
        "1.",
        "2:",
        "a@",
        "QQ",
        "QQ：1",
        "微信：",
        "vx",
        "+86 ",
        "(+86)",
        "0086",
        "x" * 30 + "@",
    ],
)
def test_adversarial_input_is_linear(unit: str) -> None:
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    began = time.process_time()
    CLEANER.clean(text)
    # Linear scans of 100 kB take a few ms to ~100 ms on a loaded machine; a quadratic
    # one takes minutes.
    assert time.process_time() - began < 2.0, unit


def test_through_the_cli_every_item_is_in_removed_and_audit_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    documents = [
        {"id": "a", "text": "失主可拨打138-1234-5678与我们联系，或发邮件至li.wei@163.com。"},
        {"id": "b", "text": "会议定于2023年10月1日召开，订单号6222021234567890128已发货。"},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in documents), encoding="utf-8"
    )
    recipe = tmp_path / "R.toml"
    recipe.write_text('[[steps]]\nname = "pii"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", "--no-progress", str(source), "-o", str(out), "--recipe", str(recipe)]) == 0
    rows = {row["id"]: row for row in read_rows(shard_paths(out / "kept"), columns=["id", "text", "removed"])}
    assert rows["a"]["text"] == "失主可拨打[手机号]与我们联系，或发邮件至[邮箱]。"
    assert [(removal["rule"], removal["text"]) for removal in rows["a"]["removed"]] == [
        ("pii.mobile", "138-1234-5678"),
        ("pii.email", "li.wei@163.com"),
    ]
    assert rows["b"]["text"] == documents[1]["text"] and not rows["b"]["removed"]
    capsys.readouterr()
    assert main(["audit", str(out), "--rule", "pii.mobile", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["removals"]["matching"] == 1
    assert "138-1234-5678" in json.dumps(listed, ensure_ascii=False)
