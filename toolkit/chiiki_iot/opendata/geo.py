"""Distances and offline maps from 緯度/経度, e.g. sensor readings near evacuation sites.

>>> round(float(haversine_km(35.681236, 139.767125, 34.702485, 135.495951)), 1)   # 東京駅–大阪駅
403.1
>>> import pandas as pd
>>> readings = pd.DataFrame({"lat": [36.5001], "lon": [139.9001], "temp": [21.5]})
>>> sites = pd.DataFrame({"名称": ["A", "B"], "緯度": [36.5, 36.6], "経度": [139.9, 139.9]})
>>> nearest(readings, sites, lat="lat", lon="lon")[["最寄り_名称", "最寄り_距離_km"]].round(3).values.tolist()
[['A', 0.014]]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (arrays broadcast)."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def nearest(points: pd.DataFrame, sites: pd.DataFrame, *, lat: str = "緯度", lon: str = "経度",
            site_lat: str = "緯度", site_lon: str = "経度", name: str = "名称",
            max_km: float | None = None) -> pd.DataFrame:
    """Add to each row of ``points`` its nearest site: columns ``最寄り_<name>`` and ``最寄り_距離_km``.

    Rows without coordinates, or farther than ``max_km``, get missing values; no row is dropped.
    Sites without coordinates are ignored.
    """
    s = sites[[name, site_lat, site_lon]].copy()
    s[site_lat] = pd.to_numeric(s[site_lat], errors="coerce")
    s[site_lon] = pd.to_numeric(s[site_lon], errors="coerce")
    s = s.dropna(subset=[site_lat, site_lon])
    out = points.copy()
    plat = pd.to_numeric(out[lat], errors="coerce").to_numpy(float)
    plon = pd.to_numeric(out[lon], errors="coerce").to_numpy(float)
    names = np.full(len(out), None, dtype=object)
    dist = np.full(len(out), np.nan)
    if len(s):
        slat, slon = s[site_lat].to_numpy(float), s[site_lon].to_numpy(float)
        for start in range(0, len(out), 2000):          # chunks keep memory small for long sensor logs
            sl = slice(start, start + 2000)
            d = haversine_km(plat[sl, None], plon[sl, None], slat[None, :], slon[None, :])
            ok = ~np.isnan(d).all(axis=1)
            idx = np.zeros(d.shape[0], dtype=int)
            idx[ok] = np.nanargmin(d[ok], axis=1)
            best = d[np.arange(d.shape[0]), idx]
            best[~ok] = np.nan
            if max_km is not None:
                best[best > max_km] = np.nan
            chunk_names = s[name].to_numpy(object)[idx]
            chunk_names[np.isnan(best)] = None
            names[sl], dist[sl] = chunk_names, best
    out[f"最寄り_{name}"] = names
    out["最寄り_距離_km"] = dist
    return out


def plot_points(df: pd.DataFrame, *, lat: str = "緯度", lon: str = "経度", label: str | None = None, ax=None, **kwargs):
    """Scatter points on an offline map frame (no tiles, no network), with the right aspect ratio; returns the Axes."""
    import matplotlib.pyplot as plt

    try:
        import matplotlib_fontja  # noqa: F401
    except ImportError:  # pragma: no cover
        pass
    y = pd.to_numeric(df[lat], errors="coerce")
    x = pd.to_numeric(df[lon], errors="coerce")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 6))
    ax.scatter(x, y, **kwargs)
    if label:
        for xi, yi, text in zip(x, y, df[label]):
            if pd.notna(xi) and pd.notna(yi):
                ax.annotate(str(text), (xi, yi), fontsize=8, xytext=(3, 3), textcoords="offset points")
    mid = float(np.nanmean(y)) if y.notna().any() else 35.0
    ax.set_aspect(1 / np.cos(np.radians(mid)))
    ax.set_xlabel("経度")
    ax.set_ylabel("緯度")
    ax.grid(True, alpha=0.3)
    return ax
