import logging

from yanxiu.core.logging import RedactPersonalDataFilter, redact


def test_id_numbers_and_phones_never_reach_the_log():
    text = redact("import failed for 43012119900307002X phone 13912345678 row 7")
    assert "43012119900307002X" not in text and "13912345678" not in text
    assert "430121********002X" in text and "139****5678" in text


def test_the_filter_rewrites_formatted_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s logged in from %s", ("13912345678", "10.0.0.1"), None)
    RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == "user 139****5678 logged in from 10.0.0.1"
