"""Strict checks of the pack configuration (``pack.yaml``), every problem at once, before
anything runs.

:func:`perfpack.config.load_config` calls :func:`read_text` and :func:`check` and raises
``ConfigError`` with every problem found, each naming the file, the line, the setting, what
was found and what to write instead:

- types strictly: a number is a number (a threshold of ``ten`` is not), a list is a list
  (``covid.periods: 3`` is not), a boolean is ``true`` or ``false`` (the text ``"no"`` is
  neither: Python would read it as true);
- ranges: ``statistics.alpha`` between 0 and 1, counts and months whole and positive...;
- unknown settings (a typing slip such as ``fork_kernel``) are named with the nearest known
  one, so a mistyped setting is never silently ignored;
- the file must be UTF-8 (a file saved by Notepad as ANSI names the line to fix).

The settings the pack reads are declared in :data:`SCHEMA`; a new setting is added there with
its type and range. Only the standard library and PyYAML, no other part of the pack: the
checks run before anything is imported.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Setting:
    """One setting: its ``kind`` (``text``, ``int``, ``number``, ``bool``, ``date``,
    ``texts``: a list of text, ``list``: a list of mappings with ``items``), whether it must be
    there, and the range of a number (inclusive; ``above`` exclusive)."""

    kind: str
    required: bool = True
    low: float | None = None
    high: float | None = None
    above: float | None = None
    below: float | None = None
    items: dict | None = None
    hint: str = ""
    #: ``text``: whether an empty text is allowed (``peers.dir: ""``: no folder).
    empty: bool = False
    #: ``choice``: the words allowed.
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """A group of settings that may be left out as a whole (``peers``, ``paper``...)."""

    settings: dict
    required: bool = False


SCHEMA: dict[str, Any] = {
    "profile": Group(
        {
            "name": Setting("text", required=False),
            "derived": Setting("bool", required=False),
        }
    ),
    "force": {
        "name": Setting("text"),
        "short_name": Setting("text", required=False),
        "area_name": Setting("text", required=False, hint="what the force calls its areas, such as Neighbourhood Policing Area"),
        "area_short": Setting("text", required=False, hint="the short form, such as NPA"),
        "sources": Group(
            {
                "policeuk": Setting("text", required=False, hint="the force's name in data.police.uk file names, such as city-of-london"),
                "homeoffice": Setting("text", required=False, hint="the Force Name in the Home Office tables, such as London, City of"),
            }
        ),
        "npas": Setting("texts", hint="the force's areas, each once; an empty list derives them from public data"),
    },
    "meeting": {
        "title": Setting("text"),
        "produced_by": Setting("text", required=False, empty=True),
    },
    "marking": {
        "protective_marking": Setting("text"),
        "transparency": Setting("text"),
    },
    "covid": {
        "compare_with": Setting("choice", required=False, choices=("year_earlier", "before_pandemic")),
        "overall": {"label": Setting("text"), "start": Setting("date")},
        "periods": Setting(
            "list",
            items={"id": Setting("text"), "label": Setting("text"), "start": Setting("date"), "end": Setting("date")},
            hint="a list of periods, each with id, label, start and end",
        ),
    },
    "windows": {
        "fraud_months": Setting("int", low=1, high=120, hint="months of Action Fraud data to show, such as 13"),
        "latest_data_offset_months": Setting("int", low=0, high=12, hint="months after the period end that timelier sources are shown to, such as 1"),
        "fpn_start": Setting("date"),
        "dissemination_years": Setting("int", low=1, high=20, hint="years of disseminations to show, such as 4"),
    },
    "wording": Group(
        {
            "asb": Setting("text", required=False, hint="the force's own words for what its ASB figures include"),
            "serious_violence": Setting("text", required=False, hint="the force's definition of serious violence, in words"),
        }
    ),
    "statistics": {
        "alpha": Setting("number", above=0, below=1, hint="the significance level, such as 0.05 for 95%"),
        "min_count_to_test": Setting("int", low=0, high=1_000_000, hint="the fewest events in two windows together to test, such as 10"),
    },
    "disclosure": {
        "threshold": Setting("int", low=1, high=1_000_000, hint="counts below it in breakdowns are shown as '<N', such as 10"),
    },
    "runner": {
        "kernel": Setting("text"),
        "timeout_seconds": Setting("int", low=1, high=86_400, hint="seconds a section may run, such as 600"),
        "fork_kernels": Setting("bool", required=False),
    },
    "peers": Group(
        {
            "dir": Setting("text", required=False, empty=True, hint='a folder of ONS police force area workbooks, or "" for none'),
            "group": Setting("texts", required=False, hint="the force's most similar group, ONS force names one a line"),
        }
    ),
    "paper": Group(
        {
            "before": Setting("texts", required=False),
            "after": Setting("texts", required=False),
            "leave_out": Setting("texts", required=False),
            "charts_per_section": Setting("int", required=False, low=0, high=20, hint="charts of each section the paper carries, such as 2"),
            "final": Setting("bool", required=False),
            "caveats": Setting("texts", required=False),
        }
    ),
    "revisions": Group(
        {
            "material_pct": Setting("number", required=False, low=0, high=100, hint="a change of this many per cent or more is material, such as 1"),
        }
    ),
}

KIND_WORDS = {
    "text": "text",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false (without quotes)",
    "date": "a date written YYYY-MM-DD",
    "texts": "a list of text items (one '- item' a line)",
    "list": "a list",
    "choice": "one of",
}


def read_text(path: Path) -> str:
    """The file's text, or ValueError naming the line that is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.splitlines()[line - 1].decode("cp1252", errors="replace").strip() if data.splitlines() else ""
        raise ValueError(
            f"{path}: line {line} is not UTF-8 text (byte 0x{data[exc.start]:02X} in {text[:60]!r}); the file looks saved as Windows-1252 (ANSI) or Latin-1. "
            "Save it as UTF-8 (in Notepad: Save As, Encoding 'UTF-8'; most editors show the encoding in the status bar) and run again."
        ) from None


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a setting written twice in one group (PyYAML keeps the
    last without a word: ``alpha: 0.05`` then ``alpha: 0.5`` would test at 50%)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: PyYAML says so in its own words
                continue
            if first is not None:
                raise _Twice(key, first, key_node.start_mark.line + 1)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _Twice(yaml.YAMLError):
    def __init__(self, key, first: int, again: int):
        super().__init__(f"{key!r} twice")
        self.key, self.first, self.again = key, first, again


