"""Indicators, logic models, progress, cost-effectiveness and the plan (KPI・ロジックモデル・費用対効果・計画).

>>> from chiiki_iot.kpi import Indicator, CostModel, Plan
>>> damage = Indicator(name="農作物被害額", unit="千円", baseline=28961, baseline_year=2017,
...                    target=26064, target_year=2022, direction="低いほど良い")
>>> round(damage.achievement(27000), 3)
0.677
"""
from .audit import AuditFinding, AuditReport, audit
from .cost import CostModel, npv, running_cost
from .errors import KPIError
from .indicator import (
    ACCUMULATIONS,
    DIRECTIONS,
    STAGES,
    Indicator,
    casebook_indicators,
    from_frame,
    to_frame,
)
from .logic_model import LogicModel
from .plan import CHAPTERS, STAGES as PLAN_STAGES, Plan, barrier_index
from .progress import (
    achievement_rate,
    cagr,
    planned_path,
    planned_value,
    plot_progress,
    progress_table,
    status,
)
from .template import PlanTemplateError, load_plan, read_template, write_template

__all__ = [
    "ACCUMULATIONS",
    "CHAPTERS",
    "DIRECTIONS",
    "PLAN_STAGES",
    "STAGES",
    "AuditFinding",
    "AuditReport",
    "CostModel",
    "Indicator",
    "KPIError",
    "LogicModel",
    "Plan",
    "PlanTemplateError",
    "achievement_rate",
    "audit",
    "barrier_index",
    "cagr",
    "casebook_indicators",
    "from_frame",
    "load_plan",
    "npv",
    "planned_path",
    "planned_value",
    "plot_progress",
    "progress_table",
    "read_template",
    "running_cost",
    "status",
    "to_frame",
    "write_template",
]
