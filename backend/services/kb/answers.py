"""Passages rendered for one WeChat message: the best two or three, trimmed to fit 2048 bytes."""

from __future__ import annotations

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
