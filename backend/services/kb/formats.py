"""Files → documents: Markdown, plain text, CSV (one row a document), Word (.docx) and PDF.

Markdown and text may start with a ``# title`` line and ``key: value`` lines (kind, product,
competitor, title, source) before the first blank line — the dataset's format. Word uses
python-docx (heading styles become Markdown headings), PDF uses pypdf (text per page). A CSV
needs a header row with ``title`` and ``body`` (or ``content`` / ``text``), and may carry
``id``, ``kind``, ``product``, ``competitor``, ``source`` columns.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path, PurePath

import msgspec

from backend.errors import Invalid
from schemas.kb import KINDS, DocumentIn

SUFFIXES = (".md", ".markdown", ".txt", ".csv", ".docx", ".pdf")
_META = re.compile(r"^(kind|product|competitor|title|source)\s*[:：]\s*(.*)$", re.IGNORECASE)
_KIND_ALIASES = {
    "selling_point": "selling_point", "selling point": "selling_point", "sellingpoint": "selling_point",
    "卖点": "selling_point", "产品": "selling_point", "competitor": "competitor", "竞品": "competitor",
    "竞争对手": "competitor", "other": "other", "其他": "other", "其它": "other",
}


def _kind(value: str | None, default: str) -> str:
    if not value:
        return default
    kind = _KIND_ALIASES.get(value.strip().lower())
    if kind is None:
        raise Invalid(f"unknown kind {value!r}; kinds are {', '.join(KINDS)}", field="kind")
    return kind


def _key(name: str) -> str:
    """A document key from a file name: its stem with whitespace and slashes made safe."""
    stem = PurePath(name).stem or "document"
    return re.sub(r"[\s/\\]+", "_", stem.strip())[:200]


def _document(*, doc_id: str, title: str, kind: str, product: str | None, competitor: str | None,
              source: str, body: str) -> DocumentIn:
    body = body.strip()
    if not body:
        raise Invalid(f"{source}: the document has no text", field="body")
    try:
        return msgspec.convert(
            {"doc_id": doc_id, "title": (title.strip() or doc_id)[:200], "kind": kind,
             "product": (product or "").strip()[:100] or None, "competitor": (competitor or "").strip()[:100] or None,
             "source": source[:300], "body": body},
            DocumentIn,
        )
    except msgspec.ValidationError as exc:
        raise Invalid(f"{source}: {exc}") from None


def parse_markdown(text: str, *, name: str, kind: str = "other") -> DocumentIn:
    """A Markdown or text document with an optional ``# title`` and ``key: value`` header."""
    lines = text.replace("\ufeff", "").replace("\r\n", "\n").split("\n")
    meta: dict[str, str] = {}
    title = ""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and re.match(r"^#\s+\S", lines[i]):
        title = lines[i].lstrip("#").strip()
        i += 1
    while i < len(lines):
        match = _META.match(lines[i].strip())
        if not match:
            break
        meta[match[1].lower()] = match[2].strip()
        i += 1
    body = "\n".join(lines[i:])
    if not title and name.lower().endswith(".txt") and "title" not in meta:
        title = _key(name)
    return _document(
        doc_id=_key(name), title=meta.get("title") or title or _key(name), kind=_kind(meta.get("kind"), kind),
        product=meta.get("product"), competitor=meta.get("competitor"), source=meta.get("source") or name,
        body=body,
    )


def parse_csv(data: bytes, *, name: str, kind: str = "other") -> list[DocumentIn]:
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    body_field = next((fields[f] for f in ("body", "content", "text", "正文", "内容") if f in fields), None)
    title_field = next((fields[f] for f in ("title", "标题") if f in fields), None)
    if body_field is None or title_field is None:
        raise Invalid(f"{name}: a CSV needs a header row with title and body (or content / text) columns",
                      field="file")

    def col(row: dict, key: str) -> str | None:
        field = fields.get(key)
        value = row.get(field) if field else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    docs = []
    for number, row in enumerate(reader, start=1):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        row_id = col(row, "id") or col(row, "doc_id") or str(number)
        docs.append(_document(
            doc_id=f"{_key(name)}:{_key(row_id)}", title=col(row, title_field.lower()) or f"{_key(name)} {row_id}",
            kind=_kind(col(row, "kind"), kind), product=col(row, "product"), competitor=col(row, "competitor"),
            source=col(row, "source") or f"{name}#{number}", body=(row.get(body_field) or ""),
        ))
    if not docs:
        raise Invalid(f"{name}: the CSV has no rows", field="file")
    return docs


def parse_docx(data: bytes, *, name: str, kind: str = "other") -> DocumentIn:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a damaged file
        raise Invalid(f"{name}: not a readable Word file ({type(exc).__name__})", field="file") from None
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if style == "Title":
            lines.append(f"# {text}")
        elif level:
            lines.append(f"{'#' * (int(level[1]) + 1)} {text}")
        else:
            lines.append(text)
        lines.append("")
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
        lines.append("")
    doc = parse_markdown("\n".join(lines), name=name, kind=kind)
    core_title = (document.core_properties.title or "").strip()
    if core_title and doc.title == _key(name):
        doc = msgspec.structs.replace(doc, title=core_title[:200])
    return doc


def parse_pdf(data: bytes, *, name: str, kind: str = "other") -> DocumentIn:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        meta_title = ((reader.metadata or {}).get("/Title") or "") if reader.metadata else ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise Invalid(f"{name}: not a readable PDF ({type(exc).__name__})", field="file") from None
    body = "\n\n".join(p for p in pages if p)
    doc = parse_markdown(body, name=name, kind=kind)
    if str(meta_title).strip() and doc.title == _key(name):
        doc = msgspec.structs.replace(doc, title=str(meta_title).strip()[:200])
    return doc


def parse_bytes(data: bytes, *, name: str, kind: str = "other") -> list[DocumentIn]:
    """The documents in one file's bytes, by its suffix."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise Invalid(f"{name}: cannot read {suffix or 'files without a suffix'}; "
                      f"supported: {', '.join(SUFFIXES)}", field="file")
    if suffix == ".csv":
        return parse_csv(data, name=name, kind=kind)
    if suffix == ".docx":
        return [parse_docx(data, name=name, kind=kind)]
    if suffix == ".pdf":
        return [parse_pdf(data, name=name, kind=kind)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # files saved by Chinese Windows tools
        except UnicodeDecodeError:
            raise Invalid(f"{name}: not UTF-8 or GB18030 text", field="file") from None
    return [parse_markdown(text, name=name, kind=kind)]


def files_under(path: Path) -> list[Path]:
    """The readable files at ``path`` (a file, or a folder searched recursively), sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise Invalid(f"{path}: no such file or folder", field="path")
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))
