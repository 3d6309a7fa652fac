"""Capacitive soil moisture sensor: the analog reading falls as the soil gets wetter."""


def percent(raw, dry, wet):
    """0 % at the ``dry`` reading, 100 % at the ``wet`` reading, clipped to 0..100."""
    p = (dry - raw) * 100 / (dry - wet)
    return round(0 if p < 0 else 100 if p > 100 else p, 1)
