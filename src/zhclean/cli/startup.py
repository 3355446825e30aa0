"""Start-up tricks of the `zhclean` command, each with its measured reason. Only for the
command itself: never applied in a user's own Python process."""

from __future__ import annotations

import atexit
import ctypes
import gc
import os
import sys


def freeze_at_exit() -> None:
    """Everything alive at exit lives until the process ends: exempt it from the garbage
    collector, whose passes over the interpreter's objects at exit cost 0.1-0.15 s of CPU,
    a tenth of a 200-page run (measured; 0.01 s frozen)."""
    atexit.register(gc.freeze)


def single_threaded_blas() -> None:
    """numpy's OpenBLAS starts a thread per core when numpy is imported, and each thread
    spins a while waiting for work before it sleeps: 0.06 s of CPU in every process
    (`import numpy`: 0.14 CPU s, 0.08 with one thread; measured on the 2-core dev machine),
    about a tenth of a 3,000-document `zhclean dedup`. zhclean multiplies no matrices, and
    its workers are processes, so the threads never have work. Only has an effect before
    numpy is imported; a value the user set is kept."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


# mallopt's parameters (glibc's <malloc.h>).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# Blocks below this come from the heap, and the heap keeps up to TRIM_THRESHOLD_BYTES of
# freed memory at its top; glibc's defaults start at 128 kB and adapt up to 32 MB.
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024


def keep_freed_memory() -> None:
    """Lets glibc's malloc keep freed blocks for the next allocation instead of handing
    them back to the kernel at once. A batch of documents makes numpy arrays of a few MB
    (shingle hashes, bins), freed before the next batch makes the same again; with
    glibc's defaults each of them is returned (unmapped, or trimmed off the heap) and the
    next one's pages fault in again, zeroed by the kernel: 24 k page faults, a third of
    the MinHash signatures' CPU time on 3,000 news texts (113 ms, 76 ms with the blocks
    kept; measured on the 2-core dev machine). No effect where malloc is not glibc's."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)


class _RefusePandas:
    """A meta-path finder under which `import pandas` fails."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("not imported by zhclean clean", name=name)


def skip_pyarrow_pandas_probe() -> None:
    """pyarrow, on its first conversion of a Python list (every Parquet shard written),
    imports pandas when it is installed, to check whether the list is a pandas object:
    0.5-1 s in every process (measured on the 2-core dev machine), a third of a 200-page
    run. Nothing in a local run hands pyarrow pandas objects, so that first check is made
    here with the import refused: pyarrow then treats pandas as absent in this process and
    in the workers forked from it (`Table.from_pandas` still imports it when called).
    Only for the `zhclean` command on the local engine: never in a user's own process,
    and not under Ray, which hands pyarrow pandas frames."""
    if "pandas" in sys.modules:
        return
    import pyarrow as pa

    refuse = _RefusePandas()
    sys.meta_path.insert(0, refuse)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(refuse)
