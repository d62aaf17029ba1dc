"""Knowledge base: documents (selling points, competitor notes, other), and the passages search returns."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from schemas.base import Base

KbKind = Literal["selling_point", "competitor", "other"]
KINDS: tuple[str, ...] = ("selling_point", "competitor", "other")
DocKey = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\s/\\]+$",
                             description="the document's stable id (file stem, or stem:row for CSV)")]
Title = Annotated[str, Meta(min_length=1, max_length=200)]
Subject = Annotated[str, Meta(min_length=1, max_length=100)]
Body = Annotated[str, Meta(min_length=1, max_length=200_000)]
Query = Annotated[str, Meta(min_length=1, max_length=500)]


class DocumentIn(Base, kw_only=True):
    """One document to ingest (the admin API's JSON form; files are parsed into the same shape)."""

    doc_id: DocKey
    title: Title
    kind: KbKind = "other"
    product: Subject | None = None
    competitor: Subject | None = None
    source: Annotated[str, Meta(min_length=1, max_length=300)]
    body: Body


class Document(msgspec.Struct, kw_only=True):
    doc_id: str
    title: str
    kind: str
    product: str | None
    competitor: str | None
    source: str
    version: int
    chunks: int
    content_hash: str
    created_at: dt.datetime
    updated_at: dt.datetime
    # Chunks still waiting for a vector from an expensive model (the worker's kb.embed job fills them;
    # the document is searchable meanwhile, by its terms and the cheap model), and what that means.
    awaiting_vectors: int = 0
    status: Literal["ready", "embedding"] = "ready"


class IngestResult(msgspec.Struct, kw_only=True):
    """What one ingest did to one document: created, updated (chunks replaced) or unchanged."""

    doc_id: str
    source: str
    status: Literal["created", "updated", "unchanged", "failed"]
    chunks: int = 0
    version: int = 0
    detail: str | None = None


class Passage(msgspec.Struct, kw_only=True):
    """A passage that answers a question, best first. ``score`` is the fused score in (0, 1]."""

    doc_id: str
    title: str
    kind: str
    product: str | None
    competitor: str | None
    source: str
    text: str
    score: float


Phrase = Annotated[str, Meta(min_length=1, max_length=50, pattern=r"\S",
                             description="what reps say, e.g. 能跑多远 (matched anywhere in a question)")]
LexiconTerm = Annotated[str, Meta(min_length=1, max_length=50, pattern=r"\S")]


class LexiconEntryIn(Base, kw_only=True):
    """The document terms a colloquial phrase stands for (能跑多远 → 续航, 续航里程). An empty list
    switches a built-in phrase off for this tenant."""

    terms: Annotated[list[LexiconTerm], Meta(max_length=20)]


class LexiconEntry(msgspec.Struct, kw_only=True):
    phrase: str
    terms: list[str]
    source: Literal["built-in", "tenant"]
    updated_at: dt.datetime | None = None
