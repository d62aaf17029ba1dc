"""The mini-program API (``/miniapp/v1/``) and the H5 card page."""

from __future__ import annotations

ROUTES: list = []
