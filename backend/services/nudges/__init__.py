"""Nudges: rules, the set-based scan, delivery manners, messages, hot signals and reminders."""
