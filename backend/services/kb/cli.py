"""``tuoke kb``: ingest, list, delete, search, reembed a tenant's knowledge base."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from backend.cli import echo_json, fail, run, with_conn


async def _tenant_id(conn: Any, slug: str) -> int:
    from backend.services import tenants

    return (await tenants.tenant_by_slug(conn, slug)).tenant_id


@click.group()
def kb() -> None:
    """Knowledge base: selling points and competitor notes."""


@kb.command("ingest")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--kind", type=click.Choice(["selling_point", "competitor", "other"]), default="other",
              help="Kind for documents that do not state one (a `kind:` line).")
@click.option("--wait", is_flag=True,
              help="Also make the expensive model's vectors now, in this run (default: the worker does, after).")
def ingest_cmd(path: Path, slug: str, kind: str, wait: bool) -> None:
    """Ingest a file or a folder (.md .txt .csv .docx .pdf); unchanged files are left alone.

    The documents are searchable when this returns (terms and the cheap model's vectors); the
    expensive model's vectors (multilingual-e5) are made by the worker's kb.embed job, or by this
    run with --wait. `tuoke kb list` shows how many chunks still wait."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from backend.errors import TuokeError
    from backend.services.kb import background, embedder, ingest

    async def go(conn: Any) -> Any:
        tenant_id = await _tenant_id(conn, slug)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=_stderr_console()) as bar:
            task = bar.add_task("loading models", total=None)
            models = await embedder.aget_models()
            bar.update(task, description="chunks")
            results = await ingest.ingest_path(
                conn, tenant_id, path, kind=kind, models=models, defer=True,
                progress=lambda n: bar.advance(task, n), on_total=lambda n: bar.update(task, total=n))
            left = await background.waiting(conn, tenant_id)
            if wait and left:
                task = bar.add_task("vectors (expensive model)", total=sum(left.values()))
                await background.embed_all(conn, tenant_id, models=models, progress=lambda n: bar.advance(task, n))
                left = await background.waiting(conn, tenant_id)
            return results, left

    try:
        results, left = run(with_conn(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
        if r.status != "unchanged":
            click.echo(f"{r.status:<9} {r.doc_id}\t{r.chunks} chunks\tv{r.version}" + (f"\t{r.detail}" if r.detail else ""))
    click.echo(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no documents found")
    for model, n in left.items():
        click.echo(f"{n} chunks wait for vectors from {model}: the worker (tuoke worker, or tuoke serve's) makes "
                   f"them; `tuoke kb list --tenant {slug}` shows the progress, --wait makes them in this run")
    if counts.get("failed"):
        sys.exit(1)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@kb.command("list")
@click.option("--tenant", "slug", required=True)
@click.option("--kind", type=click.Choice(["selling_point", "competitor", "other"]), default=None)
@click.option("--json", "as_json", is_flag=True)
def list_cmd(slug: str, kind: str | None, as_json: bool) -> None:
    """List a tenant's documents."""
    from backend.errors import TuokeError
    from backend.services.kb import ingest

    async def go(conn: Any) -> Any:
        return await ingest.list_documents(conn, await _tenant_id(conn, slug), kind=kind, limit=10_000)

    try:
        docs = run(with_conn(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    if as_json:
        echo_json(docs)
        return
    for d in docs:
        subject = d.product or d.competitor or "-"
        waiting = f" ({d.awaiting_vectors} awaiting vectors)" if d.awaiting_vectors else ""
        click.echo(f"{d.doc_id}\t{d.kind}\t{subject}\tv{d.version}\t{d.chunks} chunks{waiting}\t{d.title}")
    awaiting = sum(d.awaiting_vectors for d in docs)
    if awaiting:
        click.echo(f"{awaiting} of {sum(d.chunks for d in docs)} chunks await vectors (the worker's kb.embed job)")


@kb.command("delete")
@click.argument("doc_id")
@click.option("--tenant", "slug", required=True)
def delete_cmd(doc_id: str, slug: str) -> None:
    """Delete one document (by its id: the file stem, or stem:row for CSV rows)."""
    from backend.errors import TuokeError
    from backend.services.kb import ingest

    async def go(conn: Any) -> None:
        await ingest.delete_document(conn, await _tenant_id(conn, slug), doc_id)

    try:
        run(with_conn(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    click.echo(f"deleted {doc_id}")


@kb.command("search")
@click.argument("query")
@click.option("--tenant", "slug", required=True)
@click.option("-k", default=3, type=click.IntRange(1, 10))
@click.option("--kind", type=click.Choice(["selling_point", "competitor", "other"]), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.option("--reply", is_flag=True, help="Print the chat reply the bot would send.")
def search_cmd(query: str, slug: str, k: int, kind: str | None, as_json: bool, reply: bool) -> None:
    """Search the knowledge base as the bot does."""
    from backend.errors import TuokeError
    from backend.services.kb import quote_answer, search

    async def go(conn: Any) -> Any:
        return await search(conn, await _tenant_id(conn, slug), query, k=k, kind=kind)

    try:
        passages = run(with_conn(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    if as_json:
        echo_json(passages)
    elif reply:
        click.echo(quote_answer(query, passages))
    elif not passages:
        click.echo("nothing passes the score floor")
    else:
        for p in passages:
            click.echo(f"{p.score:.3f}\t{p.doc_id}\t{p.kind}\t{p.title}\n\t{p.text[:160]}")


@kb.command("reembed")
@click.option("--tenant", "slug", required=True)
def reembed_cmd(slug: str) -> None:
    """Embed chunks that have no vector from the configured model(s) (after TUOKE_EMBED_MODEL changed),
    and any still waiting for the worker, now (a running worker shares the work, never twice)."""
    from backend.errors import TuokeError
    from backend.services.kb import background, embedder, ingest

    async def go(conn: Any) -> int:
        tenant_id = await _tenant_id(conn, slug)
        models = await embedder.aget_models()
        await background.enqueue_missing(conn, tenant_id, models)
        done = await background.embed_all(conn, tenant_id, models=models)
        return done + await ingest.embed_missing(conn, tenant_id, models=models)  # titles without a vector

    try:
        n = run(with_conn(go))
    except TuokeError as exc:
        fail(exc.detail)
        return
    click.echo(f"embedded {n} chunk vectors")
