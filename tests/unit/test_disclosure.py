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
    display, mask = suppress(npa_table(), ["burglary", "robbery", "theft"], threshold=10, total_row="Force", total_col="total")
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
    lambda rows: st.integers(2, 4).flatmap(lambda cols: st.lists(st.lists(st.integers(0, 40), min_size=cols, max_size=cols), min_size=rows, max_size=rows))
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


# ---- across tables published together (protect_rows, protect_figures) -----------------------

from perfpack.stats.disclosure import figure_relations, protect_figures, protect_rows  # noqa: E402


def attack(known: dict, unknown: set, relations: list) -> dict:
    """A reader's differencing attack, written apart from the code under test: every published
    sum with exactly one unknown cell gives that cell; repeat with what was learnt.
    ``relations`` are (total cell or None, [part cells]); a None total means the parts' sum
    is published as ``known[('sum', id(rel))]``."""
    known = dict(known)
    recovered = {}
    progress = True
    while progress:
        progress = False
        for total, parts in relations:
            cells = [total, *parts]
            missing = [c for c in cells if c not in known]
            if len(missing) != 1:
                continue
            (m,) = missing
            if m == total:
                value = sum(known[p] for p in parts)
            else:
                value = known[total] - sum(known[p] for p in parts if p != m)
            known[m] = recovered[m] = value
            progress = True
    return recovered


def test_the_attack_recovers_what_the_2020_q4_pack_published():
    # Cannock Chase 2020 as the issue works it: 777 - (283+97+132+232+28) = 5
    known = {"sac": 777, "res": 283, "bus_b": 97, "tmv": 132, "tfmv": 232, "pers": 28}
    assert attack(known, {"bus_r"}, [("sac", ["res", "bus_b", "tmv", "tfmv", "pers", "bus_r"])]) == {"bus_r": 5}


def test_a_total_and_its_parts_by_area_worked_by_hand():
    # Areas A, B, C; x and y by area, and their total by area; force rows fixed.
    #        x   y   total
    #  A     5  40    45
    #  B    20  12    32
    #  C    30  50    80
    #  Force 55 102  157
    # x_A = 5 is small. Column x: x_A alone -> hide the smallest other x, x_B (20).
    # Area A: total 45 = x_A + y_A, one unknown -> hide y_A (40, smaller than the total 45).
    # Area B: 32 = x_B + y_B, one unknown -> hide y_B (12). Column y now has two; done.
    table = {"A": (5, 40), "B": (20, 12), "C": (30, 50)}
    rows = []
    for area, (x, y) in table.items():
        rows += [
            {"key": "x", "area": area, "window": "w", "current": x, "previous": None},
            {"key": "y", "area": area, "window": "w", "current": y, "previous": None},
            {"key": "t", "area": area, "window": "w", "current": x + y, "previous": None},
        ]
    for k, v in {"x": 55, "y": 102, "t": 157}.items():
        rows.append({"key": k, "area": "Force", "window": "w", "current": v, "previous": None})
    hidden, primary = protect_figures(rows, {"t": ["x", "y"]})
    assert primary == {("x", "A", "w")}
    assert hidden == {("x", "A", "w"), ("x", "B", "w"), ("y", "A", "w"), ("y", "B", "w")}


def test_a_row_is_hidden_whole_across_current_and_previous():
    # Previous 4 in A hides A's row (both windows); in the current column A's 30 is then
    # the only unknown of the force's 90, so another area's row goes too: B (current 25).
    values = {
        ("A",): {"current": 30, "previous": 4},
        ("B",): {"current": 25, "previous": 20},
        ("C",): {"current": 35, "previous": 30},
        ("F",): {"current": 90, "previous": 54},
    }
    rel = [(m, [("A",), ("B",), ("C",), ("F",)]) for m in ("current", "previous")]
    hidden, primary = protect_rows(values, rel, fixed={("F",)})
    assert primary == {("A",)} and hidden == {("A",), ("B",)}


def test_a_force_of_one_area_is_left_alone():
    # the area's 3 is the force's 3, published anyway: nothing else to hide, no loop, no error
    values = {("A",): {"current": 3}, ("F",): {"current": 3}}
    assert protect_rows(values, [("current", [("A",), ("F",)])], fixed={("F",)}, measures=("current",)) == ({("A",)}, {("A",)})


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda n_areas: st.integers(2, 5).flatmap(
            lambda n_parts: st.lists(
                st.lists(
                    st.tuples(st.one_of(st.integers(0, 12), st.integers(0, 200)), st.one_of(st.integers(0, 12), st.integers(0, 200))),
                    min_size=n_parts,
                    max_size=n_parts,
                ),
                min_size=n_areas,
                max_size=n_areas,
            )
        )
    )
)
def test_no_differencing_attack_recovers_a_hidden_count(grid):
    # Random areas x parts, current and previous, with each area's total and the force rows
    # published: whatever is hidden, the attack learns nothing.
    rows = []
    parts = [f"p{j}" for j in range(len(grid[0]))]
    for i, area_cells in enumerate(grid):
        for j, (cur, prev) in enumerate(area_cells):
            rows.append({"key": parts[j], "area": f"a{i}", "window": "w", "current": cur, "previous": prev})
        rows.append({"key": "t", "area": f"a{i}", "window": "w", "current": sum(c for c, _ in area_cells), "previous": sum(p for _, p in area_cells)})
    for k in parts + ["t"]:
        mine = [r for r in rows if r["key"] == k]
        rows.append({"key": k, "area": "Force", "window": "w", "current": sum(r["current"] for r in mine), "previous": sum(r["previous"] for r in mine)})
    hidden, primary = protect_figures(rows, {"t": parts})
    assert not any(a == "Force" for _, a, _ in hidden)
    for r in rows:  # every small count below force level is hidden
        if r["area"] != "Force" and (0 < r["current"] < 10 or 0 < r["previous"] < 10):
            assert (r["key"], r["area"], r["window"]) in primary
    for m in ("current", "previous"):
        known = {(r["key"], r["area"]): r[m] for r in rows if (r["key"], r["area"], r["window"]) not in hidden}
        relations = [(("t", f"a{i}"), [(p, f"a{i}") for p in parts]) for i in range(len(grid))]
        relations += [((k, "Force"), [(k, f"a{i}") for i in range(len(grid))]) for k in parts + ["t"]]
        assert attack(known, set(), relations) == {}


def test_figure_relations_from_rows():
    rows = [{"key": k, "area": a, "window": "w"} for k in ("t", "x", "y") for a in ("Force", "A")]
    rel = figure_relations(rows, {"t": ["x", "y"]}, measures=("current",))
    assert ("current", [("t", "A", "w"), ("x", "A", "w"), ("y", "A", "w")]) in rel
    assert ("current", [("x", "A", "w"), ("x", "Force", "w")]) in rel
