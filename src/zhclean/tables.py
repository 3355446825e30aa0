"""Pipelines on tables: the work behind `Pipeline.apply` and `Pipeline.keeps`.

Rows of a list, a batch dict, a pandas or polars DataFrame, a pyarrow Table or a 🤗
dataset become `Document`s, run through the pipeline, and come back as the same rows with
zhclean's output columns (`OUTPUT_COLUMNS`, typed as in the Parquet output). The pipeline
is only called (`pipeline.run`), so this module does not import it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from zhclean.document import Document, Rejected, Source


class Pipeline(Protocol):
    """What this module needs of `zhclean.pipeline.Pipeline`: one outcome per item, in order."""

    def run(self, documents: Iterable[Any]) -> Iterator[Document | Rejected]: ...


OUTPUT_COLUMNS = ("text", "kept", "reason", "detail", "removed", "quality")
ACCEPTED = (
    "a list of strings or of row dicts, a pandas or polars DataFrame, a pyarrow Table or RecordBatch, "
    "a batch dict of columns, or a datasets.Dataset"
)
# Rows given to a pipeline from a table are named `rows#<position>` in `kept_source`.
ROWS_SOURCE = "rows"


def outcomes_of(
    pipeline: Pipeline, texts: list[Any], ids: list[Any] | None, htmls: list[Any] | None, text_column: str
) -> list[Document | Rejected]:
    """Runs the rows through the pipeline; one outcome per row, in row order. A row whose
    text is missing or not a string is rejected (`io.missing_field`, `io.bad_field`), as
    the file readers do."""
    items: list[Document | Rejected] = []
    for position, text in enumerate(texts):
        record_id = ids[position] if ids is not None else None
        record_id = str(position) if record_id is None or record_id == "" else str(record_id)
        source = Source(ROWS_SOURCE, position)
        markup = htmls[position] if htmls is not None else None
        if isinstance(markup, bytes):
            items.append(Document(id=record_id, source=source, raw=markup))
        elif isinstance(markup, str):
            items.append(Document(id=record_id, source=source, html=markup))
        elif text is None:
            field = text_column if htmls is None else f"{text_column} or html"
            items.append(
                Rejected(Document(id=record_id, source=source), "io.missing_field", {"field": field})
            )
        elif not isinstance(text, str):
            detail = {"field": text_column, "type": type(text).__name__}
            items.append(Rejected(Document(id=record_id, source=source), "io.bad_field", detail))
        else:
            items.append(Document(id=record_id, text=text, source=source))
    outcomes = list(pipeline.run(items))
    assert len(outcomes) == len(items), "a pipeline gives one outcome per row"
    return outcomes


def output_columns(outcomes: list[Document | Rejected]) -> dict[str, list[Any]]:
    from zhclean.io.shards import output_row

    rows = [output_row(outcome) for outcome in outcomes]
    return {name: [row[name] for row in rows] for name in OUTPUT_COLUMNS}


def arrow_type(name: str) -> Any:
    from zhclean.io.shards import OUTPUT_SCHEMA

    return OUTPUT_SCHEMA.field(name).type


def values(column: Any) -> list[Any]:
    """A column of any of the accepted kinds as a Python list."""
    if hasattr(column, "to_pylist"):  # pyarrow Array or ChunkedArray
        return column.to_pylist()  # type: ignore[no-any-return]
    if hasattr(column, "tolist"):  # numpy array, pandas Series
        return column.tolist()  # type: ignore[no-any-return]
    return list(column)


def missing_column(name: str, present: Iterable[str], argument: str) -> KeyError:
    columns = ", ".join(map(str, present))
    return KeyError(f"no column {name!r} in the data (columns: {columns}); pass {argument}='<column>'")


def column_lists(
    data: Any, names: Sequence[str], text_column: str, id_column: str | None, html_column: str | None
) -> tuple[list[Any], list[Any] | None, list[Any] | None]:
    """(texts, ids, htmls) of a table-like `data` with column `names`, read with `get`."""

    def get(name: str) -> list[Any]:
        return values(data[name])

    if html_column is not None:
        if html_column not in names:
            raise missing_column(html_column, names, "html_column")
        htmls: list[Any] | None = get(html_column)
        texts = get(text_column) if text_column in names else [None] * len(htmls)  # type: ignore[arg-type]
    else:
        if text_column not in names:
            raise missing_column(text_column, names, "text_column")
        htmls = None
        texts = get(text_column)
    if id_column is not None and id_column not in names:
        raise missing_column(id_column, names, "id_column")
    id_name = id_column if id_column is not None else ("id" if "id" in names else None)
    ids = get(id_name) if id_name is not None else None
    return texts, ids, htmls


def apply_pipeline(
    pipeline: Pipeline,
    data: Any,
    text_column: str = "text",
    id_column: str | None = None,
    html_column: str | None = None,
) -> Any:
    options = {"text_column": text_column, "id_column": id_column, "html_column": html_column}
    module = type(data).__module__.split(".")[0]
    if isinstance(data, (str, bytes)):
        raise TypeError(
            f"apply takes a batch of rows ({ACCEPTED}), not one string; for one text use clean_text(text)"
        )
    if isinstance(data, Document):
        raise TypeError("apply takes a batch of rows; for documents use pipeline.run([document, …])")
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(data, pa.RecordBatch):
            table = apply_pipeline(pipeline, pa.Table.from_batches([data]), **options)  # type: ignore[arg-type]
            return pa.RecordBatch.from_arrays(
                [column.combine_chunks() for column in table.columns], schema=table.schema
            )
        if isinstance(data, pa.Table):
            return apply_to_table(pipeline, data, **options)  # type: ignore[arg-type]
    if module == "pandas" and type(data).__name__ == "DataFrame":
        texts, ids, htmls = column_lists(data, list(data.columns), text_column, id_column, html_column)
        columns = output_columns(outcomes_of(pipeline, texts, ids, htmls, text_column))
        result = data.copy()
        for name, column in columns.items():
            result[name] = column
        return result
    if module == "polars" and type(data).__name__ == "DataFrame":
        import polars

        return polars.from_arrow(apply_to_table(pipeline, data.to_arrow(), **options))  # type: ignore[arg-type]
    if isinstance(data, Mapping):
        table = getattr(data, "pa_table", None)
        if module == "datasets" and table is not None:
            # The LazyBatch that datasets' `map(batched=True)` passes: answered with a whole
            # pyarrow Table (input columns and zhclean's), which datasets writes as it is.
            # Lists would have their types inferred per batch, and the first batch fixes
            # them: a first batch with no `reason` or no `removed` fragment would type those
            # columns null, which the next batch could not be written to.
            return apply_to_table(pipeline, table, **options)  # type: ignore[arg-type]
        return apply_to_batch(pipeline, dict(data), **options)  # type: ignore[arg-type]
    if module == "datasets":
        return apply_to_dataset(pipeline, data, options)
    if isinstance(data, (list, tuple)):
        return apply_to_list(pipeline, list(data), **options)  # type: ignore[arg-type]
    raise TypeError(f"apply takes {ACCEPTED}; not {type(data).__module__}.{type(data).__name__}")


def apply_to_table(
    pipeline: Pipeline, table: Any, text_column: str, id_column: str | None, html_column: str | None
) -> Any:
    import pyarrow as pa

    texts, ids, htmls = column_lists(table, table.column_names, text_column, id_column, html_column)
    columns = output_columns(outcomes_of(pipeline, texts, ids, htmls, text_column))
    for name, column in columns.items():
        array = pa.array(column, type=arrow_type(name))
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, array)
        else:
            table = table.append_column(pa.field(name, array.type), array)
    return table


def is_one_example(batch: Mapping[str, Any], text_column: str, html_column: str | None) -> bool:
    """Whether a dict is one example (single values, as `Dataset.map` without `batched`
    passes) rather than a batch of columns."""
    content = batch.get(html_column if html_column is not None else text_column)
    return isinstance(content, (str, bytes)) or (content is None and text_column in batch)


def apply_to_batch(
    pipeline: Pipeline,
    batch: dict[str, Any],
    text_column: str,
    id_column: str | None,
    html_column: str | None,
) -> dict[str, Any]:
    """A dict of columns (a batch of Ray Data's `map_batches` with numpy batches, or any
    dict of lists), or one example (a dict of single values, as `Dataset.map` without
    `batched` passes). The new columns are lists, or numpy arrays when the batch holds
    numpy arrays."""
    if is_one_example(batch, text_column, html_column):
        # One example (`Dataset.map` without batched=True): a batch of one, unwrapped.
        single = {name: [value] for name, value in batch.items()}
        result = apply_to_batch(pipeline, single, text_column, id_column, html_column)
        return {name: column[0] for name, column in result.items()}
    texts, ids, htmls = column_lists(batch, list(batch), text_column, id_column, html_column)
    columns = output_columns(outcomes_of(pipeline, texts, ids, htmls, text_column))
    result = dict(batch)
    as_numpy = any(type(value).__module__ == "numpy" for value in batch.values())
    for name, column in columns.items():
        result[name] = numpy_column(column) if as_numpy else column
    return result


def numpy_column(column: list[Any]) -> Any:
    import numpy as np

    array = np.empty(len(column), dtype=object)
    array[:] = column
    if column and all(isinstance(value, bool) for value in column):
        return array.astype(bool)
    return array


def apply_to_list(
    pipeline: Pipeline, rows: list[Any], text_column: str, id_column: str | None, html_column: str | None
) -> list[dict[str, Any]]:
    """A list of strings (each a text) or of dicts (each a row): a list of row dicts."""
    if all(isinstance(row, str) for row in rows):
        columns = output_columns(outcomes_of(pipeline, rows, None, None, text_column))
        return [{name: columns[name][index] for name in OUTPUT_COLUMNS} for index in range(len(rows))]
    if all(isinstance(row, dict) for row in rows):
        names = list(dict.fromkeys(name for row in rows for name in row))
        if (html_column or text_column) not in names and rows:
            raise missing_column(
                html_column or text_column, names, "html_column" if html_column else "text_column"
            )
        batch = {name: [row.get(name) for row in rows] for name in names}
        columns = apply_to_batch(pipeline, batch, text_column, id_column, html_column)
        return [
            {**row, **{name: columns[name][index] for name in OUTPUT_COLUMNS}}
            for index, row in enumerate(rows)
        ]
    kinds = sorted({type(row).__name__ for row in rows})
    raise TypeError(f"apply takes a list of strings or a list of row dicts, not a list of {', '.join(kinds)}")


def apply_to_dataset(pipeline: Pipeline, dataset: Any, options: dict[str, Any]) -> Any:
    """A 🤗 dataset: the whole of a `Dataset` in one batch (so a deduplicating recipe
    compares all its rows); each split of a `DatasetDict`; an `IterableDataset` lazily,
    batch by batch."""
    import datasets

    function = functools.partial(apply_pipeline, pipeline, **options)
    if isinstance(dataset, datasets.DatasetDict):
        return datasets.DatasetDict(
            {name: apply_to_dataset(pipeline, split, options) for name, split in dataset.items()}
        )
    if isinstance(dataset, datasets.IterableDataset):
        return dataset.map(function, batched=True)
    if isinstance(dataset, datasets.Dataset):
        return dataset.map(function, batched=True, batch_size=None)
    raise TypeError(f"apply takes {ACCEPTED}; not datasets.{type(dataset).__name__}")


def kept_flags(
    pipeline: Pipeline,
    data: Any,
    text_column: str = "text",
    id_column: str | None = None,
    html_column: str | None = None,
) -> Any:
    """Whether each row is kept; one bool for one example dict."""
    options = {"text_column": text_column, "id_column": id_column, "html_column": html_column}
    if isinstance(data, Mapping) and getattr(data, "pa_table", None) is None:
        data = dict(data)
        if is_one_example(data, text_column, html_column):
            return bool(apply_to_batch(pipeline, data, **options)["kept"])  # type: ignore[arg-type]
    result = apply_pipeline(pipeline, data, **options)  # type: ignore[arg-type]
    if isinstance(result, list):
        return [row["kept"] for row in result]
    kept = result.column("kept") if hasattr(result, "column") else result["kept"]
    return [bool(flag) for flag in values(kept)]
