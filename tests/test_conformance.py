"""One conformance check over every step (a step is its constructor parameters:
docs/ARCHITECTURE.md). Runs over `zhclean.registry.exported_steps()`, so steps added later are
covered without editing this file."""

from __future__ import annotations

import copy
import inspect
import pickle

import pytest

from zhclean.document import Document, Reject
from zhclean.registry import exported_steps
from zhclean.steps import Deduplicator, Step

ARTICLE = (
    "今年春天，县里的农民合作社开始试种一种耐旱的小麦品种。\n"
    "负责技术指导的老师说，这个品种在去年的试验田里表现不错，产量比普通品种高出一成左右。\n"
    "扫码关注我们的公众号\n"
    "责任编辑：王小明\n"
    "村民们希望今年的收成能好一些，也盼着合作社把经验推广到邻近的村子。"
)
SAMPLES = [
    Document(id="article", text=ARTICLE, url="https://example.cn/a", meta={"lang": "zh"}),
    Document(
        id="traditional",
        text="這是一篇用繁體中文寫的文章，我們希望它能被正確地轉換成簡體中文，並且保留原來的意思。" * 2,
    ),
    Document(
        id="spam",
        text="代开发票，税点低，诚信合作！联系电话：13912345678，QQ：12345678，欢迎来电咨询。\n" * 3,
    ),
    Document(
        id="personal",
        text="报名表：张某，身份证号11010519491231002X，手机138-1234-5678，邮箱zhang.san@163.com，"
        "微信：zhangsan_88，登录IP 114.114.114.114。订单号6222021234567890128，2023年10月1日发货。",
    ),
    Document(id="short", text="你好"),
    Document(id="empty", text=""),
    Document(
        id="html", html="<html><head><title>标题</title></head><body><p>" + ARTICLE + "</p></body></html>"
    ),
    Document(
        id="raw",
        raw=("<html><body><p>" + ARTICLE + "</p></body></html>").encode("gb18030"),
        meta={"http_content_type": "text/html; charset=gbk"},
    ),
]

STEPS = exported_steps()


def snapshot(doc: Document) -> tuple:
    return (doc.id, doc.text, doc.url, doc.source, copy.deepcopy(doc.meta), doc.removed, doc.raw, doc.html)


def run(step: Step, doc: Document) -> Document | Reject:
    return step.apply(doc)


@pytest.fixture(params=sorted(STEPS), ids=sorted(STEPS))
def step_class(request: pytest.FixtureRequest) -> type[Step]:
    return STEPS[request.param]


def test_default_construction_and_parameters(step_class: type[Step]) -> None:
    step = step_class()
    assert step_class.name, "a step needs a recipe name"
    signature = inspect.signature(step_class.__init__)
    assert not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()), "no **kwargs"
    for parameter in step.parameter_names():
        assert hasattr(step, parameter), (
            f"parameter {parameter!r} must be stored on an attribute of that name"
        )
    rebuilt = step_class(**step.get_params())
    assert rebuilt == step
    assert rebuilt.get_params() == step.get_params()


def test_picklable_and_same_after_unpickling(step_class: type[Step]) -> None:
    step = step_class()
    if not issubclass(step_class, Deduplicator):
        for doc in SAMPLES:  # build lazy state first: it must not travel in the pickle
            run(step, doc)
    clone = pickle.loads(pickle.dumps(step))
    assert clone == step
    assert type(clone) is step_class
    if issubclass(step_class, Deduplicator):
        return
    for doc in SAMPLES:
        assert run(clone, doc) == run(step_class(), doc)


def test_declared_codes_not_mutated_deterministic(step_class: type[Step]) -> None:
    if issubclass(step_class, Deduplicator):
        pytest.skip("deduplicators run through a Pipeline, not per document")
    step = step_class()
    for doc in SAMPLES:
        before = snapshot(doc)
        first = run(step, doc)
        assert snapshot(doc) == before, f"{step_class.name} mutated its input {doc.id}"
        second = run(step_class(), doc)
        assert first == second, f"{step_class.name} is not deterministic on {doc.id}"
        assert isinstance(first, (Document, Reject))
        if isinstance(first, Reject):
            assert first.code in step_class.codes, f"undeclared code {first.code!r}"
            assert "." not in first.code
        else:
            # Removals are only appended, and each names its step and a rule.
            assert first.removed[: len(doc.removed)] == doc.removed
            for removal in first.removed[len(doc.removed) :]:
                assert removal.code.startswith(f"{step_class.name}."), removal
                assert removal.rule
