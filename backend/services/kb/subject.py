"""What a question is about, and whether the tenant's documents know it (the floor's "not found").

洗衣机保修几年, 宽带一年多少钱, 扫地机器人多少钱: the aspect words (保修, 多少钱) are in every seller's
notes, so the models and the term coverage find the warranty or price note; the thing asked about
(洗衣机, 宽带, 扫地机器人) is what this seller never mentions. :func:`subject` takes the question apart
into its *object* — the content words left once fillers, question words and the aspect vocabulary
(:data:`ASPECT_WORDS`: price, warranty, delivery, installation, certification, payment … and generic
words such as 问题, 办法) are removed — grouped into noun phrases (runs of adjacent content words; the
last word is the head, 扫地机器人 → 扫地 + 机器人). :func:`unknown_subject` then says whether the
documents know it, from the tenant's term statistics (``kb_terms``), dictionary translations, the
lexicon's phrases and the catalogue names the question uses:

- a phrase is unknown when its head, or the dictionary word right before a Chinese head, is a word no
  document uses and no candidate passage writes (扫地机器人: the documents say 机器人 but never 扫地;
  智能门锁: 智能 yes, 门锁 never);
- a model number no document spells (XJ-900, HC-DG-800) is unknown unless it is a catalogue name;
- the question is refused when it has an unknown model number, when an unknown dictionary noun owns
  the thing (格力的空调), or when every Chinese phrase of its object is unknown (a labelled question
  usually holds several content words, one of which the documents use: 西藏 is unknown but 海拔 is
  not). English nouns decide nothing (their translations miss the documents' words too often).
"""

from __future__ import annotations

import functools
import re

import jieba
import msgspec

from backend.services.kb import crosslingual, filters, lexical

