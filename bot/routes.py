"""WeChat Work and Official Account callbacks (the chat assistant's entry points)."""

from __future__ import annotations

ROUTES: list = []
