"""Passages rendered for one WeChat message: the best two or three, trimmed to fit 2048 bytes."""

from __future__ import annotations

import re

from schemas.kb import Passage

WECHAT_TEXT_LIMIT = 2048  # bytes of UTF-8 in one WeChat Work text message
_LABELS = {
    "zh": {"selling_point": "卖点", "competitor": "竞品", "other": "资料", "source": "来源",
           "none": "知识库里没有找到相关内容，换个说法试试，或请管理员补充资料。"},
    "en": {"selling_point": "Selling point", "competitor": "Competitor", "other": "Note", "source": "Source",
           "none": "Nothing in the knowledge base answers that; try other words, or ask an admin to add it."},
}


def _fit(text: str, limit_bytes: int) -> str:
    """``text`` cut (with …) so that it takes at most ``limit_bytes`` of UTF-8."""
    if len(text.encode()) <= limit_bytes:
        return text
    ellipsis = "…"
    budget = limit_bytes - len(ellipsis.encode())
    out = text.encode()[: max(budget, 0)].decode("utf-8", errors="ignore")
    return out.rstrip() + ellipsis


def format_passages(passages: list[Passage], lang: str = "zh", limit_bytes: int = WECHAT_TEXT_LIMIT,
                    *, max_passages: int = 3) -> str:
    """A plain-text reply quoting the best passages, each with its title, kind and source, within
    ``limit_bytes``. Every quoted passage gets a fair share of the room; no passage: a "found
    nothing" line in the rep's language."""
    labels = _LABELS.get(lang, _LABELS["zh"])
    chosen = passages[:max_passages]
    if not chosen:
        return _fit(labels["none"], limit_bytes)
    sep = "\n\n"
    blocks = []
    for i, p in enumerate(chosen, start=1):
        subject = p.competitor or p.product
        head = f"{i}. 【{labels.get(p.kind, labels['other'])}】{p.title}" + (f"（{subject}）" if subject and subject not in p.title else "")
        tail = f"{labels['source']}: {p.source}"
        blocks.append((head, " ".join(p.text.split()), tail))
    # Share the room: fixed parts first, the rest split evenly among the passage texts.
    while blocks:
        fixed = sum(len(f"{h}\n\n{t}".encode()) for h, _, t in blocks) + len(sep.encode()) * (len(blocks) - 1)
        room = limit_bytes - fixed
        if room >= 60 * len(blocks):
            break
        blocks.pop()  # not enough room for a useful quote of each: quote fewer
    if not blocks:
        return _fit(f"{chosen[0].title}\n{chosen[0].text}", limit_bytes)
    share = room // len(blocks)
    spare = room - share * len(blocks)
    parts = []
    for head, text, tail in blocks:
        budget = share + spare
        body = _fit(text, budget)
        spare = budget - len(body.encode())
        parts.append(f"{head}\n{body}\n{tail}")
    return _fit(sep.join(parts), limit_bytes)


_SENTENCE = re.compile(r"(?<=[。！？；!?;\n])|(?<=[.])\s")
_QUOTE_LABELS = {
    "zh": {"answer": "答", "more": "相关资料", "source": "来源"},
    "en": {"answer": "Answer", "more": "See also", "source": "Source"},
}
MAX_QUOTED_SENTENCES = 2


def sentences(text: str) -> list[str]:
    """A passage's sentences (Chinese and English sentence ends, line breaks), whitespace folded."""
    return [" ".join(s.split()) for s in _SENTENCE.split(text) if s and s.strip()]


def answering_sentences(question: str, passage: Passage, *, limit: int = MAX_QUOTED_SENTENCES) -> list[str]:
    """The sentences of ``passage`` that answer ``question`` best, in the passage's order.

    A sentence scores by the question's lexical terms it holds (the colloquial lexicon's document
    terms count too: 能跑多远 finds the sentence with 续航), and a number or unit in it counts a
    little (facts are figures). The best sentence, plus the one after it when that one scores as
    well or is its continuation (a list item or a short follow-up)."""
    from backend.services.kb import lexical, spoken

    parts = sentences(passage.text)
    if len(parts) <= limit:
        return parts
    wanted = set(lexical.terms(spoken.clean(question)))
    for terms in spoken.matches(question, spoken.DEFAULT_LEXICON).values():
        for term in terms:
            wanted.update(lexical.terms(term))
    scores = []
    for i, sentence in enumerate(parts):
        have = set(lexical.terms(sentence))
        score = sum(1.0 + 0.2 * len(t) for t in wanted & have)
        score += 0.3 if re.search(r"\d", sentence) else 0.0
        scores.append((score, -i))
    best = -max(scores)[1]
    chosen = [best]
    if limit > 1 and best + 1 < len(parts) and (scores[best + 1][0] >= scores[best][0] * 0.5 or len(parts[best]) < 30):
        chosen.append(best + 1)
    return [parts[i] for i in chosen]


def quote_answer(question: str, passages: list[Passage], lang: str = "zh",
                 limit_bytes: int = WECHAT_TEXT_LIMIT) -> str:
    """One WeChat message answering ``question``: the answering sentence(s) of the best passage quoted
    with its title and source, then the other passages' titles and sources; the "found nothing"
    line when there is no passage (search returned nothing: off-topic or not in the catalogue)."""
    labels = _LABELS.get(lang, _LABELS["zh"])
    words = _QUOTE_LABELS.get(lang, _QUOTE_LABELS["zh"])
    if not passages:
        return _fit(labels["none"], limit_bytes)
    best = passages[0]
    quoted = "".join(answering_sentences(question, best)) if lang == "zh" else " ".join(answering_sentences(question, best))
    subject = best.competitor or best.product
    head = f"【{labels.get(best.kind, labels['other'])}】{best.title}" + (
        f"（{subject}）" if subject and subject not in best.title else "")
    tail = f"{words['source']}: {best.source}"
    others = [f"{i}. {p.title}（{words['source']}: {p.source}）" for i, p in enumerate(passages[1:3], start=2)]
    more = (f"\n\n{words['more']}:\n" + "\n".join(others)) if others else ""
    fixed = len(f"{head}\n“”\n{tail}{more}".encode())
    body = _fit(quoted, max(limit_bytes - fixed, 60))
    return _fit(f"{head}\n“{body}”\n{tail}{more}", limit_bytes)
