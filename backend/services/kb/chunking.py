"""Chunking that respects headings and paragraphs, with chunks short enough to quote in a chat reply.

Paragraphs under one heading are packed together up to ``max_chars``; a paragraph longer than
that is cut at sentence ends (。！？; . ! ?), and a sentence longer than that at commas, then
hard. A heading never ends up in the middle of a chunk: each chunk records the heading path it
sits under ("安装 > 高海拔"), which goes into what is embedded along with the document title.
"""

from __future__ import annotations

import re

import msgspec

CHUNKER_VERSION = "c1-300-t2"  # part of each document's content hash: changing the chunker (or the lexical terms, t2) re-chunks
MAX_CHARS = 300

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])(?=\s)")
_CLAUSE_END = re.compile(r"(?<=[，、：])|(?<=[,:])(?=\s)")


class Chunk(msgspec.Struct, frozen=True):
    position: int
    heading: str
    text: str


def _blocks(body: str) -> list[tuple[str, str]]:
    """(heading path, paragraph) pairs in order; list items and table rows stay in their paragraph."""
    path: list[tuple[int, str]] = []
    out: list[tuple[str, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            text = "\n".join(para).strip()
            if text:
                out.append((" > ".join(t for _, t in path), text))
            para.clear()

    for raw in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        match = _HEADING.match(line.strip())
        if match:
            flush()
            level = len(match[1])
            path = [(lv, t) for lv, t in path if lv < level] + [(level, match[2].strip())]
            continue
        if not line.strip():
            flush()
            continue
        para.append(line.strip())
    flush()
    return out


def _split_long(text: str, limit: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters at the best boundaries available."""
    if len(text) <= limit:
        return [text]
    for splitter in (_SENTENCE_END, _CLAUSE_END):
        pieces = [p for p in splitter.split(text) if p and p.strip()]
        if len(pieces) > 1:
            return _pack(pieces, limit, joiner="")
    return [text[i:i + limit] for i in range(0, len(text), limit)]


def _pack(pieces: list[str], limit: int, joiner: str) -> list[str]:
    out: list[str] = []
    current = ""
    for piece in pieces:
        for part in (_split_long(piece.strip() if joiner else piece, limit) if len(piece) > limit else [piece]):
            candidate = f"{current}{joiner}{part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                if current.strip():
                    out.append(current.strip())
                current = part
    if current.strip():
        out.append(current.strip())
    return out


def chunk(body: str, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """The chunks of a Markdown or plain-text body, in order."""
    chunks: list[Chunk] = []
    groups: list[tuple[str, list[str]]] = []
    for heading, paragraph in _blocks(body):
        if groups and groups[-1][0] == heading:
            groups[-1][1].append(paragraph)
        else:
            groups.append((heading, [paragraph]))
    for heading, paragraphs in groups:
        for text in _pack(paragraphs, max_chars, joiner="\n\n"):
            chunks.append(Chunk(position=len(chunks), heading=heading, text=text))
    return chunks
