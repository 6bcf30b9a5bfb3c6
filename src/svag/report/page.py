"""The report as one self-contained HTML file: the template, stylesheet and script of
``svag/report/assets`` inlined, the data embedded once as JSON (thumbnails in a second JSON block
that the page parses only when it first shows one). Nothing is loaded from the network."""
from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any


def _asset(name: str) -> str:
    return resources.files("svag.report").joinpath("assets", name).read_text(encoding="utf-8")


def _clean(obj: Any) -> Any:
    """JSON has no NaN or infinity: they become null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item"):      # numpy scalars
        return _clean(obj.item())
    return obj


def _script_json(obj: Any) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(_clean(obj), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_html(payload: dict[str, Any], thumbnails: dict[str, Any] | None = None) -> str:
    title = payload.get("meta", {}).get("title", "svag report")
    html = _asset("report.html")
    parts = {
        "{{TITLE}}": _escape(title),
        "{{STYLE}}": _asset("report.css"),
        "{{DATA}}": _script_json(payload),
        "{{THUMBS}}": _script_json(thumbnails or {}),
        "{{SCRIPT}}": _asset("report.js"),
    }
    for key, value in parts.items():
        head, sep, tail = html.partition(key)
        html = head + value + tail if sep else html
    return html


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
