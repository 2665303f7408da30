"""perfpack.stats.disclosure: primary and secondary suppression on hand-made tables."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfpack.stats.disclosure import SECONDARY_LABEL, SUPPRESSED_LABEL, is_suppressed, suppress


def npa_table():
    """NPA x offence, with force totals (row) and NPA totals (column)."""
    df = pd.DataFrame(
        {
            "burglary": [25, 4, 30],
            "robbery": [12, 15, 0],
            "theft": [40, 30, 22],
        },
        index=pd.Index(["Cannock Chase", "Lichfield", "Tamworth"], name="npa"),
    )
    df["total"] = df.sum(axis=1)
    df.loc["Force"] = df.sum()
    return df


def test_labels_and_helper():
    assert SUPPRESSED_LABEL(10) == "<10"
    assert SUPPRESSED_LABEL(5) == "<5"
    assert SECONDARY_LABEL == "[c]"
    assert [is_suppressed(c, 10) for c in (0, 1, 9, 10, 11)] == [False, True, True, False, False]
    assert not is_suppressed(None, 10)
    assert not is_suppressed(np.nan, 10)
    assert is_suppressed(4, 5) and not is_suppressed(5, 5)
    with pytest.raises(ValueError, match="threshold must be a whole number"):
        SUPPRESSED_LABEL(0)


def test_primary_only_without_secondary():
    display, mask = suppress(npa_table(), ["burglary", "robbery", "theft"], secondary=False)
    assert display.loc["Lichfield", "burglary"] == "<10"
    assert display.loc["Tamworth", "robbery"] == 0  # zero is shown
    assert mask.values.sum() == 1
    assert list(mask.columns) == ["burglary", "robbery", "theft"]


def test_secondary_suppression_on_a_hand_made_table():
    display, mask = suppress(
        npa_table(), ["burglary", "robbery", "theft"], threshold=10, total_row="Force", total_col="total"
    )
    # Lichfield burglary (4) is small. Burglary column total is published (Force 59), so the
    # next-smallest burglary, Cannock Chase 25, is hidden too. Lichfield's row total (49) is
    # published, so its next-smallest, robbery 15, goes; that leaves Cannock Chase's row with
    # one hidden cell, so its robbery 12 goes. Now every line has 0 or 2+ hidden cells.
    expected = pd.DataFrame(
        {
            "burglary": ["[c]", "<10", 30, 59],
            "robbery": ["[c]", "[c]", 0, 27],
            "theft": [40, 30, 22, 92],
            "total": [77, 49, 52, 178],
        },
        index=npa_table().index,
        dtype=object,
    )
    pd.testing.assert_frame_equal(display, expected)
    assert mask.loc["Cannock Chase"].tolist() == [True, True, False, False]
    assert mask.loc["Lichfield"].tolist() == [True, True, False, False]
    assert not mask.loc["Force"].any()
    # The reader's equations leave Lichfield burglary anywhere in 1..9:
    # A_b + L_b = 59 - 30, A_r + L_r = 27 - 0, A_b + A_r = 77 - 40, L_b + L_r = 49 - 30.
    solutions = [t for t in range(1, 10) if min(29 - t, 8 + t, 19 - t) >= 0]
    assert len(solutions) == 9


def test_only_column_lines_without_row_totals():
    # two windows side by side: a row "total" of current + previous is never published
    df = pd.DataFrame(
        {"current": [120, 7, 55, 60], "previous": [130, 14, 50, 70]},
        index=["A", "B", "C", "D"],
    )
    display, mask = suppress(df, ["current", "previous"])
    assert display["current"].tolist() == [120, "<10", "[c]", 60]
    assert display.loc["C", "current"] == "[c]"  # next-smallest in the column
    assert display.loc["B", "previous"] == 14  # the row is not a line: no row total
    assert mask.values.sum() == 2


def test_no_secondary_when_no_totals_are_known():
    df = pd.DataFrame({"current": [120, 7, 55]}, index=["A", "B", "C"])
    _, mask = suppress(df, ["current"], column_totals_known=False)
    assert mask["current"].tolist() == [False, True, False]


def test_row_totals_known_without_a_total_column():
    df = pd.DataFrame({"x": [3, 20], "y": [40, 50], "z": [45, 60]}, index=["A", "B"])
    display, _ = suppress(df, ["x", "y", "z"], column_totals_known=False, row_totals_known=True)
    assert display.loc["A"].tolist() == ["<10", "[c]", 45]


def test_zero_is_hidden_only_when_nothing_else_protects():
    df = pd.DataFrame({"n": [3, 0, 0]}, index=["A", "B", "C"])
    display, mask = suppress(df, ["n"])
    assert display["n"].tolist() == ["<10", "[c]", 0]
    assert mask["n"].tolist() == [True, True, False]


def test_not_available_cells_are_left_alone():
    df = pd.DataFrame({"n": [3, np.nan, 40, 50]}, index=list("ABCD"))
    display, mask = suppress(df, ["n"])
    assert pd.isna(display.loc["B", "n"])
    assert display.loc["C", "n"] == "[c]"
    assert not mask.loc["B", "n"]


def test_threshold_from_configuration_builds_the_label():
    df = pd.DataFrame({"n": [3, 6, 40, 50]}, index=list("ABCD"))
    display, _ = suppress(df, ["n"], threshold=5)
    assert display["n"].tolist() == ["<5", "[c]", 40, 50]


def test_other_columns_pass_through():
    df = pd.DataFrame({"label": ["a", "b", "c"], "n": [3, 40, 50]})
    display, _ = suppress(df, "n")
    assert display["label"].tolist() == ["a", "b", "c"]
    assert df["n"].tolist() == [3, 40, 50]  # the input is not changed


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"count_cols": ["nope"]}, r"columns \['nope'\] are not in the table"),
        ({"count_cols": ["n"], "total_row": "Force"}, "total_row 'Force' is not in the table"),
        ({"count_cols": []}, "count_cols is empty"),
        ({"count_cols": ["n"], "threshold": 2.5}, "threshold must be a whole number"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs, message):
    df = pd.DataFrame({"n": [3, 40, 50]})
    with pytest.raises(ValueError, match=message):
        suppress(df, **kwargs)


def test_negative_or_fractional_counts_are_refused():
    with pytest.raises(ValueError, match="whole numbers, 0 or more"):
        suppress(pd.DataFrame({"n": [3, -1]}), ["n"])
    with pytest.raises(ValueError, match="whole numbers, 0 or more"):
        suppress(pd.DataFrame({"n": [3, 1.5]}), ["n"])


tables = st.integers(2, 5).flatmap(
    lambda rows: st.integers(2, 4).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 40), min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(tables)
def test_no_known_total_ever_reveals_exactly_one_hidden_cell(rows):
    df = pd.DataFrame(rows, columns=[f"c{j}" for j in range(len(rows[0]))])
    count_cols = list(df.columns)
    df["total"] = df[count_cols].sum(axis=1)
    df.loc["Force"] = df.sum()
    display, mask = suppress(df, count_cols, total_row="Force", total_col="total")

    body = df.drop(index="Force")
    hidden = mask.drop(index="Force")
    # every small non-zero count is hidden, and shows the "<10" label
    small = (body > 0) & (body < 10)
    assert (hidden[small]).fillna(True).all().all()
    for (row, col), is_small in small.stack().items():
        if is_small:
            assert display.loc[row, col] == "<10"
    assert not mask.loc["Force"].any()
    # no column (force total known) and no row (row total shown) has exactly one hidden cell
    # unless nothing else in the line could be hidden (a one-row column)
    for col in mask.columns:
        assert hidden[col].sum() != 1 or len(body) == 1
    for row in hidden.index:
        assert hidden.loc[row].sum() != 1
