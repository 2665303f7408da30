"""Export: executed notebooks to reviewer HTML (nbconvert in-process), and the index page.

Knows nothing about crime: it turns notebooks and run records into pages.
"""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

import nbformat

from perfpack.publish.run_info import run_block  # noqa: F401  (pages carry it)

TEMPLATES = Path(str(resources.files("perfpack").joinpath("templates")))
TOC_MARK = "<!--PP-TOC-->"

#: Every page of the pack forbids the browser to load anything from anywhere: no script at
#: all, no connection, no frame, no form; images and fonts only as ``data:`` URIs (the charts),
#: style only inline (the pages carry their style sheet). A remote image that slipped into a
#: page would not be fetched; the browser test (tests/test_browser.py) checks none is.
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def csp_meta() -> str:
    """The ``<meta>`` element that carries :data:`CONTENT_SECURITY_POLICY` (first in the head)."""
    return f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CONTENT_SECURITY_POLICY, quote=False)}">'


def pack_css() -> str:
    return (TEMPLATES / "pack.css").read_text(encoding="utf-8")


def _css_string(text: str) -> str:
    return '"' + "".join(ch if ch.isalnum() or ch in " -:,.;()&/" else f"\\{ord(ch):x} " for ch in str(text)) + '"'


def print_css(marking: str, transparency: str) -> str:
    """CSS that puts the protective marking and transparency line in the top and bottom margin
    of every printed page (CSS paged media margin boxes; the on-screen bands stay as well)."""
    line = _css_string(f"{marking}   {transparency}")
    return (
        "@page { margin: 16mm 12mm; @top-center { content: "
        + line
        + "; font: 700 9pt sans-serif; } @bottom-center { content: "
        + line
        + '; font: 700 9pt sans-serif; } @bottom-right { content: counter(page) " / " counter(pages); font: 9pt sans-serif; } }'
    )


_NETWORK_CSS = re.compile(r"url\(\s*(['\"]?)\s*(?:https?:)?//[^)]*\)", re.I)
_IMPORT_CSS = re.compile(r"@import\s+[^;]+;", re.I)
_NETWORK_TAGS = re.compile(r"<(?:script|link|iframe)\b[^>]*\b(?:src|href)\s*=\s*['\"]?(?:https?:)?//[^>]*>(?:\s*</(?:script|iframe)>)?", re.I)


def offline_only(page: str) -> str:
    """Remove anything that would load from the network: ``url(...)`` and ``@import`` of remote
    addresses in style sheets (the inlined JupyterLab CSS), and scripts, style sheet links or
    frames with a remote address. Local (``data:``, relative) references are kept."""
    page = _NETWORK_CSS.sub("none", page)
    page = _IMPORT_CSS.sub("", page)
    return _NETWORK_TAGS.sub("", page)


def without_local_paths(value, pairs: list[tuple[str, str]]):
    """``value`` (a notebook, or any JSON-like value) with every local folder in ``pairs``
    ``(absolute path, what to show instead)`` replaced, longest first: the published notebook
    and page show paths relative to the pack and the project, never the machine's folders
    (the run's temporary folder, the build folder, the data and configuration folders, the
    Python installation, the home folder), in parameters, metadata, outputs and tracebacks."""
    pairs = sorted({(a, b) for a, b in pairs if a and len(a) > 1}, key=lambda ab: -len(ab[0]))
    if not pairs:
        return value
    pattern = re.compile("|".join(re.escape(a) for a, _ in pairs))
    table = dict(pairs)

    def fix(v):
        if isinstance(v, str):
            return pattern.sub(lambda m: table[m.group(0)], v) if any(a in v for a, _ in pairs) else v
        if isinstance(v, dict):
            for k in list(v):
                v[k] = fix(v[k])
            return v
        if isinstance(v, list):
            for i, item in enumerate(v):
                v[i] = fix(item)
            return v
        return v

    return fix(value)


def publish_notebook(nb_path: str | Path, pairs: list[tuple[str, str]], parameters: dict | None = None) -> None:
    """Rewrite an executed notebook for publication: local folders replaced
    (:func:`without_local_paths`), and papermill's record of the parameters set to the
    ``parameters`` as published (paths relative to the project)."""
    import json  # stdlib

    nb = nbformat.read(str(nb_path), as_version=4)
    if parameters is not None:
        if "papermill" in nb.metadata:
            nb.metadata["papermill"]["parameters"] = dict(parameters)
        for cell in nb.cells:  # the cell papermill injected, as published
            if "injected-parameters" in (cell.get("metadata") or {}).get("tags", []):
                cell["source"] = "# Parameters\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in parameters.items()) + "\n"
    nb = without_local_paths(nb, pairs)
    nbformat.write(nb, str(nb_path))


