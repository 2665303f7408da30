"""Configuration: a force profile's ``pack.yaml`` read into plain values.

Everything that belongs to one force lives in its profile folder, ``profiles/<force>/``
(:mod:`perfpack.profiles` finds it): ``pack.yaml`` (read here), ``risk.yaml`` and
``risk_register.csv`` (the strategic risk assessment), ``commentary/<period>/<section>.md``
(the force lead's words). The demo force's profile, ``profiles/demo/``, is the shipped
example. Nothing else in the library holds force names, dates or thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from perfpack import config_checks

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: One folder per force: ``profiles/<force>/pack.yaml`` and the rest of its profile.
PROFILES_DIR = PROJECT_ROOT / "profiles"
#: The profile used when none is chosen: the demo force (the shipped example).
DEFAULT_PROFILE = "demo"
DEFAULT_CONFIG = PROFILES_DIR / DEFAULT_PROFILE / "pack.yaml"
#: What a new profile starts from (``perfpack init-force``), and the settings of a profile
#: derived from the data for a force that has none.
TEMPLATE_DIR = Path(__file__).resolve().parent / "data" / "profile-template"
#: How a Covid-19 period's base is chosen (``covid.compare_with``).
COVID_BASES = ("year_earlier", "before_pandemic")
#: The bundled demo data (made by ``perfpack demo-data``; the default ``--data``).
DEMO_DIR = PROJECT_ROOT / "data" / "demo"


class ConfigError(ValueError):
    """The configuration file is missing or malformed."""


@dataclass(frozen=True)
class CovidPeriod:
    id: str
    label: str
    start: date
    end: date


@dataclass(frozen=True)
class PackConfig:
    """The parsed configuration. ``raw`` keeps the whole mapping for sections that need more."""

    path: Path
    force_name: str
    force_short_name: str
    npas: tuple[str, ...]
    meeting_title: str
    produced_by: str
    protective_marking: str
    transparency: str
    covid_overall_label: str
    covid_overall_start: date
    covid_periods: tuple[CovidPeriod, ...]
    fraud_months: int
    latest_data_offset_months: int
    fpn_start: date
    dissemination_years: int
    alpha: float
    min_count_to_test: int
    disclosure_threshold: int
    kernel: str
    timeout_seconds: int
    fork_kernels: bool = True
    #: A revision of this many per cent of the published figure or more is material (docs/revisions.md).
    revisions_material_pct: float = 1.0
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    #: The profile's name (its folder), and whether it was derived from the data (a force
    #: with no profile: no commentary, no risk register, areas from the data).
    profile: str = ""
    derived: bool = False
    #: What the force calls its areas, in full and short ("Neighbourhood Policing Area", "NPA").
    area_word: str = "Neighbourhood Policing Area"
    area_short: str = "NPA"
    #: A Covid-19 period's base: the same dates a year earlier, or the same dates before the
    #: pandemic (moved back whole years until the base ends before ``covid_overall_start``).
    covid_compare_with: str = "year_earlier"

    @property
    def profile_dir(self) -> Path:
        """The profile's folder (that of ``pack.yaml``)."""
        return Path(self.path).parent

    @property
    def wording(self) -> dict[str, str]:
        """The force's own words for what it defines (``wording`` in pack.yaml): ``asb``, ..."""
        return {str(k): str(v) for k, v in (self.raw.get("wording") or {}).items()}

    @property
    def covid_base_words(self) -> str:
        if self.covid_compare_with == "before_pandemic":
            return f"the same dates a year earlier, or, where those fall on or after {self.covid_overall_start.day} {self.covid_overall_start:%B %Y}, the same dates in the last year before the pandemic"
        return "the same dates a year earlier"


def _get(mapping: dict, dotted: str, path: Path):
    node: Any = mapping
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{path}: the setting '{dotted}' is missing. Add it (see profiles/demo/pack.yaml in the repository for an example).")
        node = node[part]
    return node


def _date(value, dotted: str, path: Path) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{path}: '{dotted}' is '{value}', not a date. Write it as YYYY-MM-DD.") from None


