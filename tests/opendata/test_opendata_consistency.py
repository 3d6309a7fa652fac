"""Issue 16 (items 3 and 5): parts against totals (SUM-01), IDs per 地方公共団体コード, coordinates keep
their text, L3-09 for any wide layout, the detected-dataset note (STD-00). Every file is built here in tmp_path."""
import csv
import io

import pytest

from chiiki_iot.opendata import check_readability, check_standard, practice
from chiiki_iot.opendata.readability import _wide_groups

UTSUNOMIYA, ASHIKAGA = "092011", "092029"          # 栃木県宇都宮市, 栃木県足利市 (real codes with check digits)


def _write(tmp_path, header, rows, name="t.csv", encoding="utf-8"):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def _population(tmp_path, change=None, drop=()):
    """The practice population table (its parts add up), with ``change`` = {(row, column): value} applied."""
    header, rows = practice._read_clean("population_clean")
    rows = [list(r) for r in rows]
    for (i, col), v in (change or {}).items():
        rows[i][header.index(col)] = v
    keep = [k for k, c in enumerate(header) if c not in drop]
    return _write(tmp_path, [header[k] for k in keep], [[r[k] for k in keep] for r in rows])


def _cell(tmp_path, col, row=0):
    header, rows = practice._read_clean("population_clean")
    return int(rows[row][header.index(col)])


# -- SUM-01: population by sex ---------------------------------------------------------------------------

def test_consistent_population_has_no_sum_finding(tmp_path):
    checked = check_standard(_population(tmp_path))
    assert checked.report.filter(rule="SUM-01").issues == [] and checked.ok


def test_male_plus_female_not_total_is_an_error_with_both_values(tmp_path):
    total = _cell(tmp_path, "総人口", 2)
    male, female = _cell(tmp_path, "男性", 2), _cell(tmp_path, "女性", 2)
    checked = check_standard(_population(tmp_path, {(2, "総人口"): str(total + 7)}))
    assert not checked.ok
    [issue] = checked.report.filter(rule="SUM-01").issues
    assert (issue.row, issue.file_row, issue.column, issue.severity) == (2, 4, "総人口", "error")
    assert issue.value == str(total + 7)
    assert "「男性」＋「女性」" in issue.message
    assert f"{male + female:,}" in issue.message and f"{total + 7:,}" in issue.message and "差 -7" in issue.message
    assert "確かめて直してください" in issue.message


def test_suppressed_part_is_checked_as_at_most_the_total(tmp_path):
    # 男性 written as the 秘匿 mark X: 女性 alone is below 総人口 — fine
    ok = check_standard(_population(tmp_path, {(1, "男性"): "X"}))
    assert ok.report.filter(rule="SUM-01").issues == []
    assert ok.report.filter(rule="L3-03", row=1)                    # the mark itself is still reported
    # the same mark, but 女性 alone already exceeds 総人口: wrong whatever X stands for
    total = _cell(tmp_path, "総人口", 1)
    bad = check_standard(_population(tmp_path, {(1, "男性"): "X", (1, "女性"): str(total + 5)}))
    [issue] = bad.report.filter(rule="SUM-01", column="総人口").issues
    assert issue.row == 1 and "「男性」の「X」" in issue.message and "超えています" in issue.message
    assert f"{total + 5:,}" in issue.message and f"{total:,}" in issue.message


@pytest.mark.parametrize("mark", ["-", "*", "…", ""])
def test_other_suppression_marks_and_blanks(tmp_path, mark):
    checked = check_standard(_population(tmp_path, {(0, "女性"): mark}))
    assert checked.report.filter(rule="SUM-01", row=0, column="総人口").issues == []


def test_unknown_total_is_not_checked(tmp_path):
    checked = check_standard(_population(tmp_path, {(0, "総人口"): "X"}))
    assert checked.report.filter(rule="SUM-01", column="総人口").issues == []


def test_households_are_not_a_part_of_the_population(tmp_path):
    checked = check_standard(_population(tmp_path, {(0, "世帯数"): "99999"}))
    assert checked.report.filter(rule="SUM-01").issues == []


# -- SUM-01: age groups -----------------------------------------------------------------------------------

def test_age_groups_not_adding_up_to_the_sex_total(tmp_path):
    v = _cell(tmp_path, "5-9歳の女性", 3)
    checked = check_standard(_population(tmp_path, {(3, "5-9歳の女性"): str(v + 100)}))
    [issue] = checked.report.filter(rule="SUM-01").issues
    assert (issue.row, issue.column, issue.severity) == (3, "女性", "error")
    assert "「0-4歳の女性」〜「年齢不詳の女性」（22列）" in issue.message and "差 +100" in issue.message
    assert not checked.ok


