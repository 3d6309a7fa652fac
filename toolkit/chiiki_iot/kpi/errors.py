"""Errors a learner sees: Japanese, saying what to do next."""


class KPIError(ValueError):
    """An indicator, a cost model or a plan got input it cannot use (the message says how to fix it)."""
