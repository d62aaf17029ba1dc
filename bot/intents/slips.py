"""Voice-input slips of the command words, read as meant when the words around them confirm it.

Speech recognition replaces a character of a stage word by one that sounds the same or nearly so
(头标 for 投标, 方按 for 方案, 谈盘 for 谈判). Listing every slip one pair at a time (lexicon.HOMOPHONES)
never catches the next one, so here each command word has a table of the characters its characters
are misheard as; every variant that changes one character is a candidate, and it is read as the word
meant only in a command's frame — right after a move verb (进入 / 改到 / 推到 / 到 / 转), or right before
阶段 / 环节 — where nothing else could stand. Each variant keeps the length, so field values are still
cut from the text as written.
"""

from __future__ import annotations

import re
from functools import lru_cache

# command word → for each of its characters, the characters voice input writes for it (same or near sound)
COMMAND_SLIPS: dict[str, tuple[str, ...]] = {
    "投标": ("头透偷", "表镖镳彪膘飚标"),
    "招标": ("找朝召照", "表镖镳彪膘标"),
    "方案": ("芳房放防访", "按安岸暗俺"),
    "立项": ("力利例丽李里理历励", "向象像相想响巷"),
    "验证": ("眼严研言盐延", "正政整症挣"),
    "谈判": ("谭坛弹探", "盼叛盘攀潘畔"),
    "议价": ("意义亿艺易异", "加家架佳嫁"),
    "线索": ("先县现限险", "锁所琐"),
    "回款": ("会汇灰辉", "宽框"),
    "收款": ("首手受", "宽框"),
    "签约": ("千前钱迁欠", "月越跃悦"),
    "赢单": ("营迎影", "丹担蛋"),
    "输单": ("书舒叔", "丹担蛋"),
    "丢单": ("丢", "丹担蛋"),
    "中标": ("钟终忠众重种", "表镖镳彪膘"),  # 那个单子中表了: the win word itself
}
# what may stand right before a command word in a command (进入投标 / 改到方案 / 推进到谈判)
_BEFORE = (r"(?:进入到?|推进到?|推到|改到|改成|改为|调到|调整到|转入?|转到|到了?|挪到|移到|切到|退回到?|回退到?|退到|更新为|设为|进|入"
           # 那单丢担了 / 这单营单: right after the deal word; 新现索 / 记个线锁: a new lead
           r"|那单|这单|的单子|那个单子|新|个|条)")
# what may stand right after it (投标阶段 / 方案环节)
_AFTER = r"(?:阶段|环节|流程|状态)"


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    out: dict[str, str] = {}
    for word, alts in COMMAND_SLIPS.items():
        for k, chars in enumerate(alts):
            for ch in chars:
                if ch == word[k]:
                    continue
                v = word[:k] + ch + word[k + 1:]
                out.setdefault(v, word)
    return out


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    words = "|".join(re.escape(v) for v in sorted(_variants(), key=len, reverse=True))
    return re.compile(rf"(?P<b>{_BEFORE})(?P<w>{words})|(?P<v>{words})(?={_AFTER})")


def fix_command_slips(s: str) -> str:
    """``s`` with every misheard command word in a command's frame replaced by the word meant."""
    v = _variants()
    return _pattern().sub(lambda m: m.group("b") + v[m.group("w")] if m.group("w") else v[m.group("v")], s)