def local_path_pairs(mapping: dict[str, str]) -> list[tuple[str, str]]:
    """``{absolute path: shown as}`` with each path's resolved form too (``/tmp`` may be a
    link), and the places every machine has: the Python installation, the home folder."""
    import os  # stdlib
    import sys  # stdlib

    pairs = []
    extra = {sys.prefix: "<python>", sys.base_prefix: "<python>", os.path.expanduser("~"): "~"}
    for a, b in {**extra, **mapping}.items():
        if not a or a in ("/", "~"):
            continue
        for form in {str(a), os.path.realpath(str(a))}:
            pairs.append((form.rstrip("/") + "/", (b.rstrip("/") + "/") if b else ""))
            pairs.append((form.rstrip("/"), b.rstrip("/") if b else "."))
    return pairs


def _clean_for_reviewers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what reviewers must not see: stderr streams (warnings carry paths) and
    tracebacks (they carry code); an error keeps its one-line message."""
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue
            if out.get("output_type") == "execute_result":
                continue  # a bare value's repr is for the analyst, not the reviewer
            if out.get("output_type") == "error":
                out = nbformat.v4.new_output(
                    "display_data",
                    data={
                        "text/html": '<div class="pp-unavailable"><b>This part of the section failed:</b> '
                        + html.escape(f"{out.get('ename', 'Error')}: {out.get('evalue', '')}")
                        + "</div>"
                    },
                )
            kept.append(out)
        cell["outputs"] = kept
    return nb


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def add_contents(page: str) -> str:
    """Give every h2/h3 an id and put a linked contents list where the template marked it."""
    entries, used = [], set()

    def fix(m):
        level, attrs, inner = m.group(1), m.group(2) or "", m.group(3)
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        idm = re.search(r'id="([^"]+)"', attrs)
        hid = idm.group(1) if idm else slug(text)
        while hid in used:
            hid += "-x"
        used.add(hid)
        if not idm:
            attrs = f'{attrs} id="{hid}"'
        if m.group(0).find("pp-run") < 0 and text != "How this page was produced":
            entries.append((level, hid, text))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    page = re.sub(r"<h([23])((?:\s[^>]*)?)>(.*?)</h\1>", fix, page, flags=re.S)
    if not entries:
        return page.replace(TOC_MARK, "")
    items = "".join(f'<li{" class=pp-toc-sub" if lvl == "3" else ""}><a href="#{hid}">{html.escape(t)}</a></li>' for lvl, hid, t in entries)
    toc = f'<nav class="pp-toc" aria-label="Contents of this page"><h2 id="on-this-page">On this page</h2><ol>{items}</ol></nav>'
    mark = page.find(TOC_MARK)
    h1 = re.search(r"</h1>", page[mark:]) if mark >= 0 else None
    if h1:  # right under the page title rather than above it
        page = page.replace(TOC_MARK, "", 1)
        at = mark + h1.end() - len(TOC_MARK)
        return page[:at] + toc + page[at:]
    return page.replace(TOC_MARK, toc, 1)


_EXPORT_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _exporter():
    """One exporter per process: a worker exports one section after another, and building the
    exporter compiles its templates (a third of an export's time). Each export gets its own
    resources, so nothing carries from one page to the next."""
    from nbconvert import HTMLExporter  # heavy (nbconvert): only when a page is exported

    return HTMLExporter(
        template_name="perfpack",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def notebook_to_html(nb_path: str | Path, html_path: str | Path, *, marking: str, transparency: str, period: str, run_info: dict) -> Path:
    """Export an executed notebook to a reviewer page: no code, offline, marked."""
    nb = nbformat.read(str(nb_path), as_version=4)
    nb = _clean_for_reviewers(nb)
    exporter = _exporter()
    res = {
        "perfpack": {
            "csp_meta": csp_meta(),
            "marking": marking,
            "transparency": transparency,
            "period": period,
            "run_block": run_block(run_info),
            "css": pack_css(),
            "print_css": print_css(marking, transparency),
        },
        "metadata": {"name": run_info.get("title", Path(nb_path).stem)},
    }
    with _EXPORT_LOCK:  # the runner's threads may export at once (sections stopped at their time limit)
        body, _ = exporter.from_notebook_node(nb, resources=res)
    body = offline_only(add_contents(body))
    html_path = Path(html_path)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def notebook_title(nb_path: str | Path) -> str:
    """The first level-one Markdown heading of a notebook (its section title)."""
    nb = nbformat.read(str(nb_path), as_version=4)
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return Path(nb_path).stem
