"""Host-side helpers for the sensor labs: turning what a board measured into decisions.

Each module serves one kind of question a lab asks (alerts, heat stress, activity, events,
radio budgets, water quality); the board itself is reached through ``chiiki_iot.kit``.
"""