def load_yaml(path: Path, text: str) -> Any:
    """The YAML ``text`` of ``path`` parsed, or ValueError in words: a syntax error with its
    line and column and what to check; a setting written twice with both lines."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506  (a SafeLoader: no objects built)
    except _Twice as exc:
        lines = f"on line {exc.again}" if exc.first == exc.again else f"on lines {exc.first} and {exc.again}"
        raise ValueError(
            f"{path}, line {exc.again}: the setting '{exc.key}' is written twice in the same group ({lines}); "
            "the pack would silently use the last. Keep the one you mean and delete the other."
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        tab = " A tab is not allowed for indenting: indent with spaces." if "'\\t'" in what else ""
        raise ValueError(
            f"{path}{where}: not valid YAML (the reader says: {what}).{tab} Check that line and the one before it: each setting is 'name: value' indented with spaces "
            "under its group, each list item starts with '- ', brackets and quotes are closed, and text holding ': ' or ' #' is in quotes. "
            f"profiles/demo/{Path(path).name} in the repository shows the layout."
        ) from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML ({exc}). Compare it with profiles/demo/{Path(path).name} in the repository.") from None


def key_lines(text: str) -> dict[str, int]:
    """The line of each setting in the YAML text, by dotted name (lists by index:
    ``covid.periods[0].start``); empty when the text does not compose."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    out: dict[str, int] = {}

    def walk(node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                name = f"{prefix}.{k.value}" if prefix else str(k.value)
                out[name] = k.start_mark.line + 1
                walk(v, name)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                name = f"{prefix}[{i}]"
                out[name] = v.start_mark.line + 1
                walk(v, name)

    walk(root, "")
    return out


def check(raw: Any, path: Path, text: str = "") -> list[str]:
    """Every problem with the configuration ``raw`` (the parsed YAML of ``path``), in words;
    with the file's ``text``, each names its line (worked out only when there is a problem)."""
    if text and _check(raw, path, {}):
        return _check(raw, path, key_lines(text))
    return _check(raw, path, {})


def _check(raw: Any, path: Path, lines: dict[str, int]) -> list[str]:
    problems: list[str] = []

    def at(name: str) -> str:
        line = lines.get(name)
        return f"{path}, line {line}" if line else str(path)

    if not isinstance(raw, dict):
        return [
            f"{path}: the file must hold settings as 'name: value' lines (found {type(raw).__name__}). Start from profiles/demo/pack.yaml in the repository."
        ]
    _mapping(raw, SCHEMA, "", problems, at)
    _cross_checks(raw, problems, at)
    return problems


def _found(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a group of settings"
    return repr(value)


def _mapping(raw: dict, schema: dict, prefix: str, problems: list[str], at) -> None:
    for key in raw:
        name = f"{prefix}{key}"
        if key not in schema:
            known = [str(k) for k in schema]
            near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f" Did you mean '{prefix}{near[0]}'?" if near else f" The settings here are: {', '.join(prefix + k for k in known)}."
            problems.append(f"{at(name)}: unknown setting '{name}'; the pack would ignore it.{hint} Correct the name, or remove the line.")
    for key, spec in schema.items():
        name = f"{prefix}{key}"
        if key not in raw:
            if isinstance(spec, dict) or (not isinstance(spec, Group) and spec.required):
                problems.append(
                    f"{at(prefix.rstrip('.'))}: the setting '{name}' is missing. Add it (see profiles/demo/pack.yaml in the repository for an example)."
                )
            continue
        value = raw[key]
        if isinstance(spec, Group):
            if value is None:  # an empty group ('peers:' with nothing under it)
                continue
            spec = spec.settings
        if isinstance(spec, dict):
            if not isinstance(value, dict):
                problems.append(f"{at(name)}: '{name}' is {_found(value)}; it must be a group of settings ({', '.join(spec)}), each on its own indented line.")
                continue
            _mapping(value, spec, name + ".", problems, at)
        else:
            _value(value, spec, name, problems, at)


def _value(value: Any, spec: Setting, name: str, problems: list[str], at) -> None:
    def bad(what: str = "") -> None:
        hint = f" ({spec.hint})" if spec.hint else ""
        problems.append(f"{at(name)}: '{name}' is {_found(value)}; it must be {what or KIND_WORDS[spec.kind]}{hint}.")

    kind = spec.kind
    if kind == "text":
        if not isinstance(value, str) or not (value.strip() or spec.empty):
            bad(("text" if spec.empty else "text, not empty") + (" (put it in quotes)" if isinstance(value, (int, float, bool, date)) else ""))
        return
    if kind == "choice":
        if value not in spec.choices:
            bad("one of " + ", ".join(spec.choices))
        return
    if kind == "bool":
        if not isinstance(value, bool):
            bad()
        return
    if kind == "date":
        if isinstance(value, date):
            return
        try:
            date.fromisoformat(str(value))
        except ValueError:
            bad()
        return
    if kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "int" and not isinstance(value, int)) or not math.isfinite(value):
            bad(_range_words(spec))
            return
        if (
            (spec.low is not None and value < spec.low)
            or (spec.high is not None and value > spec.high)
            or (spec.above is not None and value <= spec.above)
            or (spec.below is not None and value >= spec.below)
        ):
            bad(_range_words(spec))
        return
    if kind == "texts":
        if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
            bad()
        elif spec.low is not None and len(value) < spec.low:
            bad(f"{KIND_WORDS['texts']} with at least {_num(spec.low)} item")
        elif len({v.strip() for v in value}) != len(value):
            twice = sorted({v for v in value if value.count(v) > 1})
            bad(f"a list in which each item appears once ({', '.join(twice)} appear{'s' if len(twice) == 1 else ''} twice)")
        return
    if kind == "list":
        if not isinstance(value, list) or not value:
            bad("a list, not empty")
            return
        for i, item in enumerate(value):
            where = f"{name}[{i}]"
            if not isinstance(item, dict):
                problems.append(f"{at(where)}: item {i + 1} of '{name}' is {_found(item)}; each must be a group of settings ({', '.join(spec.items or {})}).")
                continue
            _mapping(item, spec.items or {}, where + ".", problems, at)


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _range_words(spec: Setting) -> str:
    what = KIND_WORDS[spec.kind]
    parts = []
    if spec.low is not None:
        parts.append(f"at least {_num(spec.low)}")
    if spec.above is not None:
        parts.append(f"above {_num(spec.above)}")
    if spec.high is not None:
        parts.append(f"at most {_num(spec.high)}")
    if spec.below is not None:
        parts.append(f"below {_num(spec.below)}")
    return what + (" " + " and ".join(parts) if parts else "")


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _cross_checks(raw: dict, problems: list[str], at) -> None:
    """Settings that must agree with each other: each Covid-19 period ends after it starts,
    ids are unique."""
    periods = (raw.get("covid") or {}).get("periods") if isinstance(raw.get("covid"), dict) else None
    if isinstance(periods, list):
        seen: set[str] = set()
        for i, p in enumerate(periods):
            if not isinstance(p, dict):
                continue
            where = f"covid.periods[{i}]"
            start, end = _as_date(p.get("start")), _as_date(p.get("end"))
            if start and end and end < start:
                problems.append(f"{at(where)}: {where} ends ({end}) before it starts ({start}). Swap the dates or correct one.")
            pid = p.get("id")
            if isinstance(pid, str):
                if pid in seen:
                    problems.append(f"{at(where)}: the id '{pid}' is used by two Covid-19 periods; give each its own.")
                seen.add(pid)
