"""Errors a learner sees: Japanese, saying what to do next."""


class KPIError(ValueError):
    """An indicator, a cost model or a plan got input it cannot use (the message says how to fix it)."""

    learner_message_only = True  # a notebook shows the message alone (checks.python_errors)
