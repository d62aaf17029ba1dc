"""``tuoke aibot``: the AI bot's long connection (placeholder, filled in below)."""

import click


@click.group()
def aibot() -> None:
    """WeChat Work AI bot (智能机器人)."""
