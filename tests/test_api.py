"""zhclean from Python on the data people already have: strings, pandas, pyarrow, polars,
🤗 datasets and Ray Data, with the real libraries (all in the dev extra)."""

from __future__ import annotations

import json

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import zhclean
from zhclean import Document, Pipeline, Rejected
from zhclean.clean import AdLineCleaner
from zhclean.filters import HanShareFilter, LengthFilter, SpamWordFilter

SPAM = "澳门葡京赌场，百家乐真人娱乐城，注册送彩金，首存优惠，百家乐在线投注，老虎机天天返水，欢迎光临。" * 3
NEWS = (
    "今天上午，市政府召开新闻发布会，介绍了今年城市建设的主要进展。"
    "专家表示，这一政策将有助于推动区域经济的协调发展，也会让市民的生活更加便利。"
    "据了解，新建的三条公交线路将在下个月开通，沿线的居民对此十分期待。"
)
LETTER = (
    "我的家乡在南方的一个小镇上，那里有一条清澈的小河从镇中穿过。"
    "每到夏天，孩子们就会在河边玩水、捉鱼，大人们则坐在树荫下聊天，日子过得平静而温暖。"
    "后来我去了外地读书和工作，很少有机会回去，但那条小河一直留在我的记忆里。"
)
AD_LINE = "扫码关注我们的公众号，获取更多精彩内容"
WITH_AD = LETTER + "\n" + AD_LINE
TEXTS = [SPAM, NEWS, "太短了", WITH_AD, NEWS]
# What the default recipe makes of TEXTS: the spam and the short text rejected, the ad line
# cut, the second copy of NEWS rejected as a duplicate of the first.
EXPECTED_KEPT = [False, True, False, True, False]


def check_columns(
    kept: list[bool], texts: list[str], reasons: list[str | None], removed: list[list[dict]]
) -> None:
    assert kept == EXPECTED_KEPT
    assert reasons[0] is not None and reasons[2] == "length.too_short"
    assert reasons[4] in ("exact_dup.duplicate", "minhash.duplicate")
    assert reasons[1] is None and reasons[3] is None
    assert AD_LINE not in texts[3] and texts[3].startswith("我的家乡")
    assert [fragment["text"] for fragment in removed[3]] == [AD_LINE]
    assert texts[2] == "太短了"  # a rejected row keeps its text


def test_plain_strings_through_a_pipeline_are_documents() -> None:
    outcomes = list(zhclean.load_recipe("default").pipeline().run(TEXTS))
    assert [isinstance(outcome, Document) for outcome in outcomes] == EXPECTED_KEPT
    assert isinstance(outcomes[0], Rejected) and outcomes[0].document.id == "0"
    assert zhclean.clean_texts(TEXTS) == [None, NEWS, None, LETTER, None]
    assert zhclean.load_recipe("default").clean_text(SPAM) is None


def test_a_pipeline_reports_spam_in_strings_instead_of_keeping_it() -> None:
    pipeline = Pipeline([SpamWordFilter()])
    outcomes = list(pipeline.run([SPAM, NEWS]))
    assert isinstance(outcomes[0], Rejected) and outcomes[0].reason == "spam_words.gambling"
    assert pipeline.stats.read == 2 and pipeline.stats.rejected == 1


def test_filters_and_cleaners_answer_plain_strings() -> None:
    verdict = SpamWordFilter().check_text(SPAM)
    assert verdict is not None and verdict.code == "gambling" and verdict.detail["hits"] > 0
    assert SpamWordFilter().check(SPAM) == verdict  # check takes a string too
    assert SpamWordFilter().check_text(NEWS) is None
    assert LengthFilter(min_chars=50).check_text("短").code == "too_short"  # type: ignore[union-attr]
    assert AdLineCleaner().clean_text(WITH_AD) == LETTER
    assert AdLineCleaner().clean(Document(id="d", text=WITH_AD)).text == LETTER
    with pytest.raises(TypeError, match="Document or a str"):
        HanShareFilter().check(42)  # type: ignore[arg-type]


def test_a_list_of_strings_and_a_list_of_rows() -> None:
    rows = zhclean.apply(TEXTS)
    check_columns(
        [row["kept"] for row in rows],
        [row["text"] for row in rows],
        [row["reason"] for row in rows],
        [row["removed"] for row in rows],
    )
    assert set(rows[0]) == {"text", "kept", "reason", "detail", "removed", "quality"}
    assert json.loads(rows[2]["detail"]) == {"chars": 3, "min_chars": 50}
    records = zhclean.apply(
        [{"id": f"r{index}", "content": text, "lang": "zh"} for index, text in enumerate(TEXTS)],
        text_column="content",
    )
    assert [record["id"] for record in records] == [f"r{index}" for index in range(5)]
    assert all(
        record["lang"] == "zh" and record["content"] == TEXTS[index] for index, record in enumerate(records)
    )
    duplicate = json.loads(records[4]["detail"])
    assert duplicate["kept_id"] == "r1"  # names the kept row by its id


