"""Language by script: Chinese is Han without kana or hangul.

Reasons: `script.japanese` (kana share), `script.korean` (hangul share), and, with a
fastText language-ID model given by `fasttext_model_path` (e.g. lid.176.bin),
`script.not_chinese` when its `__label__zh` probability is below `min_fasttext_zh_score`.
Latin-dominated text is `cjk_ratio`'s job.
"""

from __future__ import annotations

from typing import Any, ClassVar

from zhclean.document import Document, Reject
from zhclean.steps import Filter
from zhclean.text.chars import HANGUL, KANA, count, count_han

# Japanese prose is 30–60% kana; Chinese text quoting a Japanese title stays under 5%.
DEFAULT_MAX_KANA_SHARE = 0.1
# Korean prose is mostly hangul; Chinese with a Korean name or two stays under 5%.
DEFAULT_MAX_HANGUL_SHARE = 0.1
# lid.176 gives Chinese prose > 0.9; 0.5 leaves room for mixed Chinese–English pages.
DEFAULT_MIN_FASTTEXT_ZH_SCORE = 0.5


class ScriptFilter(Filter):
    name: ClassVar[str] = "script"
    codes: ClassVar[tuple[str, ...]] = ("japanese", "korean", "not_chinese")

    def __init__(
        self,
        max_kana_share: float = DEFAULT_MAX_KANA_SHARE,
        max_hangul_share: float = DEFAULT_MAX_HANGUL_SHARE,
        fasttext_model_path: str | None = None,
        min_fasttext_zh_score: float = DEFAULT_MIN_FASTTEXT_ZH_SCORE,
    ) -> None:
        self.max_kana_share = max_kana_share
        self.max_hangul_share = max_hangul_share
        self.fasttext_model_path = fasttext_model_path
        self.min_fasttext_zh_score = min_fasttext_zh_score
        self._model: Any = None

    def model(self) -> Any:
        if self._model is None:
            import fasttext  # fasttext-numpy2, see docs/ARCHITECTURE.md

            self._model = fasttext.load_model(self.fasttext_model_path)
        return self._model

    def check(self, doc: Document) -> Reject | None:
        text = doc.text
        han = count_han(text)
        kana = count(KANA, text)
        hangul = count(HANGUL, text)
        east_asian = max(1, han + kana + hangul)
        if kana / east_asian > self.max_kana_share:
            return Reject(
                "japanese", {"kana_share": round(kana / east_asian, 4), "max_kana_share": self.max_kana_share}
            )
        if hangul / east_asian > self.max_hangul_share:
            return Reject(
                "korean",
                {"hangul_share": round(hangul / east_asian, 4), "max_hangul_share": self.max_hangul_share},
            )
        if self.fasttext_model_path:
            labels, scores = self.model().predict(" ".join(text.split())[:2000], k=3)
            zh_score = 0.0
            for label, score in zip(labels, scores, strict=False):
                if label in ("__label__zh", "__label__zho_Hans", "__label__zho_Hant", "__label__cmn_Hani"):
                    zh_score += float(score)
            if zh_score < self.min_fasttext_zh_score:
                return Reject(
                    "not_chinese",
                    {
                        "zh_score": round(zh_score, 4),
                        "top_label": labels[0] if labels else None,
                        "min_fasttext_zh_score": self.min_fasttext_zh_score,
                    },
                )
        return None
