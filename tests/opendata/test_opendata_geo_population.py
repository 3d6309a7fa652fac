"""Sensor readings ↔ sites, and the population pyramid data."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from chiiki_iot.opendata import (check_standard, haversine_km, nearest, plot_points, plot_pyramid, population_to_long,
                                 practice)


def test_haversine_symmetry_and_zero():
    assert haversine_km(36.5, 139.9, 36.5, 139.9) == 0
    assert np.isclose(haversine_km(36.5, 139.9, 36.6, 140.0), haversine_km(36.6, 140.0, 36.5, 139.9))
    assert np.isclose(haversine_km(0, 0, 1, 0), 111.19, atol=0.01)


def test_readings_near_evacuation_sites_keep_every_row():
    sites = check_standard(practice.path("evacuation_clean")).df
    readings = pd.DataFrame({"time": ["10:00", "10:01", "10:02"], "lat": [36.5001, None, 40.0], "lon": [139.9001, 139.9, 140.0],
                             "temp": [21.5, 21.6, 21.7]})
    out = nearest(readings, sites, lat="lat", lon="lon", max_km=5)
    assert len(out) == 3
    assert out.loc[0, "最寄り_名称"] == "架空市役所" and out.loc[0, "最寄り_距離_km"] < 0.05
    assert pd.isna(out.loc[1, "最寄り_名称"]) and np.isnan(out.loc[2, "最寄り_距離_km"])


def test_population_long_sums_to_total():
    wide = check_standard(practice.path("population_clean")).df
    long = population_to_long(wide)
    assert len(long) == len(wide) * 44
    totals = long.groupby("地域名", sort=False)["人口"].sum()
    assert totals.tolist() == wide["総人口"].tolist()
    assert set(long["性別"]) == {"男性", "女性"} and long["年齢下限"].isna().sum() == len(wide) * 2


def test_plots_run_offline():
    ax = plot_pyramid(population_to_long(check_standard(practice.path("population_clean")).df))
    assert len(ax.patches) == 42
    ax = plot_points(check_standard(practice.path("evacuation_clean")).df, label="名称")
    assert ax.get_xlabel() == "経度"
