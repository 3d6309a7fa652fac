"""全国地方公共団体コード: check digit, validation and repair (with property-based tests)."""
import pytest
from hypothesis import given, settings, strategies as st

from chiiki_iot.opendata.lgcode import PREFECTURES, check_digit, is_valid, prefecture_of, repair_lgcode, \
    with_check_digit


@pytest.mark.parametrize("code5, code6", [("13101", "131016"), ("09201", "092011"), ("01100", "011002"),
                                          ("47348", "473481"), ("14100", "141003"), ("13000", "130001")])
def test_known_codes(code5, code6):
    """Codes verified in the research notes (千代田区, 宇都宮市, 札幌市, 与那原町, 横浜市, 東京都)."""
    assert with_check_digit(code5) == code6
    assert is_valid(code6)


@pytest.mark.parametrize("value, code, status", [
    ("092011", "092011", "ok"), ("92011", "092011", "fixed"), ("13101", "131016", "fixed"),
    ("1100", "011002", "fixed"), ("９２０１１", "092011", "fixed"), ("92011.0", "092011", "fixed"),
    (" 131016 ", "131016", "fixed"), ("131017", None, "error"), ("483000", None, "error"), ("abc", None, "error"),
    ("12", None, "error"), ("", None, "blank"),
])
def test_repair(value, code, status):
    r = repair_lgcode(value)
    assert (r.code, r.status) == (code, status)
    if status in ("fixed", "error"):
        assert r.message.endswith("。")


def test_wrong_check_digit_names_the_right_one():
    assert "6 のはず" in repair_lgcode("131017").message


def test_prefecture_of():
    assert prefecture_of("092011") == "栃木県" and len(PREFECTURES) == 47


valid_codes = st.builds(lambda p, m: with_check_digit(p + f"{m:03d}"),
                        st.sampled_from(sorted(PREFECTURES)), st.one_of(st.just(0), st.integers(100, 799)))


@settings(max_examples=300, deadline=None)
@given(valid_codes)
def test_valid_codes_survive_and_lost_zero_is_restored(code):
    assert repair_lgcode(code).status == "ok"
    if code.startswith("0"):
        r = repair_lgcode(code[1:])
        assert r.status in ("fixed", "error")          # "error" only when the 5 digits are ambiguous
        if r.status == "fixed":
            assert r.code == code
        else:
            assert "自動では直せません" in r.message


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=10))
def test_any_text_is_answered_never_raised(text):
    r = repair_lgcode(text)
    assert r.status in ("ok", "fixed", "error", "blank")
    assert (r.code is None) == (r.status in ("error", "blank"))
    if r.code is not None:
        assert is_valid(r.code)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_check_digit_is_one_digit(code5):
    assert check_digit(code5) in "0123456789"
