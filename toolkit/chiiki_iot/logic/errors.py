"""Errors a learner sees: Japanese, saying what to do next."""


class TreeError(ValueError):
    """A logic tree could not be built or read (the message says which line or node, and how to fix it)."""

    learner_message_only = True  # a notebook shows the message alone (checks.python_errors)