# Words that say what is asked about a thing, not which thing: commercial aspects (price, warranty,
# delivery, installation, certification, payment, service), measures and counters, generic nouns and
# verbs of asking. Sales vocabulary in general, never one seller's phrases.
ASPECT_WORDS = frozenset(
    """
    价格 报价 售价 价钱 价位 价 钱 多少钱 费用 收费 年费 月费 费 成本 贵 便宜 优惠 折扣 打折 付款 付款方式 分期 账期
    定金 首付 预付 收钱 出钱 花钱 单价 总价 含税 运费 包邮 报价单 价格表
    保修 质保 质保期 保修期 保 包 保几年 多久 多长 多长时间 时间 几年 几天 几个 几级 几次 几月 年限 期限
    交期 交货 交货期 交付 发货 到货 现货 货期 库存 周期 供货 送货 上门
    安装 调试 安装调试 上线 实施 部署费 认证 资质 证书 标准 合规 ce ul 3c cqc fcc rohs iso tuv 发票 开票 增值税 专票 普票
    售后 维修 维保 保养 服务 政策 保障 条款 合同 手续 流程
    型号 规格 参数 配置 区别 对比 好不好 怎么样 如何 怎么办 办法 方法 手段 措施 方案 情况 方面 问题 东西 事情
    一台 一套 一年 每年 一次 一吨 一个 一件 一款 每台 每套 一平米 一个月 一天 这款 那款 那台 这台 款 种 台 套
    做 要 卖 卖不卖 有没有 能否 是否 有 用 能用 买 采购 订 订购 下单 提供 支持 大概 详细 具体 介绍 说明
    做到 达到 实现 多大 多重 多远 多高 多长 最高 最低 最大 最小 最后 最早 最晚 哪天 哪年 几号 平米 平方 平方米
    以后 之前 以前 现在 目前 最近 万一 有人 不能 不会 不要 不想 条件 要求 前提 注意事项
    能开 开 收 你们 贵司 公司 厂家 产品 哪家 我该 别的 另外 整个 其他 其它
    噪音 噪声 重量 尺寸 体积 功率 效率 寿命 温度 精度 速度 容量 面积 性能 质量 颜色 材质 外观 大小 节能 能耗 能效 环保
    price prices pricing cost costs warranty warranties guarantee delivery deliver lead time install installation
    certification certified certificate sell sells selling buy per seat available stock policy much many long
    quote quotation payment service support ship shipping what's whats does do you your have has there any
    more less expensive cheap cheaper option options offer offers meet meets comply complies certify
    company companies firm product products item items
    """.split()
)
_CODE = re.compile(r"(?<![a-z0-9])[a-z]{1,5}[-_ ]?[0-9]{1,6}[a-z0-9]*(?:-[a-z0-9]+)*(?![a-z0-9])")
_CJK = re.compile(r"[\u3400-\u9fff]")
_MEASURE = re.compile(r"[a-z]+ [0-9.]+(?:mm|cm|m|km|kg|g|t|kw|kwh|w|v|a|h|l|ml|mpa|bar|db|um|nm|hz|%)?")
# jieba's dictionary tags of words that never name a thing: idioms and set phrases, adverbs, pronouns,
# numerals and counters, prepositions, conjunctions, particles, interjections, place-of (以后) and time
# words (现在, 过年).
_NOT_A_THING = frozenset("i l d r m q p c u y e o f t uj ul uz ug uv ud mq".split())
@functools.cache
def _tags() -> dict[str, str]:
    """jieba's dictionary part-of-speech tags (jieba.posseg reads its dictionary on import, ~0.6 s: loaded
    on first use, or by :func:`warm_up`)."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def warm_up() -> None:
    """Load the segmenter's dictionary and its tags now (the knowledge base's warm_up calls it)."""
    jieba.initialize()
    _tags()


_NOUN = frozenset("n nz nr nt nrt nrfg j".split())
_NOUN_CHAR = frozenset("n ng nr".split())  # a character that names a thing at the end of a compound (柜, 机, 宝)
_JOINERS = frozenset("的是在和与跟了吗呢把被给对从向及或也都就还又很我你他她它这")  # never part of a name
_WORD = re.compile(r"[\w\u3400-\u9fff]")
# Characters that end the name of a machine or a facility (加氢 + 站, 揉面 + 机, 换 + 电站): a compound's head
_FACILITY_CHARS = frozenset("站机器柜车仪箱桩库厂泵炉灶屏")
_MACHINE_CHARS = _FACILITY_CHARS - frozenset("站库厂")  # ... of a machine or instrument (not a place: 纺织厂)
_PLACE_ENDINGS = frozenset("里内外上下中边")
_MODALS = frozenset("能会可要该得")
RARE_WORD = 1000  # jieba's frequency below which a modal-initial word is more likely a modal + verb
# Words that end a company's name (驿充科技的桩): the name before them is judged whole
# (the catalogue's company suffixes, and the trade words that end a maker's name)
_COMPANY_ENDINGS = frozenset(w for w in filters.COMPANY_SUFFIXES if _CJK.search(w)) | {"机械", "设备", "工业", "电器"}
# nouns that make the words before 的 a clause, not an owner (药监来查的时候, 下雨的话)
_CLAUSE_NOUNS = frozenset("时候 话 时间 情况 地方 样子 原因 意思 问题 那种 这种".split())
_DOINGS = frozenset("做用搞卖买要找问给干跑送修装测")
# verbs of a transaction before a machine (借 + 样机, 租 + 叉车): what is done with it, no compound
_TRANSACTIONS = frozenset("借租买卖送修退试")
_NUMBER = re.compile(r"[0-9.]+|[一二三四五六七八九十百千万两几]+")  # light verbs that start a doing, never a name (做农残的)


class Subject(msgspec.Struct, kw_only=True):
    phrases: list[list[str]] = []  # the object's noun phrases (content words in order; the last is the head)
    codes: list[str] = []  # model numbers named, as typed (normalised)
    named: list[str] = []  # catalogue names in the phrases (known by definition)
    owners: list[int] = []  # the phrases followed by 的 (格力的空调: whose thing it is)
    compounds: list[str] = []  # a dictionary word + a noun character the dictionary lacks as one word (充电宝)
    strangers: list[str] = []  # a name of lone characters owning the thing (发那科的机器人): no dictionary word


def _content(word: str) -> bool:
    if not _WORD.search(word) or word in lexical.STOPWORDS or word in ASPECT_WORDS:
        return False
    if re.fullmatch(r"[0-9.]+", word):
        return False
    if _CJK.search(word):
        if _tags().get(word) in _NOT_A_THING and not (len(word) >= 3 and word[-1] in _FACILITY_CHARS):
            return False  # (a machine's name whatever its tag: the dictionary has 切割机 as a set phrase)
        # numbers with a counter (三成, 三十度), negations (不大, 不稳), A-not-A questions (大不大)
        if len(word) == 2 and word[0] in _MODALS and jieba.dt.FREQ.get(word, 0) < RARE_WORD:
            return False  # a modal glued to a verb that the dictionary has as a rare noun (柜子能带几把枪: 能带)
        return len(word) >= 2 and not re.fullmatch(r"[0-9一二三四五六七八九十百千万两几]+.?|不.|(.)不\1.?", word)
    return len(word) >= 2 and lexical._ascii_term(word) is not None


def subject(cleaned: str, named: list[str] = ()) -> Subject:
    """The object of a cleaned question: its noun phrases and model numbers. A catalogue name the
    question uses (``named``, the filters' aliases) stands in its phrase as one known word (扫地机器人
    names 机器人 but is still a 扫地 one); a model number stands apart."""
    text = lexical.normalise(cleaned)
    names = {}
    for alias in sorted(named, key=len, reverse=True):
        for m in re.finditer(re.escape(alias), text):
            if not any(s < m.end() and m.start() < e for s, e in names):
                names[(m.start(), m.end())] = alias
    codes, spans = [], []
    for m in _CODE.finditer(text):
        if _MEASURE.fullmatch(m.group(0)) and crosslingual.chinese_words(m.group(0).split()[0]):
            continue  # an English word before a measure (parts 600mm, weighs 30kg) names no model
        if not any(s < m.end() and m.start() < e for s, e in names):
            codes.append(m.group(0))
            spans.append((m.start(), m.end()))
    phrases: list[list[str]] = []
    owners: list[int] = []
    run: list[str] = []
    pos = 0
    # Dictionary words only (no HMM guessing): jieba's guesses glue a modal to a verb (能换, 能放) or a
    # counter to a noun (台内机), words no document holds; a name it does not know falls apart into
    # single characters, and the phrase's other words decide.
    words: list[tuple[int, str, bool]] = []  # start, word, a lone character
    for word in jieba.cut(text, HMM=False):
        # consecutive single characters that are no function words make one word (冷 吨 → 冷吨)
        # (never a numeral: 钱 一 克 is a price per gram, no word)
        if (len(word) == 1 and _CJK.match(word) and word not in lexical.STOPWORDS and words
                and _CJK.match(words[-1][1][-1]) and words[-1][2]
                and not _NUMBER.fullmatch(word) and not _NUMBER.fullmatch(words[-1][1][-1])):
            words[-1] = (words[-1][0], words[-1][1] + word, True)
        else:
            words.append((pos, word, len(word) == 1 and bool(_CJK.match(word)) and word not in lexical.STOPWORDS))
        pos += len(word)
    # A dictionary word and a noun character after it that the dictionary does not know as one word
    # (充电 + 宝, 送餐 + 车): a compound noun whose last character names the thing. Known only when the
    # documents write it (储能 + 柜 is written 储能柜); an unknown one is a thing this seller never names.
    compounds: list[str] = []
    merged: list[tuple[int, str, bool]] = []
    for i, (start, word, lone) in enumerate(words):
        prev = merged[-1] if merged else None
        if (lone and len(word) == 1 and prev is not None and not prev[2] and len(prev[1]) >= 2
                and _CJK.match(prev[1][-1]) and jieba.dt.FREQ.get(prev[1], 0) > 0
                and (_tags().get(word) in _NOUN_CHAR or word in _FACILITY_CHARS) and word not in ASPECT_WORDS
                and jieba.dt.FREQ.get(prev[1] + word, 0) == 0
                and _tags().get(prev[1]) not in _NOT_A_THING and prev[1] not in ASPECT_WORDS
                and prev[1] not in lexical.STOPWORDS):
            merged[-1] = (prev[0], prev[1] + word, False)
            compounds.append(prev[1] + word)
        elif (prev is not None and prev[2] and len(prev[1]) == 1 and len(word) == 2 and not lone
              and word[-1] in _FACILITY_CHARS and jieba.dt.FREQ.get(word, 0) > 0 and _tags().get(word) in _NOUN
              and jieba.dt.FREQ.get(prev[1] + word, 0) == 0 and prev[1] not in _JOINERS
              and prev[1] not in _TRANSACTIONS and _tags().get(prev[1]) != "a"):  # (旧 + 机器 is an old machine, no new kind of thing)
            # a character before a facility noun (换 + 电站, 储 + 能柜): one compound, known only when written
            merged[-1] = (prev[0], prev[1] + word, False)
            compounds.append(prev[1] + word)
        else:
            merged.append((start, word, lone))
    words = merged
    # A name of lone characters before 的 (发那科的, 库卡的): a company or brand the dictionary does not know
    # owns the thing asked about. Judged by whether the documents write it.
    strangers: list[str] = []
    for i, (_, word, _) in enumerate(words):
        if word != "的":
            continue
        j = i
        # (a run of lone characters is merged into one word above: 金厨宝, 厨联; 发 那 科 stays apart at 那)
        while (j > 0 and (len(words[j - 1][1]) == 1 or words[j - 1][2]) and _CJK.match(words[j - 1][1])
               and not set(words[j - 1][1]) & _JOINERS):
            j -= 1
        if j == i and i >= 2 and words[i - 1][1] in _COMPANY_ENDINGS and words[i - 2][2]:
            j = i - 2  # a name the dictionary lacks + a company word (驿充 + 科技): the company, judged whole
        name = "".join(w for _, w, _ in words[j:i])
        after = "".join(w for _, w, _ in words[i + 1:i + 3]) if i + 1 < len(words) and len(words[i + 1][1]) == 1 \
            else (words[i + 1][1] if i + 1 < len(words) else "")  # 的蒸 + 烤箱: a lone character starts a compound
        # a name, not a count (这款六轴的) or a doing (做农残的): and what it owns is a thing (飞检的 ends the
        # question, 六轴的能抓 goes on with a verb)
        if (len(name) >= 2 and name[0] not in _DOINGS and not any(_tags().get(c) == "m" for c in name)
                and not _tags().get(name[0], "")[:1] in ("d", "a")  # a degree or a quality (更窄的拼缝), no name
                and after and _content(after) and not _tags().get(after, "").startswith("v") and after not in _CLAUSE_NOUNS
                and not any(s < words[i][0] and words[j][0] < e for s, e in names)):
            strangers.append(name)
    previous = ""
    for start, word, _ in words:
        pos = start + len(word)
        after_number, previous = _NUMBER.fullmatch(previous) is not None, word if word.strip() else previous
        if after_number and _CJK.match(word) and len(word) <= 2:
            word = ""  # a unit after a number (60 赫兹, 3.5 毫米): a measure, never the thing nor its owner
        if not word.strip():
            if run and not run[-1].isascii():  # a space after a Chinese word ends its phrase (AGV 小车 is one)
                phrases.append(run)
                run = []
            continue
        if any(s < pos and start < e for s, e in spans):
            if run:
                phrases.append(run)
            run = []
            continue
        alias = next((a for (s, e), a in names.items() if s < pos and start < e), None)
        if alias is not None:
            if not run or run[-1] != alias:
                run.append(alias)
            continue
        if _content(word):
            run.append(word)
        elif run:
            if word == "的":
                owners.append(len(phrases))
            phrases.append(run)
            run = []
    if run:
        phrases.append(run)
    # A verb after the thing is what is done to it (上海办事处搬到, 燃气锅炉改造): the head is the noun before.
    for phrase in phrases:
        while len(phrase) > 1 and _tags().get(phrase[-1], "").startswith("v") and phrase[-1] not in names.values():
            phrase.pop()
    return Subject(phrases=phrases, codes=codes, named=list(names.values()), owners=owners, compounds=compounds,
                   strangers=strangers)


def _term(word: str) -> str | None:
    return word if _CJK.search(word) else lexical._ascii_term(word)


def lookup_terms(s: Subject, translations: dict[str, list[str]] | None = None) -> list[str]:
    """The terms whose document frequency :func:`unknown_subject` needs."""
    translations = translations or {}
    out: list[str] = []
    for phrase in s.phrases:
        for word in phrase:
            term = _term(word)
            out.extend(t for t in [term, *lexical.terms(word), *translations.get(word, []),
                                   *(translations.get(term, []) if term else [])] if t)
    for code in s.codes:
        out.extend(lexical.terms(code))
    return list(dict.fromkeys(out))


def _known(word: str, df: dict[str, int], translations: dict[str, list[str]], phrases: list[str],
           named: list[str] = (), texts: list[str] = ()) -> bool:
    term = _term(word)
    if word in named:
        return True
    if _CJK.search(word) and any(word in t for t in texts):
        return True  # in a candidate passage as written (the documents' segmentation cut it otherwise: 年 / 假制度)
    if (len(word) >= 3 and _CJK.match(word[-1]) and jieba.dt.FREQ.get(word, 0) == 0 and any(
            re.search(re.escape(word[:-1]) + r"[\u3400-\u9fff]{0,3}" + re.escape(word[-1]), t) for t in texts)):
        return True  # a compound the dictionary lacks, shortened from a written name (液相仪 for 液相色谱仪)
    if len(word) == 2 and word[1] in "子儿头" and _CJK.match(word[0]) and any(word[0] in t for t in texts):
        return True  # the spoken noun of a written head (柜子 for 储能柜, 机子 for 主机, 盒子 for 终端盒)
    if term is None or df.get(term, 0) > 0:
        return True
    if _CJK.search(word):
        # Known through a translation only when a candidate writes the dictionary's word whole: the stems
        # collide (冰箱 → refrigerator, stemmed refriger, is not the refrigerant a chiller's note holds).
        english = [g for g in crosslingual.glosses(word) if len(g) >= 3]
        # Each gloss head whole (咖啡机 → "coffee machine": a note's "machine" is not a coffee machine), each
        # of its words whole, or a long one in another form (calibrate → calibration: its last two letters
        # may change; refrigerator's refrigerat- is still not refrigerant; a short one only whole: new ≠ news)
        forms = [r"[\s-]+".join(rf"\b{re.escape(g[:-2])}[a-z]*" if len(g) >= 7 else rf"\b{re.escape(g)}(?:s|es)?\b"
                                 for g in head.split())
                 for head in crosslingual.gloss_heads(word) if all(len(g) >= 3 for g in head.split())]
        if any(re.search(f, t) for f in forms for t in texts):
            return True
        if not english and any(df.get(t, 0) > 0 for t in translations.get(term, []) + translations.get(word, [])):
            return True
    else:
        if any(re.search(rf"\b{re.escape(word)}", t) for t in texts):
            return True
        if any(df.get(t, 0) > 0 for t in translations.get(term, []) + translations.get(word, [])):
            return True
        chinese = crosslingual.chinese_words(word)
        if any(zh in t for zh in chinese for t in texts):
            return True  # hotel: a candidate writes 旅馆 or 酒店 (the dictionary's every word for it)
        if any(len(zh) == 2 and zh[1] in "子儿头" and zh[0] in t for zh in chinese for t in texts):
            return True  # cabinet: 柜子, whose written head 柜 is in 储能柜
    if any(word in p or p in word for p in phrases):  # the lexicon maps it to the documents' words
        return True
    if _CJK.search(word) and len(word) >= 3:  # a compound the documents write in parts (计件 + 工资)
        parts = [t for t in lexical.terms(word) if t != word and len(t) >= 2]
        # ... and a compound the dictionary lacks must be spelt by them all (充电宝 is 充电 and a 宝 no
        # document writes; 地下室 is the dictionary's, and 地下 is enough)
        # A machine's or an instrument's name (扫描仪, 注塑机) is a thing of its own: known only written whole
        # (a 3D printer seller writes 扫描 for its laser, never sells a 扫描仪).
        if word[-1] in _MACHINE_CHARS:
            return False
        spelt = jieba.dt.FREQ.get(word, 0) > 0 or all(
            any(word.find(t) <= i < word.find(t) + len(t) for t in parts if t in word) for i in range(len(word)))
        return bool(parts) and spelt and all(df.get(t, 0) > 0 for t in parts)
    return False


def _a_name(phrase: list[str], df: dict[str, int], translations: dict[str, list[str]], phrases: list[str],
            named: list[str], texts: list[str] = ()) -> bool:
    """Is the phrase's unknown word a dictionary noun that can own a thing (格力, 金蝶; not a place such as
    县里, nor a mis-cut run of characters)?"""
    unknown = [w for w in phrase[-2:] if not _known(w, df, translations, phrases, named, texts)]
    # (nor a place at an entrance — 地铁口的扶梯 — nor a quality, 国产化的系统)
    return bool(unknown) and all(jieba.dt.FREQ.get(w, 0) > 0 and _tags().get(w) in _NOUN
                                 and w[-1] not in _PLACE_ENDINGS and w[-1] not in "口化" for w in unknown)


# An English head with at most this many Chinese words in the dictionary has a thin entry (inverter →
# 反相器 only, never 逆变器): as likely the dictionary's gap as a thing the seller does not sell, so the
# models decide (search.py: closeness to the catalogue's product names above chit-chat).
THIN_ENTRY = 2
# An English run longer than this is a description (liquid cooled charger coolant replacement interval),
# not a noun phrase: the models judge it.
MAX_ENGLISH_PHRASE = 3


def english_object(s: Subject) -> str | None:
    """The question's one English noun phrase whose head the dictionary knows only thinly (see
    :data:`THIN_ENTRY`), as :func:`unknown_subject` names it; None otherwise."""
    english = [p for p in s.phrases if p[-1].isascii() and p[-1] not in s.named]
    if len(english) != 1 or not 0 < len(crosslingual.chinese_words(english[0][-1])) <= THIN_ENTRY:
        return None
    return " ".join(english[0])


def unknown_subject(s: Subject, df: dict[str, int], translations: dict[str, list[str]] | None = None,
                    lexicon_phrases: list[str] = (), texts: list[str] = (), english_known: bool = False) -> str | None:
    """Why the documents cannot be about the question's object (a short reason), or None when they may be.
    ``texts``: the candidate passages and titles search read (a word written in one is known);
    ``english_known``: the models placed the English object near the catalogue (search.py)."""
    texts = [lexical.normalise(t) for t in texts]
    translations = translations or {}
    phrases = list(lexicon_phrases)
    # A model number however it is typed: lc8800 / LC 8800 / kp-lc-8800 all name "KP-LC 8800" when a
    # candidate passage or title spells it with or without its prefix, spaces and hyphens.
    squashed = [re.sub(r"[^a-z0-9]", "", t) for t in texts]
    for code in s.codes:
        forms = [t for t in lexical.terms(code) if re.search(r"[a-z]", t) and re.search(r"[0-9]", t)]
        bare = re.sub(r"[^a-z0-9]", "", code)
        spelled = any(re.search(re.escape(bare) + r"(?![0-9])", t) for t in squashed) if bare else False
        if forms and not spelled and not any(df.get(t, 0) > 0 for t in forms):
            return f"unknown model {code}"
    for name in s.strangers:
        if not any(name in t for t in texts) and not any(name in n or n in name for n in s.named):
            return f"unknown owner {name}"  # 发那科的喷涂机器人: a name no candidate writes owns the thing
    if not s.phrases:
        return None
    unknown = []
    judged = 0
    # An English object judges only as one noun phrase (electric scooters, 3D printers): a longer English
    # description (hotel allowance for business trips) has more words the dictionary translates otherwise
    # than the documents write, and the models judge it.
    english_phrases = [p for p in s.phrases if p[-1].isascii() and p[-1] not in s.named]
    for n, phrase in enumerate(s.phrases):
        head = phrase[-1]
        if head.isascii() and head not in s.named:
            # An English noun judges only when the dictionary knows it, and then by every Chinese word the
            # dictionary gives it (turbines → 涡轮, 汽轮机 …; hotel → 旅馆, 酒店 …) besides the documents' own
            # English: a word it does not know (a brand, a typo) decides nothing.
            # Only the head: an English modifier's glosses miss the documents' words too often (协作 is not
            # in collaborative's).
            if (english_known or len(english_phrases) > 1 or len(phrase) > MAX_ENGLISH_PHRASE
                    or not crosslingual.chinese_words(head)):
                continue
            judged += 1
            if not _known(head, df, translations, phrases, s.named, texts):
                unknown.append(" ".join(phrase))
            continue
        judged += 1
        before = phrase[-2] if len(phrase) > 1 else None
        if (before is not None and len(phrase) > 2 and _CJK.search(before) and jieba.dt.FREQ.get(before, 0) == 0
                and before not in s.compounds):
            # a run the dictionary does not know between a noun and the head (餐厅 + 送餐 + 机器人): the
            # dictionary word before it is the compound's modifier
            before = phrase[-3]
        # the word before the head judges a Chinese compound only (扫地 + 机器人; never "customer says"), and
        # only a dictionary word (a run of lone characters is often a mis-cut: 上外网)
        unknown_words = [w for w in (head, before) if w is not None and not _known(w, df, translations, phrases,
                                                                                  s.named, texts)]
        if before in unknown_words and not (_CJK.search(head) and (before.isascii() or jieba.dt.FREQ.get(before, 0) > 0)):
            unknown_words.remove(before)
        # Only a thing the documents never name says "off topic": a dictionary noun (洗衣机, 宽带, 扫地).
        # A verb, a place word or a run the dictionary does not know is how reps talk about the
        # documents' own things (能看出司机打瞌睡吗, 车上装那个盒子, 多久能把钱挣回来): it decides nothing.
        # A verbal noun modifying a noun head names a kind of thing too (加工 + 中心).
        # A place word (厂里, 车间内) is where, not what.
        if unknown_words and any(w.isascii() or w in s.compounds
                                 or (_tags().get(w) in _NOUN and not (len(w) == 2 and w[-1] in _PLACE_ENDINGS))
                                 or (len(w) >= 3 and w[-1] in _FACILITY_CHARS)
                                 or (w == before and w != head and _tags().get(w) == "vn") for w in unknown_words):
            what = "".join(phrase) if _CJK.search(head) else " ".join(phrase)
            if n in s.owners and _a_name(phrase, df, translations, phrases, s.named, texts):
                return f"unknown owner {what}"  # 格力的空调, 金蝶的网银: someone else's thing
            unknown.append(what)
        elif unknown_words and len(phrase) == 1 and _tags().get(head, "")[:1] in ("a", "v"):
            judged -= 1  # a lone adjective or verb the documents never use (不耐用了, 划算) names nothing: no vote
    if not judged or len(unknown) < judged:
        return None
    return "unknown " + ", ".join(unknown)
