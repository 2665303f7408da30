"""Reviewer pages: the contents list, the offline guard, the print marking, run times."""

from __future__ import annotations

import re

from perfpack.publish.export import TOC_MARK, add_contents, offline_only, print_css
from perfpack.publish.run_info import run_times


def test_contents_goes_right_under_the_title_and_leaves_the_text_whole():
    page = f'<header>M</header>{TOC_MARK}<main><div><h1 id="t">Domestic abuse<a class="anchor-link" href="#t">¶</a></h1><p>Domestic abuse occurrences.</p><h2>The last 12 months</h2><p>x</p><h3>By area</h3></div></main>'
    out = add_contents(page)
    assert TOC_MARK not in out
    assert '¶</a></h1><nav class="pp-toc"' in out, "the list follows the title"
    assert "<p>Domestic abuse occurrences.</p>" in out, "text around the list is untouched"
    assert re.search(r'<h2 id="the-last-12-months">The last 12 months</h2>', out)
    assert '<a href="#the-last-12-months">The last 12 months</a>' in out and '<li class=pp-toc-sub><a href="#by-area">By area</a>' in out


def test_contents_without_a_title_stays_where_the_template_put_it():
    out = add_contents(f"<body>{TOC_MARK}<main><h2>One</h2></main></body>")
    assert out.startswith('<body><nav class="pp-toc"')


def test_offline_only_removes_remote_references_and_keeps_local_ones():
    page = (
        "<style>a{background:url(https://x.org/a.png)} b{src:url('//fonts.example/x.woff')} c{x:url(data:image/png;base64,AA)} @import url(\"https://x/y.css\");</style>"
        '<script src="https://cdn.example/x.js"></script><link rel="stylesheet" href="http://x/y.css"><img src="data:image/png;base64,AA" alt="a"><a href="01-x.html">s</a>'
    )
    out = offline_only(page)
    assert "http" not in out and "//fonts" not in out and "@import" not in out and "<script" not in out
    assert "url(data:image/png;base64,AA)" in out and '<img src="data:image/png;base64,AA"' in out and 'href="01-x.html"' in out


def test_print_css_puts_the_marking_on_every_printed_page_safely():
    css = print_css("OFFICIAL", "Transparency: Full - proactively published")
    assert '@top-center { content: "OFFICIAL   Transparency: Full - proactively published"' in css and "@bottom-center" in css
    hostile = print_css('OFFICIAL "x"</style><script>', "a\\b")
    assert "</style>" not in hostile and "<script" not in hostile and '"x"' not in hostile


def test_run_times_read_as_words():
    assert run_times("2021-02-01T09:00:00+00:00", "2021-02-01T09:02:30+00:00") == "1 February 2021, 09:00:00 to 09:02:30 (UTC+00:00)"
    assert run_times("", "") == "not recorded"
