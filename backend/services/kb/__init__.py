"""Knowledge retrieval: a tenant's selling points and competitor notes, searched by meaning and by term.

The contract other areas use::

    from backend.services.kb import search, model_is_warm, warm_up, format_passages

    passages = await search(conn, tenant_id, "储能柜比宁能的好在哪", k=3)   # [] when nothing passes the floor
    reply = format_passages(passages, lang="zh")                           # fits one WeChat message
    reply = quote_answer("储能柜比宁能的好在哪", passages, lang="zh")      # the answering sentence(s) + source

``search`` loads the embedding models on first use (in a thread, about a second for the default
pair; more for a sentence-transformers model); ``model_is_warm()`` says whether that has happened
in this process, and ``await warm_up()`` does it ahead of time.
"""

from __future__ import annotations

import asyncio

from backend.services.kb import crosslingual as _crosslingual, embedder as _embedder, subject as _subject
from backend.services.kb.answers import format_passages, quote_answer
from backend.services.kb.search import search


def model_is_warm() -> bool:
    """Is the configured embedding model loaded in this process (a search will not wait for it)."""
    return _embedder.is_loaded()


async def warm_up() -> None:
    """Load the configured embedding model, the query-translation dictionary and the segmenter's
    dictionary with its tags (the floor's subject check) now, in threads (idempotent)."""
    await asyncio.gather(_embedder.aget_models(), asyncio.to_thread(_crosslingual.warm_up),
                         asyncio.to_thread(_subject.warm_up))


__all__ = ["search", "model_is_warm", "warm_up", "format_passages", "quote_answer"]