def test_age_groups_against_the_total_when_there_are_no_sex_totals(tmp_path):
    v = _cell(tmp_path, "0-4歳の男性", 0)
    checked = check_standard(_population(tmp_path, {(0, "0-4歳の男性"): str(v + 3)}, drop=("男性", "女性")))
    [issue] = checked.report.filter(rule="SUM-01").issues
    assert (issue.row, issue.column) == (0, "総人口") and "（44列）" in issue.message


def test_incomplete_age_groups_are_not_summed(tmp_path):
    v = _cell(tmp_path, "5-9歳の女性", 0)
    path = _population(tmp_path, {(0, "5-9歳の女性"): str(v + 100)}, drop=("10-14歳の男性", "10-14歳の女性"))
    checked = check_standard(path)
    found = checked.report.filter(rule="SUM-01")
    assert {i.severity for i in found} == {"info"} and checked.ok
    assert "10歳から14歳の列がありません" in found.issues[0].message


def test_without_age_unknown_a_smaller_sum_is_a_warning(tmp_path):
    path = _population(tmp_path, drop=("年齢不詳の男性", "年齢不詳の女性"))    # practice rows have 年齢不詳 > 0
    checked = check_standard(path)
    found = checked.report.filter(rule="SUM-01")
    assert found.issues and {i.severity for i in found} == {"warning"}
    assert "年齢不詳" in found.issues[0].message


def test_check_readability_reports_the_same_rule(tmp_path):
    total = _cell(tmp_path, "総人口", 0)
    r = check_readability(_population(tmp_path, {(0, "総人口"): f"{total + 1:,}"}))
    [issue] = r.filter(rule="SUM-01").issues
    assert (issue.row, issue.file_row, issue.column) == (0, 2, "総人口") and issue.value == f"{total + 1:,}"


# -- SUM-01: 公衆トイレ ------------------------------------------------------------------------------------

TOILET = ["全国地方公共団体コード", "ID", "地方公共団体名", "名称", "男性トイレ総数", "男性トイレ数（小便器）", "男性トイレ数（和式）",
          "男性トイレ数（洋式）", "女性トイレ総数", "女性トイレ数（和式）", "女性トイレ数（洋式）"]


def test_toilet_parts_against_totals(tmp_path):
    rows = [[UTSUNOMIYA, "1", "栃木県宇都宮市", "駅前", "6", "2", "2", "2", "4", "2", "2"],
            [UTSUNOMIYA, "2", "栃木県宇都宮市", "公園", "5", "2", "2", "2", "3", "", ""],     # 6 ≠ 5; 女性: parts blank
            [UTSUNOMIYA, "3", "栃木県宇都宮市", "広場", "4", "2", "2", "", "1", "1", "1"]]    # 4 ≤ 4 ok; 2 ≠ 1
    checked = check_standard(_write(tmp_path, TOILET, rows), "公衆トイレ一覧")
    found = {(i.row, i.column) for i in checked.report.filter(rule="SUM-01")}
    assert found == {(1, "男性トイレ総数"), (2, "女性トイレ総数")}
    assert checked.report.filter(rule="STD-06").issues == []        # the part columns are in the definition


# -- STD-05 per 地方公共団体コード -----------------------------------------------------------------------------

AED = ["全国地方公共団体コード", "ID", "地方公共団体名", "名称", "町字ID"]


def test_each_town_may_number_from_one(tmp_path):
    rows = [[UTSUNOMIYA, "1", "栃木県宇都宮市", "市役所", "0001-001"], [UTSUNOMIYA, "2", "栃木県宇都宮市", "駅", "0001-001"],
            [ASHIKAGA, "1", "栃木県足利市", "市役所", "0001-001"], [ASHIKAGA, "2", "栃木県足利市", "駅", "0002-001"]]
    checked = check_standard(_write(tmp_path, AED, rows), "AED")
    assert checked.report.filter(rule="STD-05").issues == [] and checked.ok     # 町字ID is shared by design


def test_duplicate_within_one_code_names_the_other_row(tmp_path):
    rows = [[UTSUNOMIYA, "1", "栃木県宇都宮市", "市役所", ""], [ASHIKAGA, "1", "栃木県足利市", "市役所", ""],
            [UTSUNOMIYA, "1", "栃木県宇都宮市", "駅", ""]]
    checked = check_standard(_write(tmp_path, AED, rows), "AED")
    found = checked.report.filter(rule="STD-05")
    assert [(i.row, i.column, i.value) for i in found] == [(0, "ID", "1"), (2, "ID", "1")]
    assert "4行目" in found.issues[0].message and UTSUNOMIYA in found.issues[0].message
    assert "2行目" in found.issues[1].message


