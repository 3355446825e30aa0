"""Reading inputs, decoding bytes, writing Parquet shards.

    from zhclean.io import read_documents, ShardWriter, OUTPUT_SCHEMA, output_row

    for item in read_documents("docs.jsonl.zst", text_field="content"):
        ...   # a Document, or a Rejected (io.* reason) for a record that could not be read
    writer = ShardWriter(Path("out/kept"), "part-00000", OUTPUT_SCHEMA)
    writer.write(output_row(outcome))   # a kept Document or a Rejected: the same columns
    writer.close()

Paths may be object-store URLs (`s3://bucket/docs.jsonl`, with `zhclean[s3]`).
"""

from zhclean.io.decode import Decode
from zhclean.io.readers import (
    FORMATS,
    InputError,
    ReaderOptions,
    format_for_path,
    read_documents,
    read_records,
)
from zhclean.io.shards import (
    OUTPUT_SCHEMA,
    ShardWriter,
    output_row,
    read_rows,
    shard_paths,
    write_empty_shard,
)
from zhclean.io.storage import ObjectPath, StorageError, as_path

__all__ = [
    "Decode",
    "FORMATS",
    "InputError",
    "ReaderOptions",
    "format_for_path",
    "read_documents",
    "read_records",
    "OUTPUT_SCHEMA",
    "ShardWriter",
    "output_row",
    "read_rows",
    "shard_paths",
    "write_empty_shard",
    "ObjectPath",
    "StorageError",
    "as_path",
]
