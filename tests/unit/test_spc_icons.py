"""perfpack.present.spc_icons: Making Data Count's variation icons, colours from MDC's guide."""

from perfpack.present.spc_icons import colour, icon_svg, words


def test_mdc_colours():
    assert colour("improvement") == "#289de0"
    assert colour("concern") == "#fab428"
    assert colour("common cause") == "#7B7D7D"


def test_a_special_cause_low_improvement_is_a_blue_circle_with_an_l():
    svg = icon_svg("improvement", "low")
    assert svg.startswith("<svg") and 'role="img"' in svg and "#289de0" in svg
    assert ">L</text>" in svg
    assert 'aria-label="Special cause improvement: the latest month is unusually low"' in svg
    assert "<title>Special cause improvement: the latest month is unusually low</title>" in svg


def test_a_concern_high_is_orange_with_an_h_and_common_cause_is_grey_without_a_letter():
    assert "#fab428" in icon_svg("concern", "high") and ">H</text>" in icon_svg("concern", "high")
    cc = icon_svg("common cause")
    assert "#7B7D7D" in cc and "<text" not in cc
    assert words("common cause").startswith("Common cause variation")


def test_no_icon_draws_nothing():
    assert icon_svg("") == ""