def test_without_a_code_column_ids_are_unique_in_the_file(tmp_path):
    header = ["ID", "地方公共団体名", "名称", "設置位置"]
    rows = [["1", "栃木県宇都宮市", "市役所", "1階"], ["1", "栃木県足利市", "市役所", "1階"]]
    checked = check_standard(_write(tmp_path, header, rows), "AED")
    assert [i.row for i in checked.report.filter(rule="STD-05")] == [0, 1]


# -- coordinates keep their text ---------------------------------------------------------------------------

def test_coordinate_with_trailing_zero_keeps_its_text(tmp_path):
    header = AED[:4] + ["緯度", "経度"]
    rows = [[UTSUNOMIYA, "1", "栃木県宇都宮市", "市役所", "36.555", "139.90"],
            [UTSUNOMIYA, "2", "栃木県宇都宮市", "駅", "36.56", "139.8982"]]
    df = check_standard(_write(tmp_path, header, rows), "AED").df
    assert df.at[0, "経度"] == pytest.approx(139.9) and df.at[0, "経度_raw"] == "139.90"
    assert df.at[1, "経度_raw"] == "139.8982"
    assert "緯度_raw" not in df.columns                              # nothing to keep: every text is the number
    assert list(df.columns).index("経度_raw") == list(df.columns).index("経度") + 1


def test_integer_with_leading_zero_keeps_its_text(tmp_path):
    header = ["全国地方公共団体コード", "地方公共団体名", "調査年月日", "地域名", "総人口", "男性", "女性"]
    rows = [[UTSUNOMIYA, "栃木県宇都宮市", "2023-04-01", "本町", "0300", "140", "160"]]
    df = check_standard(_write(tmp_path, header, rows), "地域・年齢別人口").df
    assert df.at[0, "総人口"] == 300 and df.at[0, "総人口_raw"] == "0300" and "男性_raw" not in df.columns


# -- L3-09 for any wide layout --------------------------------------------------------------------------------

@pytest.mark.parametrize("columns", [
    ["地域", "0-64歳", "65歳以上"],
    ["地域", "15歳未満", "15～64歳", "65歳以上"],
    ["地域", "2022年", "2023年"],
    ["施設", "令和4年度", "令和5年度"],
    ["施設", "4月", "5月"],
    ["施設", "2023年4月", "2023年5月"],
    ["地域", "0-4歳の男性", "0-4歳の女性", "5-9歳の男性", "5-9歳の女性"],
], ids=["two_age_groups", "three_age_groups", "two_years", "fiscal_years", "months", "year_months", "age_x_sex"])
def test_wide_layouts_are_flagged(tmp_path, columns):
    rows = [[f"v{k}" if k == 0 else str(10 + k) for k in range(len(columns))],
            [f"w{k}" if k == 0 else str(20 + k) for k in range(len(columns))]]
    r = check_readability(_write(tmp_path, columns, rows))
    [issue] = r.filter(rule="L3-09").issues
    assert issue.column == columns[1] and f"{len(columns) - 1}個の列" in issue.message


@pytest.mark.parametrize("columns", [
    ["全国地方公共団体コード", "地域名", "総人口", "男性", "女性", "世帯数"],           # the standard's own sex columns
    ["名称", "男性トイレ総数", "女性トイレ総数", "男女共用トイレ総数", "男性トイレ数（和式）", "女性トイレ数（和式）"],
    ["名称", "開始日", "終了日", "開始時間", "終了時間", "電話番号1", "電話番号2", "対象年齢", "調査年月日", "定員"],
    ["地域", "65歳以上人口", "高齢化率"],
    ["地域", "65歳以上の男性", "65歳以上の女性"],                                     # one age group, two sexes
    ["名称", "面積(m2)", "延床面積(m2)"],
], ids=["population_sexes", "toilets", "ordinary", "one_age_group", "sexes_of_one_group", "units"])
def test_ordinary_tables_are_not_flagged(columns):
    assert _wide_groups(columns) == []


def test_standard_datasets_are_not_wide_except_by_age():
    from chiiki_iot.opendata import datasets

    assert all(_wide_groups(d.columns) == [] for d in datasets())
    assert check_readability(practice.path("aed_clean")).filter(rule="L3-09").issues == []


# -- STD-00: which dataset was detected ---------------------------------------------------------------------

def test_detected_dataset_note_has_its_own_rule(tmp_path):
    checked = check_standard(practice.path("aed_clean"))
    [note] = checked.report.filter(rule="STD-00").issues
    assert note.severity == "info" and "AED設置箇所一覧" in note.message
    assert checked.report.filter(rule="STD-01").issues == []          # STD-01 now means a missing required column only


def test_undetectable_dataset_is_std00_error(tmp_path):
    checked = check_standard(_write(tmp_path, ["あ", "い"], [["1", "2"]]))
    assert "STD-00" in checked.report.rules()
    assert not checked.ok and checked.report.filter(rule="STD-01").issues == []
