"""Force profiles: one folder per force holding everything that belongs to it.

``profiles/<slug>/`` (the slug as data.police.uk writes the force in its file names:
``staffordshire``, ``west-mercia``, ``city-of-london``)::

    pack.yaml                      force name, areas and what it calls them, its names in the
                                   public sources, Covid-19 periods and their base, its wording
                                   and definitions, marking, thresholds (perfpack.config)
    risk.yaml, risk_register.csv   the strategic risk assessment (section 8)
    commentary/<period>/<NN-section>.md
                                   the force lead's words for a section and period

How a run finds its profile (:func:`resolve`): ``--config`` names a profile's ``pack.yaml``
(or its folder) explicitly; otherwise ``--force`` names a folder of ``profiles/`` (or is a path
to a profile folder); with neither, the demo force's profile, ``profiles/demo/``, the shipped
example. A force with no profile can still be run on public data: its profile is *derived*
(:func:`derived_config`) from the template's settings, with the areas the data show, no
commentary and no risk register. A force's own extracts need its profile (their areas are
checked against it).

Commentary and ratings never leave their profile: a run reads them from its own profile only,
and :func:`check_commentary` refuses a commentary file whose name matches no section.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from string import Template

import yaml

from perfpack.config import DEFAULT_CONFIG, DEFAULT_PROFILE, PROFILES_DIR, TEMPLATE_DIR, ConfigError, PackConfig, load_config, parse_config

PERIOD_DIR = re.compile(r"^\d{4}-Q[1-4]$")
#: Files of a profile folder that are not part of the profile (editor and system leftovers).
IGNORED = (".DS_Store", "Thumbs.db")


def slug(text: str) -> str:
    """A force name as a profile folder name (``West Mercia Police`` -> ``west-mercia-police``)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).strip().lower()).strip("-")


def _candidates(force: str) -> list[str]:
    s = slug(force)
    out = [s]
    for suffix in ("-police-service", "-police", "-constabulary"):
        if s.endswith(suffix):
            out.append(s[: -len(suffix)])
    return out


def find_profile(force: str, profiles_dir: Path = PROFILES_DIR) -> Path | None:
    """The profile folder for ``force``: a folder path given directly (holding ``pack.yaml``),
    else ``profiles/<slug>/`` (``West Mercia Police`` finds ``profiles/west-mercia/``).
    None when there is none."""
    if not str(force or "").strip():
        return None
    given = Path(force).expanduser()
    if given.is_file() and given.name.endswith((".yaml", ".yml")):
        return given.parent
    if given.is_dir() and (given / "pack.yaml").is_file():
        return given
    for c in _candidates(force):
        d = Path(profiles_dir) / c
        if (d / "pack.yaml").is_file():
            return d
    return None


def resolve(force: str = "", config_path: str | Path | None = None, source: str = "canonical", profiles_dir: Path = PROFILES_DIR) -> PackConfig:
    """The profile a run uses.

    Parameters
    ----------
    force : str
        ``--force``: a profile's name (a folder of ``profiles/``), a path to a profile
        folder, or, for a force with no profile, the force as the public source names it.
    config_path : str or Path, optional
        ``--config``: a profile's ``pack.yaml`` (or its folder); wins over ``force``.
    source : str
        The data source. A force's own extracts (``canonical``) need a profile.

    Raises
    ------
    ConfigError
        ``--config`` names no file; or a force with no profile asked for on its own extracts.
    """
    if config_path:
        return load_config(config_path)
    if str(force or "").strip():
        found = find_profile(force, profiles_dir)
        if found is not None:
            return load_config(found / "pack.yaml")
        if source == "canonical":
            there = ", ".join(sorted(p.name for p in Path(profiles_dir).iterdir() if (p / "pack.yaml").is_file())) if Path(profiles_dir).is_dir() else "none"
            raise ConfigError(
                f"No profile for force '{force}' in {profiles_dir} (profiles there: {there}). A force's own extracts need its profile (its areas, marking and thresholds): make one with `perfpack init-force {force}` and fill it in, or pass --config with a profile's pack.yaml. Public data (--source policeuk or homeoffice) run without one."
            )
        return derived_config(force)
    return load_config(DEFAULT_CONFIG if Path(profiles_dir) == PROFILES_DIR else Path(profiles_dir) / DEFAULT_PROFILE / "pack.yaml")


def template_raw(force_name: str, npas: list[str] | tuple[str, ...] = ()) -> dict:
    """The template's settings with the force's name and areas."""
    text = Template((TEMPLATE_DIR / "pack.yaml").read_text(encoding="utf-8")).safe_substitute(
        force_name=_yaml_text(force_name), short_name=_yaml_text(force_name), slug=slug(force_name), npas=_yaml_list(npas)
    )
    return yaml.safe_load(text)


def derived_config(force: str) -> PackConfig:
    """The profile of a force that has none, for a run on public data: the template's
    settings, the force's name as given, no areas (the loader derives them from the data),
    and ``derived`` set: no commentary, no risk register."""
    raw = template_raw(force)
    raw["profile"] = {"name": f"derived: {force}", "derived": True}
    raw["force"]["npas"] = []
    raw["force"]["area_name"] = "District"
    raw["force"]["area_short"] = "district"
    raw["force"]["sources"] = {}
    return parse_config(raw, TEMPLATE_DIR / "pack.yaml")


