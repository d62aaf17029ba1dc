"""Worker job of the knowledge base: the expensive models' chunk vectors, made after the upload.

``kb.embed`` claims waiting chunks with a lease (``backend.services.kb.background``): several
workers share the work and none encodes a chunk another holds; a stopping worker gives its claim
back. When nothing waits, a pass is one indexed read and loads no model.
"""

from __future__ import annotations

import asyncpg

from backend.jobs.registry import Job
from backend.services.kb import background


async def run_embed(pool: asyncpg.Pool) -> object:
    return await background.embed_pass(pool)


JOBS: list[Job] = [
    Job("kb.embed", run_embed, 2.0),
]
