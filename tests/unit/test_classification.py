import pandas as pd
import pytest

from perfpack.sources.classification import (
    SAC_CATEGORIES,
    SERIOUS_SEXUAL_OFFENCES,
    SEXUAL_OFFENCE_CATEGORIES,
    UnknownOffenceCode,
    classification,
    classification_version,
    classify,
)


@pytest.mark.parametrize(
    "code,category",
    [
        ("28E", "residential_burglary"),
        ("28H", "residential_burglary"),
        ("29A", "residential_burglary"),
        ("30C", "business_burglary"),
        ("30D", "business_burglary"),
        ("31A", "business_burglary"),
        ("48", "theft_of_motor_vehicle"),
        ("37.2", "theft_of_motor_vehicle"),
        ("45", "theft_from_motor_vehicle"),
        ("34A", "business_robbery"),
        ("34B", "personal_robbery"),
        ("8N", "other"),
        ("AF", "other"),
        ("19C", "rape"),
        ("19H", "rape"),
        ("20A", "other_sexual_offences"),
        ("88E", "other_sexual_offences"),
        ("24", "other"),
        ("27", "other"),
    ],
)
def test_report_categories(code, category):
    assert classification().loc[code, "category"] == category


def test_fraud_is_not_in_all_crime():
    c = classification()
    assert not c.loc["AF", "in_all_crime"] and not c.loc["CIFAS", "in_all_crime"]
    assert c.loc["28E", "in_all_crime"]


def test_violence_types():
    c = classification()
    assert c.loc["5D", "violence_type"] == "serious_assault"
    assert c.loc["8N", "violence_type"] == "less_serious_assault"
    assert c.loc["105A", "violence_type"] == "less_serious_assault"
    assert c.loc["8Q", "violence_type"] == "other_vap"  # stalking
    assert c.loc["8R", "violence_type"] == "other_vap"  # malicious communications
    assert c.loc["19C", "violence_type"] == ""  # rape: sexual offence, not VAP


def test_every_sac_category_has_codes():
    cats = set(classification()["category"])
    assert set(SAC_CATEGORIES) <= cats


# The Home Office counting rules' sexual offences (rape is class 19; the other sexual offences
# classes 17, 20-23, 70-73 and 88), written out here from the counting rules, not read from
# the lookup.
RAPE_CODES = {"19C", "19D", "19E", "19F", "19G", "19H"}
OTHER_SEXUAL_CODES = {"17A", "17B", "20A", "20B", "21", "22A", "22B", "23", "70", "71", "72", "73", "88A", "88C", "88D", "88E"}


def test_sexual_offence_categories_are_the_home_office_sexual_offences_group():
    c = classification()
    assert set(c.index[c["category"] == "rape"]) == RAPE_CODES
    assert set(c.index[c["category"] == "other_sexual_offences"]) == OTHER_SEXUAL_CODES
    serious = c["category"].isin(SERIOUS_SEXUAL_OFFENCES)
    assert set(c.index[serious]) == set(c.index[c["ho_offence_group"] == "Sexual offences"])
    assert set(c.index[c["ho_offence_subgroup"] == "Rape offences"]) == RAPE_CODES
    assert set(SEXUAL_OFFENCE_CATEGORIES) == set(SERIOUS_SEXUAL_OFFENCES)
    assert not set(SEXUAL_OFFENCE_CATEGORIES) & set(SAC_CATEGORIES)
    assert c.loc[sorted(RAPE_CODES | OTHER_SEXUAL_CODES), "in_all_crime"].all()


def test_classify_normalises_and_adds_columns():
    df = pd.DataFrame({"offence_code": [" 28e", "45", "8N"]})
    out = classify(df)
    assert list(out["offence_code"]) == ["28E", "45", "8N"]
    assert list(out["category"]) == ["residential_burglary", "theft_from_motor_vehicle", "other"]
    assert out["in_all_crime"].all()


def test_classify_unknown_code_is_a_clear_error():
    with pytest.raises(UnknownOffenceCode, match="99Z"):
        classify(pd.DataFrame({"offence_code": ["28E", "99Z"]}))


def test_version_is_stable_hash():
    v = classification_version()
    assert v.startswith("sha256:") and len(v) == 19 and v == classification_version()
