from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkequity.parsing.exports import (
    MAX_FIELD_CHARS,
    clean_text,
    infer_day_first,
    parse_bool,
    parse_count,
    parse_date,
    parse_number,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-15", utc(2026, 9, 15)),
        ("2026-09-15T10:22:33Z", utc(2026, 9, 15, 10, 22, 33)),
        ("2026-09-15T10:22:33+02:00", utc(2026, 9, 15, 8, 22, 33)),
        ("2026-09-15 10:22:33", utc(2026, 9, 15, 10, 22, 33)),
        ("2026-09-15 10:22:33 UTC", utc(2026, 9, 15, 10, 22, 33)),
        ("2026-09-15T10:22:33.123Z", utc(2026, 9, 15, 10, 22, 33, 123000)),
        ("Sep 15, 2026", utc(2026, 9, 15)),
        ("September 15, 2026", utc(2026, 9, 15)),
        ("sept. 15 2026", utc(2026, 9, 15)),
        ("15 Sep 2026", utc(2026, 9, 15)),
        ("15/09/2026", utc(2026, 9, 15)),
        ("09/15/2026", utc(2026, 9, 15)),
        ("15.09.2026", utc(2026, 9, 15)),
        ("15.09.2026 10:22", utc(2026, 9, 15, 10, 22)),
        ("2026/09/15", utc(2026, 9, 15)),
        ("1789468953", utc(2026, 9, 15, 10, 42, 33)),
        ("1789468953000", utc(2026, 9, 15, 10, 42, 33)),
        (" 2026-09-15 ", utc(2026, 9, 15)),
        ("", None),
        ("-", None),
        ("n/a", None),
        ("N/A", None),
        ("never", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("day_first", "expected"), [(False, utc(2026, 3, 4)), (True, utc(2026, 4, 3))]
)
def test_ambiguous_slash_date_follows_the_file(day_first: bool, expected: datetime) -> None:
    assert parse_date("03/04/2026", day_first=day_first) == expected


@pytest.mark.parametrize(
    "text", ["yesterday", "2026-13-01", "31/31/2026", "Foo 15, 2026", "2026-02-30", "15.13.2026"]
)
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["03/04/2026", "28/09/2026"], True),
        (["03/04/2026", "09/28/2026"], False),
        (["03/04/2026", "2026-09-28"], None),
        (["13/01/2026", "01/13/2026"], None),
        ([], None),
    ],
)
def test_infer_day_first(values: list[str], expected: bool | None) -> None:
    assert infer_day_first(values) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1240", 1240.0),
        ("1,240", 1240.0),
        ("1,240,000", 1240000.0),
        ("1 240", 1240.0),
        ("1\u00a0240", 1240.0),
        ("1\u202f240", 1240.0),
        ("1.240.000", 1240000.0),
        ("1.240,5", 1240.5),
        ("1,240.5", 1240.5),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("0.75", 0.75),
        ("45%", 45.0),
        ("-3", -3.0),
        ("", None),
        ("-", None),
        ("n/a", None),
        ("N/A", None),
        ("  ", None),
    ],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["lots", "1,24,0", "12,34,5678", "nan5", "inf", "1e999"])
def test_bad_numbers(text: str) -> None:
    with pytest.raises(ValueError, match="is not a number"):
        parse_number(text)


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("1,240", 1240), ("", None)])
def test_parse_count(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["12.5", "-1"])
def test_bad_counts(text: str) -> None:
    with pytest.raises(ValueError, match="is not a count"):
        parse_count(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("yes", True),
        ("Yes", True),
        ("1", True),
        ("+", True),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("0", False),
        ("-", False),
        ("", None),
        (" ", None),
        ("n/a", None),
    ],
)
def test_parse_bool(text: str, expected: bool | None) -> None:
    assert parse_bool(text) is expected


def test_blank_bool_can_mean_false() -> None:
    assert parse_bool("", blank=False) is False


def test_bad_bool() -> None:
    with pytest.raises(ValueError, match="is not yes or no"):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("a\x00b", "ab"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("crlf\r\nline", "crlf\nline"),
        ("bell\x07 esc\x1b[31m del\x7f c1\x85", "bell esc[31m del c1"),
        ('<script>alert("x")</script>', '<script>alert("x")</script>'),
        ("=HYPERLINK(1)", "=HYPERLINK(1)"),
    ],
)
def test_clean_text_keeps_text_verbatim_but_controls(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_clean_text_caps_length() -> None:
    assert len(clean_text("x" * 5_000_000)) == MAX_FIELD_CHARS


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separated_counts_round_trip(number: int) -> None:
    assert parse_number(f"{number:,}") == number
    assert parse_number(f"{number:,}".replace(",", " ")) == number
    if number >= 1_000_000:  # one dot ("1.000") reads as a decimal point
        assert parse_number(f"{number:,}".replace(",", ".")) == number


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_iso_dates_round_trip(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_date(moment.isoformat()) == moment.replace(tzinfo=UTC)
    assert parse_date(moment.strftime("%d.%m.%Y")) == moment.replace(
        hour=0, minute=0, second=0, tzinfo=UTC
    )


@given(st.text(max_size=200))
def test_clean_text_never_keeps_controls(text: str) -> None:
    cleaned = clean_text(text)
    assert all(ch in "\t\n" or not (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) for ch in cleaned)
