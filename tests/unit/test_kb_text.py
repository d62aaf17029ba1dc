"""Chunking, lexical terms, file formats, filters' aliases and the chat rendering, without a database."""

from __future__ import annotations

import io

import pytest

from backend.errors import Invalid
from backend.services.kb import answers, chunking, crosslingual, filters, formats, lexical
from schemas.kb import Passage


def test_chunks_follow_headings_and_stay_short():
    body = "# 安装\n\n## 高海拔\n\n" + "海拔 4000 米以下无需降额。" * 40 + "\n\n## 低温\n\n零下 30 度可启动。"
    chunks = chunking.chunk(body, max_chars=120)
    assert all(len(c.text) <= 120 for c in chunks)
    assert chunks[0].heading == "安装 > 高海拔"
    assert chunks[-1].heading == "安装 > 低温" and chunks[-1].text == "零下 30 度可启动。"
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert "".join(c.text for c in chunks[:-1]).count("海拔 4000 米以下无需降额。") == 40


def test_short_paragraphs_under_one_heading_share_a_chunk():
    chunks = chunking.chunk("第一段。\n\n第二段。\n\n第三段。")
    assert len(chunks) == 1 and chunks[0].text == "第一段。\n\n第二段。\n\n第三段。"


def test_terms_keep_model_numbers_whole_and_drop_fillers():
    terms = lexical.terms("那个嗯HC-ESS-215的GB/T 36276认证")
    assert "hc-ess-215" in terms and "gb/t" in terms and "36276" in terms
    assert "那个" not in terms and "嗯" not in terms and "的" not in terms


def test_model_numbers_meet_however_reps_type_them():
    # CB10, CB-10 and CB 10 share terms; units (50kW, 220V) and decimals (1.2MW) are not split.
    doc = set(lexical.terms("CB-10 协作机器人"))
    assert {"cb-10", "cb10", "cb", "10"} <= doc
    assert set(lexical.terms("CB10 报价")) >= {"cb10", "cb", "10"}
    assert {"cb", "10"} <= set(lexical.terms("cb 10"))
    assert "hcess215" in lexical.terms("HC-ESS-215")
    assert lexical.terms("50kW 220V") == ["50kw", "220v"]
    assert "12mw" not in lexical.terms("1.2MW")


def test_terms_fold_traditional_chinese_width_and_english_plurals():
    assert "报价" in lexical.terms("宁能的報價")
    assert lexical.terms("ＨＣ－ＥＳＳ－２１５")[-1] == "hc-ess-215"
    assert lexical.terms("weaknesses") == lexical.terms("weakness")


def test_tsvector_literal_quotes_and_weights():
    literal = lexical.tsvector_literal(["o'brien"], ["a\\b", "o'brien"])
    assert literal == "'o''brien':1A,3 'a\\\\b':2"


def test_pinyin_terms_for_chinese_names():
    assert lexical.pinyin_terms(["宁能", "绿峰", "柜"]) == ["ningneng", "lvfeng"]


def test_cross_language_expansion_from_the_dictionary():
    # Chinese words gain the stemmed head words of their glosses; English words the Chinese words
    # glossed exactly so (a few at most); nothing the question already holds is added.
    zh = crosslingual.expansions("发票怎么开", lexical.terms("发票怎么开"))
    assert "invoic" in zh["发票"] and len(zh["发票"]) <= crosslingual.MAX_EN_PER_WORD
    en = crosslingual.expansions("warranty and invoice", lexical.terms("warranty and invoice"))
    assert "保修" in en["warranti"] and "发票" in en["invoic"]
    assert all(len(v) <= crosslingual.MAX_ZH_PER_WORD for v in en.values())
    assert crosslingual.expansions("电池 battery", lexical.terms("电池 battery")) == {}
    assert crosslingual.expansions("HC-ESS-215 36276", lexical.terms("HC-ESS-215 36276")) == {}


def test_markdown_header_lines_become_fields():
    doc = formats.parse_markdown("# 标题\nkind: 竞品\ncompetitor: 宁能科技\n\n正文", name="cp_x.md")
    assert (doc.doc_id, doc.title, doc.kind, doc.competitor, doc.body) == ("cp_x", "标题", "competitor", "宁能科技", "正文")


def test_unknown_kind_and_empty_body_are_refused():
    with pytest.raises(Invalid):
        formats.parse_markdown("# t\nkind: brochure\n\nbody", name="a.md")
    with pytest.raises(Invalid):
        formats.parse_markdown("# only a title\n", name="a.md")
    with pytest.raises(Invalid):
        formats.parse_bytes(b"x", name="slides.pptx")


def test_csv_rows_are_documents():
    data = "id,title,body,kind,product\n1,卖点一,液冷,selling_point,储能柜\n2,卖点二,风冷,,\n".encode()
    docs = formats.parse_csv(data, name="points.csv", kind="other")
    assert [d.doc_id for d in docs] == ["points:1", "points:2"]
    assert docs[0].kind == "selling_point" and docs[0].product == "储能柜" and docs[1].kind == "other"
    with pytest.raises(Invalid):
        formats.parse_csv(b"name,text\nx,y\n", name="bad.csv")


