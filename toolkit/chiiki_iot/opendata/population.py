"""地域・年齢別人口: wide (横持ち) age columns → long (縦持ち), and a population pyramid.

>>> import pandas as pd
>>> wide = pd.DataFrame({"地域名": ["本町"], "0-4歳の男性": [10], "0-4歳の女性": [12], "100歳以上の女性": [1]})
>>> population_to_long(wide)[["地域名", "年齢階級", "年齢下限", "性別", "人口"]].values.tolist()
[['本町', '0-4歳', 0, '男性', 10], ['本町', '0-4歳', 0, '女性', 12], ['本町', '100歳以上', 100, '女性', 1]]
"""
from __future__ import annotations

import re

import pandas as pd

AGE_COLUMN = re.compile(r"^(?P<age>(?P<lo>\d+)-\d+歳|(?P<lo2>\d+)歳以上|年齢不詳)の(?P<sex>男性|女性)$")


def population_to_long(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (row of ``df``, age group, sex): columns 年齢階級, 年齢下限 (NA for 年齢不詳), 性別, 人口.

    Every column that is not an age column is kept as an identifier; rows keep their order.
    """
    age_cols = [c for c in df.columns if AGE_COLUMN.match(str(c))]
    if not age_cols:
        raise ValueError("「0-4歳の男性」のような年齢別の列が見つかりません。地域・年齢別人口のデータか確かめてください。")
    ids = [c for c in df.columns if c not in age_cols and not str(c).endswith("_raw")]
    work = df.reset_index(names="_row")
    long = work.melt(id_vars=["_row"] + ids, value_vars=age_cols, var_name="_col", value_name="人口")
    parts = long["_col"].str.extract(AGE_COLUMN)
    long["年齢階級"] = parts["age"]
    long["年齢下限"] = pd.to_numeric(parts["lo"].fillna(parts["lo2"])).astype("Int64")
    long["性別"] = parts["sex"]
    long["人口"] = pd.to_numeric(long["人口"], errors="coerce").astype("Int64")
    order = {c: i for i, c in enumerate(age_cols)}
    long["_order"] = long["_col"].map(order)
    long = long.sort_values(["_row", "_order"], kind="stable").drop(columns=["_row", "_col", "_order"])
    return long.reset_index(drop=True)[ids + ["年齢階級", "年齢下限", "性別", "人口"]]


def plot_pyramid(long: pd.DataFrame, ax=None, title: str = "人口ピラミッド"):
    """Draw a population pyramid from :func:`population_to_long` output (all rows summed); returns the Axes.

    年齢不詳 is left out of the picture (its total is written in the title).
    """
    import matplotlib.pyplot as plt

    try:
        import matplotlib_fontja  # noqa: F401  (Japanese labels)
    except ImportError:  # pragma: no cover
        pass
    known = long[long["年齢下限"].notna()]
    table = known.pivot_table(index=["年齢下限", "年齢階級"], columns="性別", values="人口", aggfunc="sum").sort_index()
    unknown = int(long.loc[long["年齢下限"].isna(), "人口"].sum())
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    labels = [a for _, a in table.index]
    ax.barh(labels, -table.get("男性", 0), color="#4a7ebb", label="男性")
    ax.barh(labels, table.get("女性", 0), color="#d9534f", label="女性")
    ax.set_xlabel("人口（人）")
    ticks = ax.get_xticks()
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{abs(int(t)):,}" for t in ticks])
    ax.legend()
    ax.set_title(f"{title}（年齢不詳 {unknown}人を除く）" if unknown else title)
    return ax
