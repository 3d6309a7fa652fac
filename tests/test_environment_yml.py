"""environment.yml (conda / JupyterHub) lists exactly pyproject.toml's packages."""
from __future__ import annotations

import tomllib

import yaml
from packaging.requirements import Requirement

from conftest import REPO


def normalised(specs):
    out = set()
    for s in specs:
        r = Requirement(s)
        out.add((r.name.lower().replace("_", "-"), str(r.specifier), str(r.marker or "")))
    return out


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = [p for p in pip if not p.startswith("-e")]
    assert normalised(listed) == normalised(wanted), (
        f"only in environment.yml: {normalised(listed) - normalised(wanted)}; "
        f"only in pyproject.toml: {normalised(wanted) - normalised(listed)}")
    assert "-e ." in pip, "environment.yml must install the toolkit itself"
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert ">=3.11" in python