def test_docx_headings_become_markdown():
    import docx

    document = docx.Document()
    document.add_heading("储能柜手册", level=0)
    document.add_heading("消防", level=1)
    document.add_paragraph("全氟己酮喷淋。")
    buf = io.BytesIO()
    document.save(buf)
    doc = formats.parse_docx(buf.getvalue(), name="manual.docx")
    assert doc.title == "储能柜手册"
    assert chunking.chunk(doc.body)[0].heading == "消防"
    with pytest.raises(Invalid):
        formats.parse_docx(b"not a zip", name="broken.docx")


def test_competitor_and_product_aliases():
    assert {"宁能", "ningneng", "宁能科技"} <= filters.competitor_aliases("宁能科技")
    assert {"hc-inv-50k", "逆变器"} <= filters.product_aliases("HC-INV-50K 光伏逆变器")
    # a head every catalogue shares names no one product (设备 would filter every 设备 question to it)
    assert "设备" not in filters.product_aliases("全线设备")
    # an everyday head (系统, 平台, 改造) names no product: the word before it joins it, and reps' abbreviation counts
    aliases = filters.product_aliases("光域云播 信息发布系统")
    assert "系统" not in aliases and {"发布系统", "信发系统"} <= aliases
    assert "改造" not in filters.product_aliases("空压站节能改造")
    assert "云平台" in filters.product_aliases("AirLink 空压站云平台")
    assert filters._named("ems 能不能私有化", "ems") and not filters._named("systems", "ems")


def test_competitor_short_forms_drop_trade_words_and_english_trade_words_name_nobody():
    assert {"德威", "dewei"} <= filters.competitor_aliases("德威机器人")
    assert {"友联", "youlian"} <= filters.competitor_aliases("友联软件")
    assert "迈瑞" in filters.competitor_aliases("迈瑞医疗器械")
    assert "海康" in filters.competitor_aliases("海康威视")
    assert "东方" not in filters.competitor_aliases("东方明珠")  # an everyday word is no short form
    aliases = filters.competitor_aliases("Northwind Energy")
    assert "northwind" in aliases and "energy" not in aliases


def test_a_name_in_both_scripts_gives_both_and_a_shortened_model_names_the_product():
    assert {"nordair", "诺德气", "nuodeqi"} <= filters.competitor_aliases("NordAir 诺德气")
    assert {"锋源", "fengyuan"} <= filters.competitor_aliases("锋源机电 (Fengyuan)")
    aliases = filters.product_aliases("QF-75VSD 永磁变频空压机")
    assert "qf-75" in aliases and filters._named("qf75多少钱一台", "qf-75")
    assert filters.truncated_code("hd-15") is None and filters.truncated_code("of-22w") == "of-22"


def test_model_numbers_name_a_product_with_or_without_hyphens():
    assert filters._named("cb10 能不能试用", "cb-10") and filters._named("cb 10 price", "cb-10")
    assert filters._named("xr-300 质保", "xr300")
    assert not filters._named("cb-100 报价", "cb-10") and not filters._named("acb-10", "cb-10")


def test_lexical_confidence_discounts_the_names_the_filters_used():
    from backend.services.kb.search import lexical_confidence

    # Every note on the product holds its name (0.8 of the question); one also holds the rest.
    ranking = [(1, 1, 1.2), (2, 2, 0.8), (3, 3, 0.8)]
    assert lexical_confidence(ranking) < 0.4
    assert lexical_confidence(ranking, shared=0.8) == 1.0
    assert lexical_confidence([(1, 1, 0.8), (2, 2, 0.8)], shared=0.8) == 0.0


def _passage(i: int, text: str) -> Passage:
    return Passage(doc_id=f"d{i}", title=f"标题{i}", kind="selling_point", product="储能柜", competitor=None,
                   source=f"d{i}.md", text=text, score=1.0)


def test_format_passages_fits_one_wechat_message():
    passages = [_passage(i, "很长的卖点。" * 400) for i in range(3)]
    reply = answers.format_passages(passages, "zh")
    assert len(reply.encode()) <= 2048
    assert reply.count("来源: d") == 3 and "1. 【卖点】标题0" in reply and "…" in reply


def test_format_passages_short_ones_are_whole_and_none_says_so():
    reply = answers.format_passages([_passage(1, "液冷温控。")], "en", 2048)
    assert "液冷温控。" in reply and "Source: d1.md" in reply
    assert "没有找到" in answers.format_passages([], "zh")


def test_a_model_typed_without_its_series_prefix_names_the_product():
    assert {"m500q", "m500", "rm-m500"} <= filters.short_codes("rm-m500q")
    assert filters.short_codes("gy-c12") == {"c12"} and filters.short_codes("xr-300") == set()
    assert "m500" in filters.product_aliases("RM-M500Q 大幅面金属打印机")
