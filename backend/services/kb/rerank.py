"""The second stage of retrieval: the first stage's top documents reranked with what a question's
neighbours do not share, and a prior on whose note answers (no model encode, no extra round trip).

:func:`backend.services.kb.search.retrieve` reads the candidates' passages once with, per chunk, which
of the question's lexical :class:`Units` it holds (``kb_rerank_chunks``), then calls :func:`rerank`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import msgspec

from backend.services.kb import aspects as kb_aspects

# The second stage (rerank): weights of the residual coverage and of the competitor prior (fused-score units,
# i.e. z-scores). Tuned on dev / A / B / C (README kb).
RESIDUAL_WEIGHT = float(os.environ.get("TUOKE_KB_RESIDUAL_WEIGHT", "1.5"))
RESIDUAL_TITLE = 1.5  # as search.TITLE_BOOST; a unit in the candidate's title counts this many times
COMPETITOR_PRIOR = float(os.environ.get("TUOKE_KB_COMPETITOR_PRIOR", "1.5"))
OWN_PRODUCT_FACTOR = float(os.environ.get("TUOKE_KB_OWN_PRODUCT_FACTOR", "2.0"))
# The mirror of the competitor prior: when the question names a competitor, our own notes lose this (grid 0.75 / 1.5:
# G MRR 0.952 / 0.956, H 0.852 / 0.863, every other set equal).
OWN_PRIOR = float(os.environ.get("TUOKE_KB_OWN_PRIOR", "1.5"))
# The aspect match's weight (aspects.py): a candidate whose title / heading / passage is about what the question
# asks (its price, running cost, registration …) gains this × how well the aspects meet × how sure the detection is.
ASPECT_WEIGHT = float(os.environ.get("TUOKE_KB_ASPECT_WEIGHT", "2.0"))


class Units(msgspec.Struct, kw_only=True):
    """The question's lexical units as :func:`search._lexical` scores them: one tsquery per distinct term (or a
    term's translations / lexicon terms), the same restricted to titles, and its IDF."""
    tsqueries: list[str] = []
    tsqueries_title: list[str] = []
    idfs: list[float] = []
    total: float = 1.0  # the question's IDF mass (translations add nothing to it)


def residual_coverage(candidates: Mapping[int, Mapping[str, Any]], units: Units) -> dict[int, float]:
    """Each candidate's share of the question's lexical weight that tells the candidates apart.

    A unit (a question term, or its translations / lexicon terms) weighs its IDF times how few of the
    candidates hold it: held by one, fully; by every candidate, nothing — the product or competitor
    name every note on it shares, a word all the neighbours use. What is left is the question's
    aspect (COP, 提成, 冷吨), and the candidate holding it is the one about that aspect. A unit in the
    title counts ``RESIDUAL_TITLE`` times. Shares of the question's IDF mass (0 … ~1.5)."""
    n = len(candidates)
    if n < 2 or not units.idfs:
        return {d: 0.0 for d in candidates}
    held = {d: set(r["held"] or ()) for d, r in candidates.items()}
    titled = {d: set(r["held_title"] or ()) for d, r in candidates.items()}
    count = [sum(u in h for h in held.values()) for u in range(len(units.idfs))]
    weight = [idf * (1.0 - (c - 1) / (n - 1)) if c else 0.0 for idf, c in zip(units.idfs, count)]
    total = units.total or 1.0
    return {d: sum(weight[u] * (RESIDUAL_TITLE if u in titled[d] else 1.0) for u in held[d]) / total
            for d in candidates}


def aspect_scores(candidates: Mapping[int, Mapping[str, Any]], asked: Mapping[str, float]) -> dict[int, float]:
    """Each candidate's match with the aspects the question asks (:func:`aspects.question_aspects`), from its
    title, heading and passage (0 … 1; all 0 when the question names no aspect)."""
    if not asked:
        return {d: 0.0 for d in candidates}
    return {d: kb_aspects.aspect_match(asked, kb_aspects.passage_aspects(r["title"], r["heading"], r["text"]))
            for d, r in candidates.items()}


def rerank(doc_score: dict[int, float], candidates: Mapping[int, Mapping[str, Any]], units: Units, *,
           competition_named: bool, asked: Mapping[str, float] | None = None,
           competitors: list[str] | None = None, product_named: bool = False) -> None:
    """The second stage, over the first stage's top ``search.RERANK_DEPTH`` documents (adjusts ``doc_score``):

    - :func:`residual_coverage` × ``RESIDUAL_WEIGHT``: the neighbours about the same product share
      its name and most words; the one holding the question's other words is about the aspect asked.
    - a competitor note loses ``COMPETITOR_PRIOR`` when the question names no competitor (nor
      competition at all): reps ask about a competitor by its name, and our own selling point on the
      same aspect (price, warranty) is then the answer.
    - :func:`aspect_scores` × ``ASPECT_WEIGHT``: the candidate about the aspect the question asks (``asked``,
      from :func:`aspects.question_aspects`) — the running-cost note, not the price note, for 一年养着要花多少钱.
      When the question names a competitor (``competitors``), only that competitor's notes earn it: 华灶 质保 asks
      about 华灶's warranty, and our own warranty note matching the aspect would otherwise win.
    Costs no model encode and no round trip (the units come with the candidates' read)."""
    for d, share in residual_coverage(candidates, units).items():
        doc_score[d] += RESIDUAL_WEIGHT * share
    if asked and ASPECT_WEIGHT:
        for d, match in aspect_scores(candidates, asked).items():
            if competitors and candidates[d]["competitor"] not in competitors:
                continue
            doc_score[d] += ASPECT_WEIGHT * match
    if not competition_named:
        # (a question naming our own product and no competitor — 户外屏多少钱一平 — is about our note all the more)
        prior = COMPETITOR_PRIOR * (OWN_PRODUCT_FACTOR if product_named else 1.0)
        for d, row in candidates.items():
            if row["kind"] == "competitor":
                doc_score[d] -= prior
    elif competitors and OWN_PRIOR:
        # ... and the other way round: a question naming a competitor (Formetrix 售后到底怎么样) is about that
        # competitor's notes first; our own note on the aspect loses OWN_PRIOR
        for d, row in candidates.items():
            if row["kind"] != "competitor":
                doc_score[d] -= OWN_PRIOR
