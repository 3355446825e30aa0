"""Property-based tests over every exported cleaner and filter: arbitrary
Unicode, lone surrogates and combining marks included, never makes a step raise; cleaners
never grow a text (beyond what NFKC legitimately expands); steps that claim to be
idempotent are; a Pipeline of all of them conserves records.

"Never grow": len(output) <= len(input). The exception is Unicode normalization: NFKC
maps one compatibility character to up to 18 (U+FDFA ﷺ becomes an 18-character phrase;
㍿ becomes 株式会社), so a step that normalizes is bounded by NFKC_MAX_EXPANSION times
its input instead, and only where NFKC itself expands it.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhclean.document import Document, Reject, Rejected
from zhclean.pipeline import Pipeline
from zhclean.registry import exported_steps
from zhclean.steps import Cleaner, Filter, Step

# The longest NFKC expansion of one code point in Unicode 15 (U+FDFA).
NFKC_MAX_EXPANSION = 18
EXAMPLES = 200

CHINESE = "今天天气很好我们去公园散步。，！？；：“”（）《》【】版权所有扫码关注公众号微信阅读全文上一篇"
# Arbitrary code points, surrogates included (Python strings may hold them: JSON `\ud800`),
# with weight on Chinese, combining marks, whitespace and compatibility characters.
texts = st.lists(
    st.one_of(
        st.characters(codec=None, categories=None),  # any code point, surrogates too
        st.sampled_from(list(CHINESE)),
        st.sampled_from(
            [
                "\u0301",
                "\u0308",
                "\u20dd",
                "\u3099",
                "\u200b",
                "\ufeff",
                "\u00a0",
                "\u3000",
                "\n",
                "\r\n",
                "\t",
                " ",
            ]
        ),
        st.sampled_from(
            ["㍿", "ﷺ", "ｱ", "①", "ﬁ", "Ⅻ", "\ud800", "\udfff", "\x00", "\x85", "\u2028", "\ufffd"]
        ),
    ),
    max_size=400,
).map("".join)


def cleaners_and_filters() -> list[type[Step]]:
    return [cls for cls in exported_steps().values() if issubclass(cls, (Cleaner, Filter))]


STEPS = cleaners_and_filters()


def normalizes(step: Step) -> bool:
    return step.name == "normalize"


@pytest.mark.parametrize("step_class", STEPS, ids=[cls.name for cls in STEPS])
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_step_never_raises_and_cleaners_never_grow(step_class: type[Step], text: str) -> None:
    step = step_class()
    document = Document(id="p", text=text)
    verdict = step.apply(document)
    assert document.text == text, "the input document was changed"
    if isinstance(verdict, Reject):
        assert verdict.code in step.codes
        return
    assert isinstance(verdict, Document)
    if isinstance(step, Filter):
        assert verdict is document
        return
    if normalizes(step):
        bound = max(
            len(text), len(unicodedata.normalize("NFKC", text.encode("utf-8", "replace").decode("utf-8")))
        )
        assert len(verdict.text) <= max(bound, NFKC_MAX_EXPANSION * len(text))
    else:
        assert len(verdict.text) <= len(text), f"{step.name} grew the text"
    if getattr(step_class, "idempotent", False):
        again = step.apply(verdict)
        again_text = verdict.text if isinstance(again, Reject) else again.text
        assert again_text == verdict.text, f"{step.name} claims to be idempotent"


def test_idempotent_claims_exist() -> None:
    claimed = [cls.name for cls in STEPS if getattr(cls, "idempotent", False)]
    assert "whitespace" in claimed and "normalize" in claimed


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(texts, min_size=1, max_size=8))
def test_pipeline_of_every_cleaner_and_filter_conserves(batch: list[str]) -> None:
    pipeline = Pipeline([cls() for cls in STEPS])
    documents = [Document(id=str(index), text=text) for index, text in enumerate(batch)]
    outcomes = list(pipeline.run(documents))
    assert len(outcomes) == len(documents)
    assert sorted((o.document if isinstance(o, Rejected) else o).id for o in outcomes) == sorted(
        d.id for d in documents
    )
    crashed = [o.reason for o in outcomes if isinstance(o, Rejected) and o.reason.endswith(".crashed")]
    assert not crashed
    stats = pipeline.stats
    assert stats.kept + stats.rejected == stats.read == len(documents)
