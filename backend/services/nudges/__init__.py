"""Nudges: rules, the set-based scan, delivery manners, messages, hot signals and reminders."""

from backend.services.nudges import staleness as _staleness  # noqa: E402,F401  (registers the outbox check)
from backend.services.nudges import cards as _cards  # noqa: E402,F401  (registers the card renderer)
