"""A section page that keeps what it would show, for tests that read a page without a notebook."""

from __future__ import annotations

from perfpack.pages.section import Section


class Capture(Section):
    """A Section that keeps what it would show, as HTML strings (``page``: all of it)."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.shown: list[str] = []

    def show(self, html_text: str) -> None:
        self.shown.append(html_text)

    @property
    def page(self) -> str:
        return "".join(self.shown)
