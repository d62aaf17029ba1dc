"""Shared msgspec configuration: every boundary record derives from one of these bases."""

from __future__ import annotations

import msgspec


class Base(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A record crossing a boundary (API body, event, setting). Unknown fields are refused."""


class Row(msgspec.Struct, kw_only=True):
    """A record read from the database and returned as-is (unknown keys cannot occur)."""
