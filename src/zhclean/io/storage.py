"""Where inputs and outputs live: a local path, or an object-store URL.

`as_path("dump/a.warc.gz")` is a `pathlib.Path`; `as_path("s3://bucket/dump/a.warc.gz")`
(or `gs://`, `az://`, any protocol fsspec knows) is an `ObjectPath`: the few `pathlib`
methods zhclean uses (`/`, `name`, `exists`, `glob`, `open` …), carried out by fsspec. The
engine and the readers take either, so a run reads from and writes to a bucket with the
same code, resume included. Local paths keep using the OS directly (no fsspec import, no
change in speed).

What differs on an object store, and how zhclean keeps the same guarantees:
* There is no atomic rename: a shard is still written under a temporary name starting
  with a dot and then moved (a server-side copy, then a delete), so the final name only
  ever holds a complete shard, and readers skip dot-names as they do on local disk.
* Directories do not exist; a "directory" is a key prefix. A run writes a 0-row shard
  into `kept/` and `rejected/` when they would be empty (see `engines/driver.py`), so
  both exist wherever the output is.
* Listings are cached by fsspec; the shards are written by other processes, so every
  listing here asks the store again.

Credentials and endpoints come from the file system's usual configuration (for S3:
`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL`, `~/.aws/…`), which
worker processes and Ray workers inherit.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

MISSING_FSSPEC = "reading or writing {url} needs fsspec and its file system: pip install 'zhclean[s3]' (s3fs)"


class StorageError(Exception):
    """An object-store URL that cannot be used (no file system for its protocol): one
    line for the user, never a traceback."""


def is_url(text: str) -> bool:
    scheme, separator, _ = text.partition("://")
    return bool(separator) and scheme.isidentifier()


def as_path(value: str | os.PathLike[str] | ObjectPath) -> StoragePath:
    """A local `Path`, or an `ObjectPath` for a URL with a protocol (`file://` is local)."""
    if isinstance(value, (Path, ObjectPath)):
        return value
    text = os.fspath(value)
    if is_url(text):
        if text.startswith("file://"):
            return Path(text.removeprefix("file://"))
        return ObjectPath(text)
    return Path(text)


class ObjectPath:
    """A file or key prefix on an fsspec file system, named by its URL."""

    __slots__ = ("protocol", "key")

    def __init__(self, url: str) -> None:
        protocol, separator, rest = url.partition("://")
        if not separator:
            raise ValueError(f"not a URL: {url!r}")
        self.protocol = protocol
        self.key = rest.rstrip("/")

    # -- naming ----------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.protocol}://{self.key}"

    def __repr__(self) -> str:
        return f"ObjectPath({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ObjectPath, (str(self),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectPath) and (self.protocol, self.key) == (other.protocol, other.key)

    def __hash__(self) -> int:
        return hash((self.protocol, self.key))

    def __lt__(self, other: ObjectPath) -> bool:
        return str(self) < str(other)

    def __truediv__(self, name: str) -> ObjectPath:
        return ObjectPath(f"{self}/{name}")

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    @property
    def parent(self) -> ObjectPath:
        return ObjectPath(f"{self.protocol}://{self.key.rsplit('/', 1)[0]}") if "/" in self.key else self

    def with_name(self, name: str) -> ObjectPath:
        return self.parent / name

    def relative_to(self, other: ObjectPath) -> PurePosixPath:
        prefix = other.key + "/"
        if not self.key.startswith(prefix):
            raise ValueError(f"{self} is not under {other}")
        return PurePosixPath(self.key[len(prefix) :])

    def resolve(self) -> ObjectPath:
        return self

    def as_uri(self) -> str:
        return str(self)

    # -- the file system ---------------------------------------------------------------------

    @property
    def fs(self) -> Any:
        """The fsspec file system (fsspec caches one instance per protocol and options)."""
        try:
            import fsspec
        except ImportError:
            raise StorageError(MISSING_FSSPEC.format(url=self)) from None
        try:
            return fsspec.filesystem(self.protocol)
        except (ImportError, ValueError) as error:
            raise StorageError(f"{MISSING_FSSPEC.format(url=self)}; fsspec says: {error}") from None

    def _fresh(self) -> Any:
        fs = self.fs
        fs.invalidate_cache(self.key)
        return fs

    def _child(self, key: str) -> ObjectPath:
        return ObjectPath(f"{self.protocol}://{key}")

    def exists(self) -> bool:
        return bool(self._fresh().exists(self.key))

    def is_dir(self) -> bool:
        return bool(self._fresh().isdir(self.key))

    def is_file(self) -> bool:
        return bool(self.fs.isfile(self.key))

    def iterdir(self) -> Iterator[ObjectPath]:
        for key in self._fresh().ls(self.key, detail=False):
            if key.rstrip("/") != self.key:
                yield self._child(key.rstrip("/"))

    def glob(self, pattern: str) -> Iterator[ObjectPath]:
        """Entries directly under this prefix whose name matches `pattern`."""
        for child in self.iterdir():
            if fnmatch.fnmatchcase(child.name, pattern):
                yield child

    def rglob(self, pattern: str) -> Iterator[ObjectPath]:
        """Files at any depth under this prefix whose name matches `pattern`."""
        for key in self._fresh().find(self.key):
            child = self._child(key)
            if fnmatch.fnmatchcase(child.name, pattern):
                yield child

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        # A prefix needs no creating on an object store; file systems with real
        # directories (sftp, memory) get them.
        self.fs.makedirs(self.key, exist_ok=True)

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self.fs.rm_file(self.key)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def open(self, mode: str = "rb", encoding: str | None = None) -> IO[Any]:
        if "b" in mode:
            return self.fs.open(self.key, mode)  # type: ignore[no-any-return]
        return self.fs.open(self.key, mode, encoding=encoding or "utf-8")  # type: ignore[no-any-return]

    def read_bytes(self) -> bytes:
        with self.open("rb") as handle:
            return handle.read()  # type: ignore[no-any-return]

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def write_text(self, text: str, encoding: str = "utf-8") -> None:
        with self.open("wb") as handle:
            handle.write(text.encode(encoding))

    def stat(self) -> SimpleNamespace:
        return SimpleNamespace(st_size=int(self.fs.size(self.key)))

    def replace(self, target: ObjectPath) -> None:
        self.fs.mv(self.key, target.key)

    def remove_tree(self) -> None:
        fs = self._fresh()
        if fs.exists(self.key):
            fs.rm(self.key, recursive=True)


StoragePath = Path | ObjectPath


# -- operations that differ between a local path and an object store -------------------------


def replace(source: StoragePath, target: StoragePath) -> None:
    """Moves a finished temporary file to its final name (atomic on a local disk; on an
    object store the final key appears whole, written by one server-side copy)."""
    if isinstance(source, ObjectPath):
        source.replace(target)  # type: ignore[arg-type]
    else:
        os.replace(source, target)  # type: ignore[arg-type]


def remove_tree(path: StoragePath) -> None:
    if isinstance(path, ObjectPath):
        path.remove_tree()
    else:
        shutil.rmtree(path, ignore_errors=True)


def write_text_atomic(path: StoragePath, text: str) -> None:
    """Readers see the old content or the new, never a half-written file: a temporary file
    renamed on a local disk; one upload (which an object store shows only when complete)
    elsewhere."""
    if isinstance(path, ObjectPath):
        path.write_text(text)
        return
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def parquet_file(path: StoragePath, **options: Any) -> pq.ParquetFile:
    """A Parquet file to read, local or remote."""
    if isinstance(path, ObjectPath):
        return pq.ParquetFile(path.open("rb"), **options)
    return pq.ParquetFile(path, **options)


def write_table_atomic(table: pa.Table, path: StoragePath) -> None:
    """One Parquet file written under a temporary name and moved into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(temporary, ObjectPath):
        with temporary.open("wb") as handle:
            pq.write_table(table, handle, compression="zstd")
    else:
        pq.write_table(table, temporary, compression="zstd")
    replace(temporary, path)


def identity_of(path: StoragePath) -> str:
    """How a run names an input in its manifest, so that resume recognises the same input
    given another way (relative or absolute, `./` or not)."""
    if isinstance(path, ObjectPath):
        return str(path)
    return str(path.resolve())
