"""Markdown written by people (the force lead's commentary) as inert HTML: escaped, and with
no image that would be fetched from anywhere.

An image in commentary (``![](https://…/pixel.png)``, ``![](//host/x.png)``, a reference-style
image, a local file) would make a published page request it when opened: an OFFICIAL page
becoming a tracking beacon, and a page that no longer works offline. The pack's pages carry
only the charts the run drew (``data:`` URIs). So:

- :func:`to_html` renders Markdown with raw HTML escaped and every image that is not a
  ``data:`` URI replaced by its alt text, marked as not shown;
- :func:`image_problems` lists, by line, the images a Markdown file holds that would not be
  shown, in words for the validation that runs before the pack (which refuses them, so the
  author removes them rather than finding them missing).
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import mistune

_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def is_remote(url: str) -> bool:
    """Whether a page would fetch ``url`` from somewhere: any scheme but ``data:`` (http, https,
    ftp, file...), a protocol-relative ``//host/...`` or a Windows share ``\\\\host\\...``."""
    u = unquote(url or "").strip()  # as Markdown gave it: %5C is a backslash
    m = _SCHEME.match(u)
    if m:
        return m.group(1).lower() != "data"
    return u.startswith(("//", "\\", "/\\", "\\/"))


def is_shown(url: str) -> bool:
    """Only images carried in the page itself (``data:`` URIs) are shown."""
    m = _SCHEME.match((url or "").strip())
    return bool(m) and m.group(1).lower() == "data"


class _InertRenderer(mistune.HTMLRenderer):
    def image(self, text: str, url: str, title: str | None = None) -> str:
        if is_shown(url):
            return super().image(text, url, title)
        alt = mistune.util.striptags(text).strip()
        return f'<span class="pp-image-removed">[image not shown{": " + html.escape(alt) if alt else ""}]</span>'


def to_html(text: str) -> str:
    """Markdown as HTML that loads nothing: raw HTML escaped, images other than ``data:``
    URIs replaced by their alt text."""
    return mistune.create_markdown(escape=True, renderer=_InertRenderer(escape=True))(text)


def _images(tokens: list) -> list[dict]:
    out = []
    for t in tokens or []:
        if t.get("type") == "image":
            out.append(t)
        out.extend(_images(t.get("children") or []))
    return out


def image_problems(text: str) -> list[tuple[int, str, bool]]:
    """The images in Markdown ``text`` a page would not show: (line, address, remote), in
    order. The line is the first that names the address (1 for the first line)."""
    tokens = mistune.create_markdown(renderer=None)(text)
    lines = text.splitlines()
    out, seen = [], set()
    for t in _images(tokens):
        url = str((t.get("attrs") or {}).get("url", ""))
        if is_shown(url) or url in seen:
            continue
        seen.add(url)
        line = next((i + 1 for i, s in enumerate(lines) if url and (url in s or unquote(url) in s or unquote(url).replace("\\", "\\\\") in s)), 0)
        if not line:  # the address as mistune normalised it: find the image's mark instead
            line = next((i + 1 for i, s in enumerate(lines) if "![" in s), 1)
        out.append((line, url, is_remote(url)))
    return out
