"""A force's profile from its data.police.uk files (``perfpack init-force NAME --from DIR``):
its name as the files give it and the districts that hold its rows
(:func:`perfpack.sources.policeuk.derive_areas`)."""

from __future__ import annotations

from pathlib import Path

from perfpack.profiles import derived_config
from perfpack.sources.policeuk import load_policeuk


def profile_from_policeuk(folder: str | Path, force: str) -> dict:
    """What :func:`perfpack.profiles.init_profile` fills in from the street files of
    ``force`` in ``folder``: ``force_name``, ``areas``, ``area_name`` and ``area_short`` (the
    districts are local authority districts, not yet the force's own areas: check them),
    ``sources`` (the slug) and a ``note`` for the top of pack.yaml."""
    ds = load_policeuk(folder, force, derived_config(force))
    files = sorted({f["month"] for f in ds.files})
    outside = ds.facts.get("crimes", {}).get("outside_force_rows", {})
    note = (
        f"Made by `perfpack init-force {force} --from {folder}` from {len(files)} month(s) of data.police.uk files ({files[0]} to {files[-1]}).\n"
        f"The areas are the districts in the files' LSOA names that hold the force's rows (docs/public-data.md, 'Areas'); rows in other districts\n"
        f"({', '.join(list(outside)[:6]) or 'none'}{' ...' if len(outside) > 6 else ''}) are shown as one row outside the force area. CHECK them against the force's own areas."
    )
    slug = next((f["path"] for f in ds.files), "")
    slug = Path(slug).name[8 : -len("-street.csv")] if slug else force
    return {"force_name": ds.force, "areas": list(ds.npas), "area_name": "District", "area_short": "district", "sources": {"policeuk": slug}, "note": note}
