"""Rejects text crowded with contact details: URLs, e-mail addresses, phone numbers, QQ
and WeChat ids. Ads and spam end in "call / add / visit"; articles rarely do more than once.

Reasons: `contact_density.too_many` (all kinds together), `contact_density.too_many_urls`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from zhclean.document import Document, Reject
from zhclean.steps import Filter
from zhclean.text.chars import count_non_space

URL = re.compile(r"(?:https?://|www\.)[\w\-.~%/?#=&+:;@]{2,200}", re.IGNORECASE)
# The local part starts where a run of its characters starts (the lookbehind): otherwise a
# long run of word characters is tried from each of them, 64 steps each. A "local part"
# longer than 64 characters (RFC 5321's limit) is not an address and no longer matches.
EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,5}")
# Mainland mobiles (1[3-9] + 9 digits), landlines with area code, 400/800 service numbers,
# not inside a longer run of digits. Each branch starts with its first digit and looks back
# past it (`1(?<!\d1)` is a 1 with no digit before it): a pattern that starts with a
# literal lets `re` skip to the candidates, one that starts with a lookbehind is tried at
# every character (twice the time of the whole filter's other scans).
PHONE = re.compile(
    r"(?:1(?<!\d1)[3-9]\d[- ]?\d{4}[- ]?\d{4}|0(?<!\d0)\d{2,3}[- ]\d{7,8}"
    r"|[48](?<!\d[48])00[- ]?\d{3}[- ]?\d{4})(?!\d)"
)
QQ_OR_WECHAT_KEYS = ("qq", "扣扣", "微信", "vx", "wx", "v信")
QQ_OR_WECHAT = re.compile(
    r"(?:" + "|".join(QQ_OR_WECHAT_KEYS) + r")\s*(?:号|群)?\s*[:：]?\s*[a-z0-9_\-]{5,20}", re.IGNORECASE
)

# Contact details per 1,000 characters. A news article may cite one hotline or a site
# (≤ 1–2 per 1k); spam mail and ad pages carry 3–10 in a few hundred characters.
DEFAULT_MAX_CONTACTS_PER_1K_CHARS = 4.0
DEFAULT_MIN_CONTACTS = 3
# A page that is mostly links: link directories, SEO doorway pages.
DEFAULT_MAX_URLS_PER_1K_CHARS = 8.0
DEFAULT_MIN_URLS = 5


class ContactDensityFilter(Filter):
    name: ClassVar[str] = "contact_density"
    codes: ClassVar[tuple[str, ...]] = ("too_many", "too_many_urls")

    def __init__(
        self,
        max_contacts_per_1k_chars: float = DEFAULT_MAX_CONTACTS_PER_1K_CHARS,
        min_contacts: int = DEFAULT_MIN_CONTACTS,
        max_urls_per_1k_chars: float = DEFAULT_MAX_URLS_PER_1K_CHARS,
        min_urls: int = DEFAULT_MIN_URLS,
    ) -> None:
        self.max_contacts_per_1k_chars = max_contacts_per_1k_chars
        self.min_contacts = min_contacts
        self.max_urls_per_1k_chars = max_urls_per_1k_chars
        self.min_urls = min_urls

    def check(self, doc: Document) -> Reject | None:
        text = doc.text
        characters = max(1, count_non_space(text))
        # The e-mail and messenger patterns have no literal prefix, so `re` tries them at
        # every character, and `re.IGNORECASE` costs the URL pattern its prefix scan; a
        # match needs "@", "http" or "www.", or a key (h, t, p, q, v, w, x fold only to their
        # own upper case, so lower-casing finds every one `re.IGNORECASE` would): skip if absent.
        lowered = text.lower()
        urls = len(URL.findall(text)) if "http" in lowered or "www." in lowered else 0
        emails = len(EMAIL.findall(text)) if "@" in text else 0
        phones = len(PHONE.findall(text))
        has_key = any(key in lowered for key in QQ_OR_WECHAT_KEYS)
        messengers = len(QQ_OR_WECHAT.findall(text)) if has_key else 0
        total = urls + emails + phones + messengers
        detail = {
            "urls": urls,
            "emails": emails,
            "phones": phones,
            "qq_wechat": messengers,
            "chars": characters,
        }
        if urls >= self.min_urls and urls * 1000 / characters > self.max_urls_per_1k_chars:
            return Reject("too_many_urls", {**detail, "max_urls_per_1k_chars": self.max_urls_per_1k_chars})
        if total >= self.min_contacts and total * 1000 / characters > self.max_contacts_per_1k_chars:
            return Reject(
                "too_many",
                {
                    **detail,
                    "per_1k_chars": round(total * 1000 / characters, 2),
                    "max_contacts_per_1k_chars": self.max_contacts_per_1k_chars,
                },
            )
        return None
