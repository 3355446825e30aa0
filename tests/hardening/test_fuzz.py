"""The reader + decoder + extractor fuzz target, for a bounded time in CI.

The 10-minute run is `tests/hardening/fuzz_10min.sh` (atheris when installed)."""

from __future__ import annotations

from tests.hardening.fuzz_target import mutation_fuzz

# Seconds of fuzzing per CI run: ~4,000 inputs on this machine, well under the 30 s budget.
CI_FUZZ_SECONDS = 10


def test_fuzz_reader_decoder_extractor_for_a_bounded_time() -> None:
    runs = mutation_fuzz(CI_FUZZ_SECONDS, seed=9)
    assert runs > 100
