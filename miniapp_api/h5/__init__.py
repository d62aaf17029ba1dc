"""The H5 card page (``GET /c/{code}``): server-rendered Jinja2 templates, no front-end framework.

One HTML response with inline CSS and JS (no further requests but the avatar), mobile-first,
``lang="zh-CN"`` with a Chinese font stack, Open Graph tags for link previews.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)
