import pandas as pd
import pytest

from perfpack.sources.classification import SAC_CATEGORIES, UnknownOffenceCode, classification, classification_version, classify


@pytest.mark.parametrize(
    "code,category",
    [("28E", "residential_burglary"), ("28H", "residential_burglary"), ("29A", "residential_burglary"), ("30C", "business_burglary"), ("30D", "business_burglary"), ("31A", "business_burglary"), ("48", "theft_of_motor_vehicle"), ("37.2", "theft_of_motor_vehicle"), ("45", "theft_from_motor_vehicle"), ("34A", "business_robbery"), ("34B", "personal_robbery"), ("8N", "other"), ("AF", "other")],
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
