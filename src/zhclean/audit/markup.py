"""Small HTML helpers of the audit report: escaping, element ids and links, numbers."""

from __future__ import annotations

import html
import json
import re
from typing import Any


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def anchor(kind: str, name: str) -> str:
    """An element id: `kind-name`, characters outside [A-Za-z0-9._-] replaced."""
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9._-]", lambda match: f"_{ord(match.group()):x}_", name)


def link(kind: str, name: str, label: str | None = None, css: str = "") -> str:
    class_attribute = f' class="{css}"' if css else ""
    return f'<a href="#{escape(anchor(kind, name))}"{class_attribute}>{escape(label if label is not None else name)}</a>'


def number(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.3g}"


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def short_json(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"
