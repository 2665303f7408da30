"""Home Office offence classification: offence code -> report categories.

The lookup is versioned data shipped inside the library
(``perfpack/data/offence_classification.csv``), built from the Home Office police recorded
crime offence list (codes, descriptions, offence group and subgroup), with the report's own
categories added:

``category``
    ``residential_burglary``, ``business_burglary``, ``theft_of_motor_vehicle``,
    ``theft_from_motor_vehicle``, ``personal_robbery``, ``business_robbery`` (serious
    acquisitive crime), ``rape`` or ``other_sexual_offences`` (the two sexual offence
    categories), or ``other``.

    The sexual offence categories follow the Home Office offence group "Sexual offences" and
    its two subgroups: ``rape`` is HO class 19 (``19C``-``19H``: rape of a female or a male,
    by age); ``other_sexual_offences`` is the rest of the group (``17A``, ``17B``, ``20A``,
    ``20B``, ``21``, ``22A``, ``22B``, ``23``, ``70``, ``71``, ``72``, ``73``, ``88A``,
    ``88C``, ``88D``, ``88E``: sexual assault, sexual activity with children, familial
    offences, grooming, exposure and voyeurism and the like). Together they are **serious
    sexual offences** as forces report them (:data:`SERIOUS_SEXUAL_OFFENCES`). Exploitation of
    prostitution (``24``) and soliciting (``27``) are miscellaneous crimes against society in
    the counting rules, not sexual offences, and stay ``other``.
``violence_type``
    ``serious_assault``, ``less_serious_assault`` or ``other_vap`` for violence against the
    person, empty otherwise.
``in_all_crime``
    False for fraud recorded by Action Fraud, CIFAS and UK Finance, which police recorded
    crime totals exclude.
``policeuk_crime_type``
    The data.police.uk crime type the code falls under.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from io import StringIO

import pandas as pd

CLASSIFICATION_FILE = "offence_classification.csv"

SAC_CATEGORIES = {
    "residential_burglary": "Residential burglary",
    "business_burglary": "Business and community burglary",
    "theft_of_motor_vehicle": "Theft of a motor vehicle",
    "theft_from_motor_vehicle": "Theft from a motor vehicle",
    "personal_robbery": "Personal robbery",
    "business_robbery": "Business robbery",
}

#: The sexual offence categories of the ``category`` column (Home Office subgroups "Rape
#: offences" and "Other sexual offences").
SEXUAL_OFFENCE_CATEGORIES = {
    "rape": "Rape",
    "other_sexual_offences": "Other sexual offences",
}

#: Serious sexual offences, as forces report them: rape and the other sexual offences, i.e. the
#: whole Home Office offence group "Sexual offences".
SERIOUS_SEXUAL_OFFENCES = ("rape", "other_sexual_offences")

VIOLENCE_TYPES = {
    "serious_assault": "Serious assault",
    "less_serious_assault": "Less serious assault",
    "other_vap": "Other violence against the person",
}


class UnknownOffenceCode(ValueError):
    """An offence code the classification does not know."""


def _text() -> str:
    return resources.files("perfpack").joinpath("data", CLASSIFICATION_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def classification() -> pd.DataFrame:
    """The classification table, one row per offence code (codes are strings)."""

    df = pd.read_csv(StringIO(_text()), dtype=str, keep_default_na=False)
    df["in_all_crime"] = df["in_all_crime"].map({"true": True, "false": False}).astype(bool)
    out = df.set_index("offence_code")
    if not out.index.is_unique:
        raise ValueError(f"{CLASSIFICATION_FILE} lists an offence code twice")
    return out


def classification_version() -> str:
    """A short content hash of the shipped lookup, recorded in every run's manifest."""
    return "sha256:" + hashlib.sha256(_text().encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=1)
def _canonical_codes() -> dict[str, str]:
    return {c.upper(): c for c in classification().index}


def normalise_code(code) -> str:
    """Offence codes as the lookup writes them, matched without regard to case or surrounding
    spaces (``'28e '`` -> ``'28E'``, ``'uk finance'`` -> ``'UK Finance'``)."""
    text = str(code).strip()
    return _canonical_codes().get(text.upper(), text.upper())


def classify(df: pd.DataFrame, code_column: str = "offence_code") -> pd.DataFrame:
    """Add the classification columns to a frame of crimes.

    Raises
    ------
    UnknownOffenceCode
        If any code is not in the lookup; the message lists them. Validation catches this
        earlier with file and row details; this is the last line of defence.
    """
    codes = df[code_column].map(normalise_code)
    lookup = classification()
    missing = sorted(set(codes) - set(lookup.index))
    if missing:
        raise UnknownOffenceCode(
            f"offence codes not in the Home Office classification: {', '.join(missing[:10])}" + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        )
    cols = ["ho_offence_group", "ho_offence_subgroup", "category", "violence_type", "in_all_crime", "policeuk_crime_type"]
    joined = lookup.loc[codes.to_numpy(), cols].reset_index(drop=True)
    out = df.reset_index(drop=True).copy()
    out[code_column] = codes.to_numpy()
    for c in cols:
        out[c] = joined[c].to_numpy()
    return out
