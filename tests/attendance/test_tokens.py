import pytest

from yanxiu.attendance import tokens

PERIOD = 15
T0 = 1_800_000_000.0  # a window boundary: 1_800_000_000 / 15 is whole


def test_token_is_accepted_in_its_own_window_up_to_the_last_instant():
    issued = tokens.issue(7, "in", now=T0, period=PERIOD)
    assert tokens.verify_token(7, "in", issued.token, now=T0, period=PERIOD)
    assert tokens.verify_token(7, "in", issued.token, now=T0 + PERIOD - 0.001, period=PERIOD)


def test_token_is_accepted_in_the_next_window_too():
    issued = tokens.issue(7, "in", now=T0 + 3, period=PERIOD)
    assert tokens.verify_token(7, "in", issued.token, now=T0 + PERIOD, period=PERIOD)
    assert tokens.verify_token(7, "in", issued.token, now=T0 + 2 * PERIOD - 0.001, period=PERIOD)


def test_token_two_windows_old_is_refused():
    issued = tokens.issue(7, "in", now=T0, period=PERIOD)
    assert not tokens.verify_token(7, "in", issued.token, now=T0 + 2 * PERIOD, period=PERIOD)
    assert not tokens.verify_token(7, "in", issued.token, now=T0 + 10 * PERIOD, period=PERIOD)


def test_token_from_the_future_window_is_refused():
    issued = tokens.issue(7, "in", now=T0 + PERIOD, period=PERIOD)
    assert not tokens.verify_token(7, "in", issued.token, now=T0, period=PERIOD)


def test_token_of_another_session_or_purpose_is_refused():
    issued = tokens.issue(7, "in", now=T0, period=PERIOD)
    assert not tokens.verify_token(8, "in", issued.token, now=T0, period=PERIOD)
    assert not tokens.verify_token(7, "out", issued.token, now=T0, period=PERIOD)
    assert tokens.purpose_of_token(7, issued.token, now=T0, period=PERIOD) == "in"
    out = tokens.issue(7, "out", now=T0, period=PERIOD)
    assert tokens.purpose_of_token(7, out.token, now=T0, period=PERIOD) == "out"


@pytest.mark.parametrize("forged", ["", "A" * 16, "not-a-token", "x" * 200])
def test_forged_tokens_are_refused(forged):
    assert not tokens.verify_token(7, "in", forged, now=T0, period=PERIOD)
    assert tokens.purpose_of_token(7, forged, now=T0, period=PERIOD) is None


def test_a_token_changes_with_the_secret(settings):
    before = tokens.issue(7, "in", now=T0, period=PERIOD).token
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert tokens.issue(7, "in", now=T0, period=PERIOD).token != before
    assert not tokens.verify_token(7, "in", before, now=T0, period=PERIOD)


def test_numeric_code_has_six_digits_and_follows_the_same_windows():
    issued = tokens.issue(7, "in", now=T0, period=PERIOD)
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert tokens.verify_code(7, "in", issued.code, now=T0 + PERIOD + 1, period=PERIOD)
    assert not tokens.verify_code(7, "in", issued.code, now=T0 + 2 * PERIOD, period=PERIOD)
    assert not tokens.verify_code(7, "in", "12345", now=T0, period=PERIOD)
    assert not tokens.verify_code(7, "in", "abcdef", now=T0, period=PERIOD)


def test_codes_differ_between_windows_and_sessions():
    codes = {tokens.make_code(7, "in", w) for w in range(200)}
    assert len(codes) > 190
    assert tokens.make_code(7, "in", 5) != tokens.make_code(8, "in", 5) or tokens.make_code(7, "in", 6) != tokens.make_code(8, "in", 6)


def test_period_comes_from_settings(settings):
    settings.YANXIU_SIGNIN_PERIOD_SECONDS = 60
    issued = tokens.issue(7, "in", now=T0)
    assert issued.period == 60
    assert tokens.verify_token(7, "in", issued.token, now=T0 + 119)
    assert not tokens.verify_token(7, "in", issued.token, now=T0 + 120)


def test_seconds_left_counts_down_to_the_window_end():
    assert tokens.seconds_left(T0 + 4, PERIOD) == pytest.approx(11)
