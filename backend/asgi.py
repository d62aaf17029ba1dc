"""The app factory: everything is registered by ``backend.core.TuokePlugin``."""

from __future__ import annotations

from litestar import Litestar

from backend.core import TuokePlugin


def create_app() -> Litestar:
    return Litestar(plugins=[TuokePlugin()])