def load_config(path: str | Path | None = None) -> PackConfig:
    """Read and check a profile's ``pack.yaml``.

    Parameters
    ----------
    path : str or Path, optional
        The YAML file (or the profile folder holding it); defaults to the demo profile's,
        ``profiles/demo/pack.yaml``.

    Returns
    -------
    PackConfig
    """
    path = Path(path) if path else DEFAULT_CONFIG
    if path.is_dir():
        path = path / "pack.yaml"
    if not path.is_file():
        raise ConfigError(
            f"Configuration file {path} not found. Choose a force profile with --force (a folder of profiles/), or pass --config with the pack.yaml of a profile folder."
        )
    try:
        text = config_checks.read_text(path)
        raw = config_checks.load_yaml(path, text) or {}
    except ValueError as exc:  # not UTF-8, not YAML, a setting twice: the line to fix
        raise ConfigError(str(exc)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    return parse_config(raw, path, text)


def parse_config(raw: dict, path: Path, text: str = "") -> PackConfig:
    """A profile's settings from its parsed YAML (``path``: where it was read, for messages
    and for the profile's other files; ``text``: the file's text, for the line of a problem).

    Every setting is checked first (:mod:`perfpack.config_checks`): types, ranges, booleans
    strictly, unknown names with the nearest known one; all problems in one error."""
    problems = config_checks.check(raw, path, text)  # every setting, strictly, before anything runs
    if problems:
        raise ConfigError(
            f"The configuration has {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was run and no outputs were changed.\n"
            + "\n".join("- " + p for p in problems)
        )
    g = lambda k: _get(raw, k, path)  # noqa: E731
    periods = []
    for i, p in enumerate(g("covid.periods")):
        where = f"covid.periods[{i}]"
        start = _date(p.get("start"), where + ".start", path)
        end = _date(p.get("end"), where + ".end", path)
        if end < start:
            raise ConfigError(f"{path}: {where} ends ({end}) before it starts ({start}).")
        periods.append(CovidPeriod(str(p.get("id")), str(p.get("label")), start, end))
    profile = raw.get("profile") or {}
    derived = bool(profile.get("derived", False))
    npas = tuple(str(n) for n in (g("force.npas") or ()))
    if len(set(npas)) != len(npas):
        raise ConfigError(f"{path}: force.npas must list each area once.")
    compare_with = str((raw.get("covid") or {}).get("compare_with", "year_earlier"))
    if compare_with not in COVID_BASES:
        raise ConfigError(f"{path}: covid.compare_with is '{compare_with}'; use one of: {', '.join(COVID_BASES)}.")
    force = raw.get("force") or {}
    return PackConfig(
        path=path,
        force_name=str(g("force.name")),
        force_short_name=str(raw.get("force", {}).get("short_name", g("force.name"))),
        npas=npas,
        meeting_title=str(g("meeting.title")),
        produced_by=str(raw.get("meeting", {}).get("produced_by", "")),
        protective_marking=str(g("marking.protective_marking")),
        transparency=str(g("marking.transparency")),
        covid_overall_label=str(g("covid.overall.label")),
        covid_overall_start=_date(g("covid.overall.start"), "covid.overall.start", path),
        covid_periods=tuple(periods),
        fraud_months=int(g("windows.fraud_months")),
        latest_data_offset_months=int(g("windows.latest_data_offset_months")),
        fpn_start=_date(g("windows.fpn_start"), "windows.fpn_start", path),
        dissemination_years=int(g("windows.dissemination_years")),
        alpha=float(g("statistics.alpha")),
        min_count_to_test=int(g("statistics.min_count_to_test")),
        disclosure_threshold=int(g("disclosure.threshold")),
        kernel=str(g("runner.kernel")),
        timeout_seconds=int(g("runner.timeout_seconds")),
        fork_kernels=bool(raw.get("runner", {}).get("fork_kernels", True)),
        revisions_material_pct=_material_pct(raw, path),
        raw=raw,
        profile=str(profile.get("name") or Path(path).parent.name),
        derived=derived,
        area_word=str(force.get("area_name") or "Neighbourhood Policing Area"),
        area_short=str(force.get("area_short") or "NPA"),
        covid_compare_with=compare_with,
    )


# ---- peer comparison (section 09): the ``peers`` block, optional ----------------------------


@dataclass(frozen=True)
class PeerSettings:
    """``peers.dir``: the folder of ONS police force area tables workbooks (None: no peer
    data; a relative path is read from the folder holding the configuration file);
    ``peers.group``: the force's most similar group as the analyst typed it in (empty: all
    forces, none highlighted)."""

    dir: Path | None
    group: tuple[str, ...]


def peer_settings(config: PackConfig) -> PeerSettings:
    """The ``peers`` block of the configuration (absent or empty: no folder, no group)."""
    block = (config.raw or {}).get("peers") or {}
    if not isinstance(block, dict):
        raise ConfigError(f"{config.path}: 'peers' must be a mapping with 'dir' and 'group' (see profiles/demo/pack.yaml).")
    folder = str(block.get("dir") or "").strip()
    group = block.get("group") or []
    if isinstance(group, str) or not isinstance(group, list) or not all(isinstance(g, str) and g.strip() for g in group):
        raise ConfigError(f"{config.path}: 'peers.group' must be a list of force names, one a line (e.g. '- Derbyshire').")
    where = (Path(config.path).parent / Path(folder).expanduser()).resolve() if folder else None
    return PeerSettings(dir=where, group=tuple(g.strip() for g in group))


def _material_pct(raw: dict, path: Path) -> float:
    """``revisions.material_pct``: optional, 1 (per cent) when absent."""
    value = (raw.get("revisions") or {}).get("material_pct", 1.0)
    try:
        pct = float(value)
    except (TypeError, ValueError):
        pct = float("nan")
    if not pct >= 0 or isinstance(value, bool):
        raise ConfigError(f"{path}: 'revisions.material_pct' is '{value}', not a percentage. Write a number of 0 or more, e.g. 1 for 1%.")
    return pct
