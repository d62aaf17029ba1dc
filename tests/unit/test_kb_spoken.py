"""Spoken questions: fillers and asking words removed, colloquial phrases mapped to document terms,
and the reply quoting the answering sentence."""

from __future__ import annotations

from backend.services.kb import answers, spoken
from schemas.kb import Passage


def test_fillers_openers_and_particles_are_removed():
    assert spoken.clean("那个嗯我们的储能柜零下几度还能用啊") == "储能柜零下几度还能用"
    assert spoken.clean("帮我查一下 叉车满电能跑多远") == "叉车满电能跑多远"
    assert spoken.clean("客户问保修几年呢？") == "保修几年"
    assert spoken.clean("嗯") == "嗯"  # nothing left: the question stays as it was


def test_colloquial_phrases_map_to_document_terms_longest_first():
    found = spoken.matches("满电能跑多远 多久充满", spoken.DEFAULT_LEXICON)
    assert found["能跑多远"][0] == "续航" and "充电时间" in found["多久充满"]
    assert "跑多远" not in found  # inside 能跑多远, which won
    assert spoken.matches("What's the warranty?", spoken.DEFAULT_LEXICON) == {"warranty": ["质保"]}
    assert spoken.matches("forewarranty", spoken.DEFAULT_LEXICON) == {}  # English phrases match whole words


def _passage(text: str) -> Passage:
    return Passage(doc_id="sp_e6", title="E6 电动叉车：续航与充电", kind="selling_point", product="E6 电动叉车",
                   competitor=None, source="sp_e6.md", text=text, score=1.0)


def test_reply_quotes_the_answering_sentence_with_its_source():
    text = "E6 采用磷酸铁锂电池。满电续航 8 小时，约 60 公里。快充 1.5 小时充满 80%。整车质保 3 年。"
    reply = answers.quote_answer("满电能跑多远", [_passage(text)], "zh")
    assert "满电续航 8 小时，约 60 公里。" in reply and "来源: sp_e6.md" in reply
    assert "整车质保 3 年" not in reply  # the sentence, not the whole passage
    assert answers.answering_sentences("多久充满", _passage(text))[0].startswith("快充 1.5 小时")
    assert "没有找到" in answers.quote_answer("房贷利率是多少", [], "zh")


def test_reply_fits_one_wechat_message():
    long = "续航很长。" + "满电续航 8 小时，" * 400 + "。"
    others = [_passage("其他。")] * 2
    reply = answers.quote_answer("能跑多远", [_passage(long)] + others, "zh")
    assert len(reply.encode()) <= answers.WECHAT_TEXT_LIMIT and "来源: sp_e6.md" in reply and "相关资料" in reply


def test_language_offset_is_taken_out_of_a_models_similarities():
    from backend.services.kb.search import debias_language, fuse

    # A Chinese question: the Chinese notes sit 0.1 higher for their language; the English note that
    # answers (chunk 4) is the best of its language by far.
    ranking = [(1, 1, 0.86), (2, 2, 0.85), (3, 3, 0.84), (4, 4, 0.83), (5, 5, 0.74), (6, 6, 0.73)]
    chinese = [True, True, True, False, False, False]
    shifted = debias_language(ranking, chinese)
    assert shifted[0][0] == 4
    assert debias_language(ranking[:4], chinese[:4]) == ranking[:4]  # too few of one language: unchanged
    scores, weight = fuse([shifted], [(4, 4, 0.9), (1, 1, 0.2)])
    assert max(scores, key=scores.get) == 4 and 0.35 <= weight <= 0.85


def test_a_spoken_unit_after_a_number_maps_to_the_symbol_documents_write():
    assert spoken.matches("37pm能不能用在60赫兹的电网", {}) == {"60赫兹": ["60hz", "hz"]}
    assert spoken.matches("75千瓦的机器 1.3兆帕", {})["1.3兆帕"] == ["1.3mpa", "mpa"]
    assert spoken.matches("三千瓦", {}) == {}  # a spoken number is left to the models


def test_a_price_per_square_metre_and_payment_instalments_map_to_the_documents_terms():
    assert spoken.matches("户外屏多少钱一平", spoken.DEFAULT_LEXICON)["一平"] == ["m2", "平方米"]
    assert "付款方式" in spoken.matches("客户想付款分几次", spoken.DEFAULT_LEXICON)["分几次"]
