"""地域IoTアカデミー toolkit: the code behind the curriculum's notebooks.

Subpackages:
    kit        one Board API over real micro:bit / ESP32 boards and the virtual kit
    logic      logic trees and MECE checks
    kpi        indicators, logic models, achievement, cost-effectiveness, plan export
    opendata   Japanese CSV reading, normalisation, wareki, 地方公共団体コード, schemas
    checks     self-checks used inside notebooks (Japanese feedback)
    curriculum notebook rules, the curriculum map, the nbgrader course builder
    jst        Japan Standard Time, the toolkit's one time zone (the bottom layer)

The layers (which package may import which) are the import contracts in pyproject.toml.
"""

__version__ = "0.1.0"