def test_a_pandas_dataframe_keeps_its_rows_index_and_columns() -> None:
    frame = pd.DataFrame({"content": TEXTS, "split": ["a", "b", "c", "d", "e"]}, index=[10, 11, 12, 13, 14])
    result = zhclean.load_recipe("default").apply(frame, text_column="content")
    assert list(result.index) == [10, 11, 12, 13, 14] and list(result["split"]) == list("abcde")
    assert list(result["content"]) == TEXTS  # the input column is left as it was
    check_columns(
        list(result["kept"]),
        list(result["text"]),
        [None if pd.isna(value) else value for value in result["reason"]],
        list(result["removed"]),
    )
    assert list(frame.columns) == ["content", "split"]  # the input frame is not changed


def test_a_pyarrow_table_and_record_batch_get_typed_columns() -> None:
    table = pa.table({"id": [f"t{index}" for index in range(5)], "text": TEXTS})
    result = zhclean.apply(table)
    assert result.column_names == ["id", "text", "kept", "reason", "detail", "removed", "quality"]
    assert (
        result.schema.field("kept").type == pa.bool_() and result.schema.field("quality").type == pa.float64()
    )
    check_columns(
        result["kept"].to_pylist(),
        result["text"].to_pylist(),
        result["reason"].to_pylist(),
        result["removed"].to_pylist(),
    )
    batch = zhclean.apply(table.to_batches()[0])
    assert (
        isinstance(batch, pa.RecordBatch)
        and batch.column(batch.schema.get_field_index("kept")).to_pylist() == EXPECTED_KEPT
    )


def test_a_polars_dataframe() -> None:
    result = zhclean.apply(pl.DataFrame({"text": TEXTS}))
    assert isinstance(result, pl.DataFrame) and result["kept"].to_list() == EXPECTED_KEPT


def test_a_huggingface_dataset_whole_and_through_map_and_filter() -> None:
    datasets = pytest.importorskip("datasets")  # in the dev extra; skipped only where it is absent
    dataset = datasets.Dataset.from_dict({"text": TEXTS, "n": list(range(5))})
    whole = zhclean.apply(dataset)
    check_columns(whole["kept"], whole["text"], whole["reason"], whole["removed"])
    recipe = zhclean.load_recipe("default")
    # Batches of two: each batch is deduplicated on its own, so the second NEWS (alone in
    # the last batch) is kept. A first batch with no removal must not fix `removed` as null.
    mapped = dataset.map(recipe.apply, batched=True, batch_size=2)
    assert mapped["kept"] == [False, True, False, True, True]
    assert mapped.features["removed"].feature["code"].dtype == "string"
    filtered = dataset.filter(recipe.keeps, batched=True)
    assert filtered["n"] == [1, 3]
    assert dataset.filter(recipe.keeps)["n"] == [1, 3, 4]  # one example at a time: no duplicates to see


@pytest.mark.slow
def test_ray_data_map_batches_in_every_batch_format() -> None:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    try:
        recipe = zhclean.load_recipe("heuristics")
        items = [{"text": text, "n": index} for index, text in enumerate(TEXTS)]
        for batch_format in ("pyarrow", "pandas", "numpy"):
            rows = (
                ray.data.from_items(items)
                .map_batches(recipe.apply, batch_format=batch_format, batch_size=2)
                .take_all()
            )
            rows.sort(key=lambda row: row["n"])
            assert [bool(row["kept"]) for row in rows] == [False, True, False, True, True], batch_format
        assert sorted(row["n"] for row in ray.data.from_items(items).filter(recipe.keeps).take_all()) == [
            1,
            3,
            4,
        ]
    finally:
        ray.shutdown()


def test_wrong_input_types_say_what_to_pass() -> None:
    recipe = zhclean.load_recipe("default")
    with pytest.raises(TypeError, match="clean_text"):
        recipe.apply("一段文字")
    with pytest.raises(TypeError, match="DataFrame"):
        recipe.apply(42)
    with pytest.raises(TypeError, match="list of strings or a list of row dicts"):
        recipe.apply([1, 2])
    with pytest.raises(KeyError, match="text_column='<column>'"):
        recipe.apply(pd.DataFrame({"content": TEXTS}))
    with pytest.raises(TypeError, match="a list of steps"):
        Pipeline("default")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="call it"):
        Pipeline([LengthFilter])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="recipe name"):
        zhclean.load_recipe(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="wrap it in a list"):
        list(recipe.pipeline().run("一段文字"))


def test_rows_without_text_are_rejected_not_dropped() -> None:
    result = zhclean.apply(pa.table({"text": [NEWS, None]}))
    assert result["kept"].to_pylist() == [True, False]
    assert result["reason"].to_pylist() == [None, "io.missing_field"]


def test_html_rows_go_through_the_extractor() -> None:
    page = f"<html><head><title>新闻</title></head><body><div class='nav'>首页 | 新闻</div><p>{NEWS}</p></body></html>"
    result = zhclean.apply(pd.DataFrame({"html": [page]}), html_column="html")
    assert bool(result["kept"][0]) and NEWS in result["text"][0]
