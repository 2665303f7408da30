"""Configuration: one YAML file (``config/pack.yaml``) read into plain values.

Nothing else in the library holds force names, dates or thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from perfpack import config_checks

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "pack.yaml"
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
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


def _get(mapping: dict, dotted: str, path: Path):
    node: Any = mapping
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{path}: the setting '{dotted}' is missing. Add it (see config/pack.yaml in the repository for an example).")
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
    """Read and check the pack configuration.

    Parameters
    ----------
    path : str or Path, optional
        The YAML file; defaults to ``config/pack.yaml`` in the project.

    Returns
    -------
    PackConfig
    """
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.is_file():
        raise ConfigError(f"Configuration file {path} not found. Pass --config, or restore config/pack.yaml.")
    try:
        text = config_checks.read_text(path)
        raw = yaml.safe_load(text) or {}
    except ValueError as exc:  # not UTF-8: the line to fix
        raise ConfigError(str(exc)) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    problems = config_checks.check(raw, path, text)  # every setting, strictly, before anything runs
    if problems:
        raise ConfigError(f"The configuration has {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was run and no outputs were changed.\n" + "\n".join("- " + p for p in problems))
    g = lambda k: _get(raw, k, path)  # noqa: E731
    periods = []
    for i, p in enumerate(g("covid.periods")):
        where = f"covid.periods[{i}]"
        start = _date(p.get("start"), where + ".start", path)
        end = _date(p.get("end"), where + ".end", path)
        if end < start:
            raise ConfigError(f"{path}: {where} ends ({end}) before it starts ({start}).")
        periods.append(CovidPeriod(str(p.get("id")), str(p.get("label")), start, end))
    npas = tuple(str(n) for n in g("force.npas"))
    if len(set(npas)) != len(npas) or not npas:
        raise ConfigError(f"{path}: force.npas must list each NPA once.")
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
        raw=raw,
    )
