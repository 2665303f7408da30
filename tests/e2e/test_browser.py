"""The 2020-Q4 pack in a real browser, offline: headless Chromium opens index.html, every
section page and meeting-paper.html from file://, and the test fails on any console error,
uncaught exception, failed load or request that leaves the file system. A full-page screenshot
of each page is saved to a folder the test prints (and copied to $PERFPACK_SCREENSHOTS when
that is set), for a person to look at.

Chromium is driven over the DevTools protocol on a pipe (see tests/browser_helpers.py): no
extra packages, no port. CI installs Debian's chromium (.ci/run); without it these tests are
skipped with that reason.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browser_helpers import Chromium, find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("pack")]

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not found (install Debian's 'chromium' package, as .ci/run does, or set PERFPACK_CHROMIUM)"
)

STYLE_FACTS_JS = """
(() => {
  const marks = Array.from(document.querySelectorAll('.pp-marking'));
  const doc = document.documentElement.scrollHeight;
  return {
    body_font: getComputedStyle(document.body).fontFamily,
    marks: marks.map(m => ({text: m.innerText, top: m.getBoundingClientRect().top + window.scrollY, bottom: m.getBoundingClientRect().bottom + window.scrollY, bg: getComputedStyle(m).backgroundColor})),
    doc_height: doc,
    scripts: document.scripts.length,
  };
})()
"""


def pages_of(out: Path) -> list[Path]:
    return [out / "index.html"] + sorted(out.glob("[0-9][0-9]-*.html")) + [out / "meeting-paper.html"]


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pack-screenshots")


@pytest.fixture(scope="module")
def visits(pack_run, screenshot_dir, request):
    """Every page of the pack, visited once in one Chromium (killed afterwards, whatever happens)."""
    if CHROMIUM is None:
        pytest.skip("headless Chromium not found")
    out = pack_run["out"]
    pages = pages_of(out)
    missing = [p.name for p in pages if not p.is_file()]
    assert not missing, f"pages missing from the run: {missing}; run stderr: {pack_run['proc'].stderr[-2000:]}"
    result = {}
    with Chromium(CHROMIUM, timeout=45) as browser:
        for page in pages:
            result[page.name] = browser.visit(page.resolve().as_uri(), screenshot_dir / f"{page.stem}.png", evaluate={"style": STYLE_FACTS_JS})
    copy_to = os.environ.get("PERFPACK_SCREENSHOTS")
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        for png in screenshot_dir.glob("*.png"):
            shutil.copy2(png, Path(copy_to) / png.name)
    where = f"screenshots of the {len(pages)} pages: {screenshot_dir}" + (f" (copied to {copy_to})" if copy_to else "")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(where)
    print(where)
    return result


@needs_chromium
def test_every_page_opens_offline_without_errors(visits, pack_run):
    names = set(visits)
    assert "index.html" in names and "meeting-paper.html" in names
    assert {p.name for p in pack_run["out"].glob("[0-9][0-9]-*.html")} <= names, "every section page"
    problems = {name: v.problems for name, v in visits.items() if v.problems}
    assert not problems, f"console errors, exceptions, failed loads or network requests: {problems}"


@needs_chromium
def test_screenshots_are_saved_for_a_person_to_look_at(visits, screenshot_dir, record_property):
    record_property("screenshots", str(screenshot_dir))  # named in --junitxml reports too
    print(f"screenshots: {screenshot_dir}")
    for name, v in visits.items():
        assert v.screenshot is not None and v.screenshot.parent == screenshot_dir, name
        data = v.screenshot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, f"{name}: screenshot looks empty ({len(data)} bytes) in {screenshot_dir}"


@needs_chromium
def test_pages_are_whole(visits, pack_run):
    out = pack_run["out"].resolve()
    for name, v in visits.items():
        f = v.page_facts
        assert not f.get("broken_images"), f"{name}: images that did not load: {f['broken_images']}"
        assert not f.get("images_without_alt"), f"{name}: images without alt text"
        assert not f.get("missing_anchors"), f"{name}: links to anchors that are not on the page: {f['missing_anchors']}"
        for link in f.get("links", []):
            u = urlparse(link)
            if u.scheme == "file":
                target = Path(unquote(u.path))
                assert target.exists(), f"{name}: broken link to {target.name}"
                assert out in target.parents or target == out, f"{name}: link leaves the pack folder: {target}"
            else:
                assert u.scheme in ("", "data"), f"{name}: link off the machine: {link}"
    assert visits["meeting-paper.html"].page_facts["images"] >= 1
    sections = len(list(pack_run["out"].glob("[0-9][0-9]-*.html")))
    index_links = {Path(urlparse(link).path).name for link in visits["index.html"].page_facts["links"]}
    assert {p.name for p in pack_run["out"].glob("[0-9][0-9]-*.html")} <= index_links and sections
    assert {"meeting-paper.html", "meeting-paper.docx"} <= index_links


@needs_chromium
def test_house_style_is_applied_and_marking_is_at_top_and_bottom(visits, config):
    for name, v in visits.items():
        style = v.page_facts.get("style") or {}
        assert "sans-serif" in style.get("body_font", ""), f"{name}: the pack's style sheet did not apply (font {style.get('body_font')!r})"
        marks = style.get("marks") or []
        assert len(marks) >= 2, f"{name}: marking bands"
        top, bottom = marks[0], marks[-1]
        assert config.protective_marking in top["text"] and config.transparency in top["text"]
        assert config.protective_marking in bottom["text"]
        assert top["top"] < 60, f"{name}: marking not at the top"
        assert bottom["bottom"] > style["doc_height"] - 60, f"{name}: marking not at the bottom"
        assert top["bg"] in ("rgb(11, 12, 12)",), f"{name}: marking band not styled ({top['bg']})"
        assert style.get("scripts") == 0, f"{name}: carries a script"


HOSTILE = """<img src="http://tracker.invalid/pixel.png" alt="beacon"><img src="//tracker.invalid/p2.png" alt="beacon 2">
<link rel="stylesheet" href="https://cdn.invalid/x.css"><script src="https://cdn.invalid/x.js"></script>
<iframe src="https://frame.invalid/"></iframe><style>body {{ background: url(https://bg.invalid/b.png) }} @import url("https://imp.invalid/i.css");</style>
<script>fetch("https://fetch.invalid/f"); new Image().src = "https://js.invalid/i.png";</script>
<object data="https://object.invalid/o.swf"></object><video src="https://video.invalid/v.mp4"></video><audio src="https://audio.invalid/a.mp3"></audio>
<form action="https://form.invalid/"><button>x</button></form>"""


@needs_chromium
@pytest.mark.parametrize("page", ["index.html", "01-all-crime.html", "meeting-paper.html"])
def test_the_pages_policy_stops_any_request_even_from_hostile_content(pack_run, tmp_path, page):
    """Every page carries a Content-Security-Policy that forbids loading anything: a copy of a
    real page with remote images, style sheets, scripts, frames, media and a fetch() injected
    into its body sends no request off the machine. (Chromium announces the requests its
    preload scanner finds, then refuses each under the policy before it leaves: the helper
    counts those as refused, not sent.)"""
    from perfpack.publish.export import CONTENT_SECURITY_POLICY

    text = (pack_run["out"] / page).read_text(encoding="utf-8")
    meta = re.search(r"<meta\b[^>]*http-equiv=\"Content-Security-Policy\"[^>]*>", text)
    assert meta and meta.start() < text.find("<style"), f"{page}: no policy before the style sheets"
    assert f'content="{CONTENT_SECURITY_POLICY}"' in meta.group(0), meta.group(0)
    hostile = tmp_path / page
    hostile.write_text(
        text.replace("<main", HOSTILE.format() + "<main", 1) if "<main" in text else text.replace("</body>", HOSTILE.format() + "</body>"), encoding="utf-8"
    )
    with Chromium(CHROMIUM, timeout=45) as browser:
        visit = browser.visit(hostile.resolve().as_uri(), tmp_path / "hostile.png")
    assert visit.network == [], f"requests left the machine: {visit.network}"
    refused = " ".join(visit.blocked) + " ".join(visit.console_errors)
    for host in ("tracker.invalid/pixel.png", "cdn.invalid/x.css", "cdn.invalid/x.js"):
        assert host in refused, f"{host}: the browser did not say it refused it (was the content injected?)"
    assert any("Content Security Policy" in m for m in visit.console_errors)
