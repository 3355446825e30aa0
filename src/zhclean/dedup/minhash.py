"""Near-duplicate removal: MinHash over character n-grams of normalized text.

Reason: `minhash.duplicate`, detail `{"cluster", "kept_id", "jaccard", "cluster_size"}` —
`jaccard` is the similarity to the kept copy estimated from the two signatures (the
fraction of signature words they share), `cluster` a stable name of the cluster (a digest
of the kept copy's id).

Defaults and why:
* character 5-grams (`ngram_chars=5`): on a real Chinese repost pair, splitting on `\\W`
  scores Jaccard 0.0 (each clause is one token), character 24-grams 0.18, character
  5-grams 0.64 (docs/ARCHITECTURE.md).
* 16 bands × 8 rows (`bands`, `rows_per_band`): the chance that a pair of Jaccard s
  becomes a candidate is 1 - (1 - s^8)^16: 0.95 at s = 0.8, 0.24 at s = 0.6, 0.0006 at
  s = 0.3. Set explicitly: datasketch's automatic choice for threshold 0.8 found 188 of
  237 true pairs where 16 × 8 found 235 (docs/ARCHITECTURE.md).
* 256 signature words (`signature_words`): the bands use the first 128; verification
  uses all 256, which makes the estimate tighter (see `zhclean.dedup.signatures`).
* candidates are verified (`min_estimated_jaccard=0.75`): a pair is linked only when its
  signatures agree on at least 75% of their words. The band S-curve lets through pairs
  near 0.6 one time in four; verifying keeps them, and chains of them, apart. Measured
  (benchmarks/dedup.py, planted reposts of real news): recall on pairs of true Jaccard
  ≥ 0.8 is 98.9% at 0.70, 98.1% at 0.75, 95.7% at 0.78; a bank-question paraphrase pair of
  true Jaccard 0.73 (qa_corpus) is merged at 0.70 and not at 0.75. 0 turns it off.
* which copy is kept: highest `meta["quality"]`, then longest, then smallest id
  (see `zhclean.dedup.graph`).

Text is normalized first (`zhclean.dedup.normalize`: NFKC, lower case, no whitespace,
punctuation or symbols), so reposts that differ in spacing or punctuation style match. A
text shorter than n characters is one shingle: it still gets a signature and matches its
exact copies.

`mode="staged"` spills to Parquet in the engine's work directory (restartable stages, see
`zhclean.dedup.staged`) and gives the same result as `mode="memory"`. Its per-partition
stages run through `find_duplicates(..., executor=...)` (serial by default; a run passes
its executor: a process pool or Ray tasks). Above `max_edges_in_memory` candidate edges,
the connected components are found partitioned on disk instead of in one process (same
result).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from zhclean.dedup.clusters import ClusteringDeduplicator
from zhclean.dedup.graph import ClusterSpec, Duplicate
from zhclean.dedup.signatures import MinHashScheme, minhash_signature, minhash_signatures, signature_array
from zhclean.dedup.staged import DEFAULT_MAX_EDGES_IN_MEMORY
from zhclean.document import Document

DEFAULT_NGRAM_CHARS = 5
DEFAULT_BANDS = 16
DEFAULT_ROWS_PER_BAND = 8
DEFAULT_MIN_ESTIMATED_JACCARD = 0.75
# 256 16-bit words: the bands use the first 128, verification all 256 (standard
# deviation of the estimate 0.027 at J = 0.75, against 0.038 with 128), in 512 bytes.
DEFAULT_SIGNATURE_WORDS = 256
DEFAULT_SEED = 1
# 64 partitions of band rows: at 1 M documents × 16 bands each partition is ≈ 250 k rows
# (3 MB), so grouping one holds little memory.
DEFAULT_PARTITIONS = 64
DEFAULT_CHUNK_DOCS = 65_536
MODES = ("memory", "staged")


class MinHashDeduplicator(ClusteringDeduplicator):
    name: ClassVar[str] = "minhash"
    codes: ClassVar[tuple[str, ...]] = ("duplicate",)

    def __init__(
        self,
        ngram_chars: int = DEFAULT_NGRAM_CHARS,
        bands: int = DEFAULT_BANDS,
        rows_per_band: int = DEFAULT_ROWS_PER_BAND,
        min_estimated_jaccard: float = DEFAULT_MIN_ESTIMATED_JACCARD,
        signature_words: int = DEFAULT_SIGNATURE_WORDS,
        seed: int = DEFAULT_SEED,
        mode: str = "memory",
        partitions: int = DEFAULT_PARTITIONS,
        chunk_docs: int = DEFAULT_CHUNK_DOCS,
        max_edges_in_memory: int = DEFAULT_MAX_EDGES_IN_MEMORY,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if ngram_chars < 1 or bands < 1 or rows_per_band < 1:
            raise ValueError("ngram_chars, bands and rows_per_band must be positive")
        if signature_words < bands * rows_per_band:
            raise ValueError(
                f"signature_words must be at least bands × rows_per_band = {bands * rows_per_band}"
            )
        self.ngram_chars = ngram_chars
        self.bands = bands
        self.rows_per_band = rows_per_band
        self.min_estimated_jaccard = min_estimated_jaccard
        self.signature_words = signature_words
        self.seed = seed
        self.mode = mode
        self.partitions = partitions
        self.chunk_docs = chunk_docs
        self.max_edges_in_memory = max_edges_in_memory
        self._scheme: MinHashScheme | None = None

    def scheme(self) -> MinHashScheme:
        if self._scheme is None:
            self._scheme = MinHashScheme(self.seed, self.ngram_chars, self.signature_words)
        return self._scheme

    def signature(self, doc: Document) -> bytes:
        return minhash_signature(doc.text, self.scheme())

    def signatures(self, docs: list[Document]) -> list[bytes]:
        return minhash_signatures([doc.text for doc in docs], self.scheme())

    def spec(self) -> ClusterSpec:
        return ClusterSpec(
            words=self.signature_words,
            bands=self.bands,
            rows_per_band=self.rows_per_band,
            min_agreement=self.min_estimated_jaccard,
            seed=self.seed,
        )

    def duplicate_detail(self, duplicate: Duplicate) -> dict[str, Any]:
        return {**super().duplicate_detail(duplicate), "jaccard": round(duplicate.agreement, 4)}

    def to_lean_minhash(self, signature: bytes | np.ndarray) -> Any:
        return to_lean_minhash(signature, self.seed)


def to_lean_minhash(signature: bytes | np.ndarray, seed: int = DEFAULT_SEED) -> Any:
    """A datasketch `LeanMinHash` holding our signature, for datasketch's indexes
    (`MinHashLSH(num_perm=bands × rows_per_band, params=(bands, rows_per_band))`,
    `MinHashLSHForest`) and its `jaccard`. Compare it only with signatures made by
    zhclean with the same seed and n-gram size: our hash functions are not datasketch's."""
    from datasketch import LeanMinHash

    # "affine32": datasketch's scheme whose hash values are uint32, as ours are.
    return LeanMinHash(seed=seed, hashvalues=signature_array(signature).astype(np.uint32), scheme="affine32")
