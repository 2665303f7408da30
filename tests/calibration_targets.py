"""The seed's serious acquisitive crime figures (REPORT_SPEC calibration table): change from
2019 to 2020 in percent, and the tolerance in points. One copy, used by the demo generator's
own check (tests/test_demo.py) and by the pack's check (tests/test_calibration.py)."""

SAC_TARGETS = [
    ("residential_burglary", -25, 3),
    ("business_burglary", -36, 3),
    ("theft_of_motor_vehicle", -17, 3),
    ("theft_from_motor_vehicle", -27, 3),
    ("personal_robbery", -35, 3),
    ("business_robbery", -27, 5),
]
