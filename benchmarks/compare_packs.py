"""Compare two published packs, ignoring what differs from run to run by nature (start and finish
times, section durations, the code version, random cell ids papermill gives its injected cell).

    python benchmarks/compare_packs.py outputs/2020-Q4 /tmp/other/2020-Q4

Prints each file that differs beyond those, with the first differing lines, and exits 1 if any
does. ``figures.csv`` is compared byte for byte. Used to show that a refactor changed no figure
and no page.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

RUN_SPECIFIC = [
    (re.compile(r'id="cell-id=[0-9a-f-]+"'), 'id="cell-id=X"'),
    (re.compile(r"\d{1,2} \w+ \d{4} at \d{2}:\d{2}(:\d{2})?"), "DATE at TIME"),
    (re.compile(r"\d{1,2} \w+ \d{4}, \d{2}:\d{2}:\d{2} to \d{2}:\d{2}:\d{2}"), "DATE, TIME to TIME"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z)?"), "TIMESTAMP"),
    (re.compile(r'(<td style="text-align:right">)\d+\.\d(</td>)'), r"\1S\2"),
    (re.compile(r"\b\d+\.\d s\b"), "S s"),
    (re.compile(r"commit [0-9a-f]{12}( with local changes)?"), "commit C"),
    (re.compile(r"(took|in) [\d.]+ (seconds|s)\b"), r"\1 S"),
]


def normalise(text: str) -> str:
    for pattern, repl in RUN_SPECIFIC:
        text = pattern.sub(repl, text)
    return text


def compare(a: Path, b: Path) -> list[str]:
    problems = []
    fa = (a / "figures.csv").read_bytes() if (a / "figures.csv").exists() else b""
    fb = (b / "figures.csv").read_bytes() if (b / "figures.csv").exists() else b""
    if fa != fb:
        problems.append("figures.csv differs byte for byte")
    for page in sorted({p.name for p in a.glob("*.html")} | {p.name for p in b.glob("*.html")}):
        if not (a / page).exists() or not (b / page).exists():
            problems.append(f"{page}: in one pack only")
            continue
        x, y = normalise((a / page).read_text(encoding="utf-8")), normalise((b / page).read_text(encoding="utf-8"))
        if x != y:
            diff = [
                line for line in difflib.unified_diff(x.splitlines(), y.splitlines(), lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")
            ]
            problems.append(f"{page}: {len(diff)} differing lines, first: " + " | ".join(d[:200] for d in diff[:4]))
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    problems = compare(Path(argv[0]), Path(argv[1]))
    for p in problems:
        print(p)
    print("identical apart from run times" if not problems else f"{len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