def write_derived(config: PackConfig, folder: Path) -> Path:
    """Write a derived profile's settings as ``folder/pack.yaml`` (the notebooks read it like
    any profile's) and return that path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pack.yaml"
    path.write_text(
        "# A profile derived from the data for a force that has none (no commentary, no risk register).\n"
        + yaml.safe_dump(config.raw, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path


def data_force(config: PackConfig, force: str, source: str) -> str:
    """The force's name for a public source: the profile's ``force.sources.<source>`` when it
    sets one; else ``--force`` as given when it names no profile (a force without one, as the
    source names it); else the profile's force name."""
    names = (config.raw.get("force") or {}).get("sources") or {}
    if names.get(source):
        return str(names[source])
    if str(force or "").strip() and find_profile(force) is None:
        return force
    return config.force_short_name or config.force_name


def profile_files(config: PackConfig) -> list[dict]:
    """Every file of the profile folder, commentary included, with its SHA-256 (for the
    manifest): ``{"path": relative path, "sha256": ..., "bytes": ...}``."""
    root = config.profile_dir
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name not in IGNORED and not any(part.startswith(".") for part in p.relative_to(root).parts))
    return [{"path": str(p.relative_to(root)), "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "bytes": p.stat().st_size} for p in files]


def describe_profile(config: PackConfig, written: str | Path | None = None) -> dict:
    """The profile as the manifest records it: name, folder, force, areas and every file with
    its SHA-256 (commentary included). A derived profile: the file the run wrote for it
    (``written``), which is not kept."""
    if config.derived:
        path = Path(written) if written else None
        files = (
            [{"path": "pack.yaml", "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}] if path and path.is_file() else []
        )
        return {"name": config.profile, "derived": True, "folder": None, "force": config.force_name, "areas": "derived from the data", "files": files}
    return {
        "name": config.profile,
        "derived": False,
        "folder": str(config.profile_dir),
        "force": config.force_name,
        "areas": list(config.npas),
        "files": profile_files(config),
    }


def commentary_files(config: PackConfig) -> list[Path]:
    if config.derived:
        return []
    root = config.profile_dir / "commentary"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in IGNORED and not p.name.startswith(".")) if root.is_dir() else []


def check_commentary(config: PackConfig, section_ids: list[str]) -> None:
    """Refuse commentary that would be silently ignored: a file under ``commentary/`` that is
    not ``<YYYY-QN>/<a section id>.md`` (a ``README.md`` directly in ``commentary/`` is
    allowed). Raises :class:`ConfigError` listing every such file and the sections."""
    root = config.profile_dir / "commentary"
    bad = []
    for p in commentary_files(config):
        rel = p.relative_to(root)
        if rel.parts == ("README.md",):
            continue
        ok = len(rel.parts) == 2 and PERIOD_DIR.match(rel.parts[0]) and p.suffix == ".md" and p.stem in section_ids
        if not ok:
            bad.append(str(p))
    if bad:
        raise ConfigError(
            "Commentary files whose names match no section (each must be commentary/<YYYY-QN>/<section id>.md, e.g. commentary/2020-Q4/01-all-crime.md):\n"
            + "\n".join(f"  {b}" for b in bad)
            + f"\nThe sections are: {', '.join(section_ids)}. Rename or move the files and run again; nothing was run."
        )


def init_profile(
    name: str,
    profiles_dir: Path = PROFILES_DIR,
    *,
    force_name: str | None = None,
    areas: list[str] | tuple[str, ...] = (),
    area_name: str | None = None,
    area_short: str | None = None,
    sources: dict | None = None,
    note: str = "",
) -> Path:
    """Write a new profile folder ``profiles_dir/<slug(name)>/`` from the template: pack.yaml
    (the force's name and areas filled in; everything else the template's, to be checked),
    risk.yaml (the scoring model, to be checked) and an empty ``commentary/``. No risk
    register: section 8 says there is none until the force adds ``risk_register.csv``.

    Raises :class:`ConfigError` when the folder exists already."""
    dest = Path(profiles_dir) / slug(name)
    if dest.exists():
        raise ConfigError(f"{dest} exists already; choose another name or edit that profile.")
    force_name = force_name or name
    text = Template((TEMPLATE_DIR / "pack.yaml").read_text(encoding="utf-8")).safe_substitute(
        force_name=_yaml_text(force_name), short_name=_yaml_text(force_name), slug=slug(name), npas=_yaml_list(areas)
    )
    if area_name:
        text = text.replace("area_name: Neighbourhood Policing Area", f"area_name: {_yaml_text(area_name)}")
    if area_short:
        text = text.replace("area_short: NPA", f"area_short: {_yaml_text(area_short)}")
    if sources:
        text = text.replace("  sources: {}", "  sources:\n" + "".join(f"    {k}: {_yaml_text(v)}\n" for k, v in sources.items()).rstrip("\n"))
    if note:
        text = "".join(f"# {line}\n" for line in note.splitlines()) + text
    parse_config(yaml.safe_load(text), dest / "pack.yaml")  # the result must be a valid profile
    (dest / "commentary").mkdir(parents=True)
    (dest / "pack.yaml").write_text(text, encoding="utf-8")
    shutil.copy(TEMPLATE_DIR / "risk.yaml", dest / "risk.yaml")
    (dest / "commentary" / "README.md").write_text((TEMPLATE_DIR / "commentary-README.md").read_text(encoding="utf-8"), encoding="utf-8")
    return dest


def _yaml_text(value: str) -> str:
    return yaml.safe_dump(str(value), default_style='"').strip()


def _yaml_list(items) -> str:
    items = list(items)
    if not items:
        return "    []  # FILL IN: one line per area, `- Name`, as the force's records name them"
    return "\n".join(f"    - {_yaml_text(a)}" for a in items)
