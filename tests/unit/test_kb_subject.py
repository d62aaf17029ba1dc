"""subject.py: a question's object (noun phrases, model numbers) and whether term statistics know it."""

from __future__ import annotations

from backend.services.kb.subject import subject, unknown_subject


def test_aspect_words_and_fillers_are_not_the_object():
    assert subject("扫地机器人多少钱").phrases == [["扫地", "机器人"]]
    assert subject("洗衣机保修几年").phrases == [["洗衣机"]]
    # a dictionary word and a noun character the dictionary lacks as one word make one compound (储能 + 柜)
    assert subject("储能柜多少钱一台").phrases == [["储能柜"]]
    assert subject("储能柜多少钱一台").compounds == ["储能柜"]


def test_model_numbers_and_owners():
    assert subject("XJ-900 交期多久").codes == ["xj-900"]
    s = subject("格力的家用空调多少钱")
    assert s.phrases[0] == ["格力"] and s.owners == [0]


def test_a_phrase_is_unknown_when_its_head_or_the_word_before_it_is():
    s = subject("扫地机器人多少钱")
    assert unknown_subject(s, {"机器人": 3}) == "unknown 扫地机器人"
    assert unknown_subject(s, {"机器人": 3, "扫地": 1}) is None
    assert unknown_subject(subject("XJ-900 交期多久"), {"交期": 4}) == "unknown model xj-900"
    assert unknown_subject(subject("XJ-900 交期多久"), {"xj-900": 1}) is None


def test_one_known_phrase_is_enough():
    # 西藏 is a word no note uses, 海拔 is: the question is about the altitude, answered
    assert unknown_subject(subject("西藏那种高海拔的地方能装吗"), {"海拔": 2}) is None
    assert unknown_subject(subject("西藏那种高海拔的地方能装吗"), {}) is not None


def test_catalogue_names_translations_and_the_lexicon_count_as_known():
    s = subject("宁能的液冷温控怎么样", named=["宁能"])
    assert unknown_subject(s, {}) is None  # 宁能 is the catalogue's competitor
    assert unknown_subject(subject("冷媒用的什么"), {"refrigerant": 2}, {"冷媒": ["refrigerant"]},
                           texts=["R1234ze refrigerant, low GWP"]) is None
    assert unknown_subject(subject("过保了怎么办"), {}, lexicon_phrases=["过保"]) is None


def test_an_unknown_owner_refuses_but_a_place_does_not():
    assert unknown_subject(subject("格力的储能柜多少钱"), {"储能": 5, "储能柜": 5}) == "unknown owner 格力"
    assert unknown_subject(subject("县里的储能柜多久能到"), {"储能": 5, "储能柜": 5}) is None


def test_a_longer_english_description_decides_nothing():
    assert unknown_subject(subject("hotel allowance for business trips"), {}) is None


def test_one_english_noun_phrase_is_judged_by_the_dictionarys_chinese_words():
    # turbines → 涡轮, 汽轮机 …: no candidate writes one, so an energy-storage seller does not sell them
    s = subject("does your company sell wind turbines")
    assert s.phrases == [["wind", "turbines"]]  # company is an aspect word, like 公司
    assert unknown_subject(s, {}, texts=["HC-ESS-215 储能柜 质保 5 年"]) == "unknown wind turbines"
    # printers → 打印机: written in a candidate, known
    assert unknown_subject(subject("do you sell printers"), {}, texts=["激光打印机 报价"]) is None
    # a word the dictionary does not know (a brand) decides nothing
    assert unknown_subject(subject("do you sell zorblax"), {}, texts=["储能柜"]) is None


def test_a_translation_is_known_only_when_a_candidate_writes_it_whole():
    # 冰箱 → refrigerator, stemmed like refrigerant: a chiller's note about refrigerant does not know 冰箱
    s = subject("冰箱保修几年")
    assert unknown_subject(s, {"refriger": 3}, {"冰箱": ["refriger"]}, texts=["R1234ze refrigerant"]) == "unknown 冰箱"
    assert unknown_subject(s, {"refriger": 3}, {"冰箱": ["refriger"]}, texts=["the refrigerator line"]) is None


def test_a_compound_the_dictionary_lacks_is_known_only_when_written():
    s = subject("你们的充电宝有没有3C认证")
    assert s.phrases == [["充电宝"]] and s.compounds == ["充电宝"]
    assert unknown_subject(s, {"充电": 4}, texts=["充电桩 3C 认证"]) == "unknown 充电宝"
    assert unknown_subject(s, {"充电": 4}, texts=["移动充电宝 3C 认证"]) is None


def test_a_name_of_lone_characters_owning_the_thing_is_unknown_unless_written():
    s = subject("发那科的喷涂机器人报价多少")
    assert s.strangers == ["发那科"]
    assert unknown_subject(s, {"喷涂": 2, "机器人": 9}, texts=["喷涂机器人 报价"]) == "unknown owner 发那科"
    assert unknown_subject(s, {"喷涂": 2, "机器人": 9}, texts=["对比发那科的喷涂机器人"]) is None
    assert subject("我们的储能柜多少钱").strangers == []  # a pronoun is no name


def test_a_model_number_typed_without_its_prefix_or_spaces_is_known_when_a_passage_spells_it():
    # lc8800 for "KP-LC 8800", cs200 for "CS 200": the passage's spelling, squashed, holds it
    assert unknown_subject(subject("lc8800坏了多久有人来修"), {}, texts=["KP-LC 8800 液相色谱仪 质保两年"]) is None
    assert unknown_subject(subject("cs200 多少钱"), {}, texts=["CS 200 冷库网关报价"]) is None
    # a longer number is another model (cs200 is not CS 2000)
    assert unknown_subject(subject("cs200 多少钱"), {}, texts=["CS 2000 冷库网关报价"]) == "unknown model cs200"


def test_only_an_unknown_noun_makes_a_question_off_topic():
    # verbs, place words and runs the dictionary does not know are how reps talk, not another product
    assert unknown_subject(subject("能不能看出司机在打瞌睡"), {"司机": 2}) is None
    # 车上 is a place word, so not every phrase is shown unknown: 盒子 alone does not refuse it
    assert unknown_subject(subject("车上装那个盒子要多久"), {}) is None
    assert unknown_subject(subject("盒子要多久"), {}) == "unknown 盒子"
    assert unknown_subject(subject("洗衣机保修几年"), {"保修": 5}) == "unknown 洗衣机"


def test_a_spoken_noun_with_a_suffix_is_known_by_its_written_head():
    assert unknown_subject(subject("柜子着火了怎么办"), {}, texts=["XT-300 储能柜：消防与安全"]) is None
    assert unknown_subject(subject("柜子着火了怎么办"), {}, texts=["逆变器的消防"]) == "unknown 柜子"


def test_a_thin_english_entry_is_left_to_the_models():
    from backend.services.kb.subject import english_object

    assert english_object(subject("what is the warranty on the inverter")) == "inverter"  # 反用换流器, 反相器
    assert english_object(subject("do you sell printers")) is None  # ten Chinese words: the dictionary judges
    assert english_object(subject("hotel allowance for business trips")) is None  # two phrases: nothing judges
    # the models' verdict makes the one English phrase known
    s = subject("what is the warranty on the inverter")
    assert unknown_subject(s, {}, texts=["光伏逆变器 质保 10 年"]) == "unknown inverter"
    assert unknown_subject(s, {}, texts=["光伏逆变器 质保 10 年"], english_known=True) is None


def test_a_run_the_dictionary_lacks_between_modifier_and_head_is_skipped():
    # 送餐 is no dictionary word: 餐厅 is the modifier that says which robot, and no document names it
    s = subject("餐厅送餐机器人什么价格")
    assert s.phrases == [["餐厅", "送餐", "机器人"]]
    assert unknown_subject(s, {"机器人": 9}, texts=["协作机器人 报价"]) == "unknown 餐厅送餐机器人"
    assert unknown_subject(s, {"机器人": 9, "餐厅": 1}, texts=["协作机器人 报价"]) is None


def test_written_forms_of_a_translation_and_a_shortened_compound_are_known():
    # 校准 → calibrate: a note saying "calibration" knows it (but refrigerator is still not refrigerant)
    s = subject("校准多久做一次")
    assert unknown_subject(s, {}, texts=["annual calibration service included"]) is None
    # 液相 + 仪: the dictionary lacks 液相仪, a candidate writes 液相色谱仪
    s = subject("液相仪多少钱")
    assert s.compounds == ["液相仪"]
    assert unknown_subject(s, {"液相": 2}, texts=["KP-LC 8800 液相色谱仪 报价"]) is None
    assert unknown_subject(s, {"液相": 2}, texts=["液相 流动相 配方"]) == "unknown 液相仪"


def test_a_name_the_dictionary_lacks_owning_the_thing_is_judged_by_the_candidates():
    # 金厨宝 / 厨联 fall apart into lone characters; 驿充 + 科技 is a company's name
    assert subject("金厨宝的蒸烤箱有没有CE认证").strangers == ["金厨宝"]
    assert subject("厨联的揉面机保修几年").strangers == ["厨联"]
    assert subject("驿充科技的桩有没有CQC认证").strangers == ["驿充科技"]
    kitchen = ["DC-CO10 蒸烤箱 CE 认证 保修两年"]
    assert unknown_subject(subject("金厨宝的蒸烤箱有没有CE认证"), {"烤箱": 3}, texts=kitchen) == "unknown owner 金厨宝"
    # a competitor the documents write is known
    assert unknown_subject(subject("泰马瑞斯的蒸烤箱有没有CE认证"), {"烤箱": 3},
                           texts=kitchen + ["泰马瑞斯 Thermaris 竞品概况"]) is None
    # a count, a doing, a clause or nothing after 的 is no owner
    for question in ["锐驰这款六轴的能抓多重的东西", "做农残的第三方实验室有在用咱家质谱的吗",
                     "有没有医药公司用咱们过了飞检的", "药监来查的时候 咱们记录仪有没有校准证书"]:
        assert subject(question).strangers == [], question


def test_a_translation_counts_by_its_whole_gloss():
    # 咖啡机 → "coffee machine": an English note's "machine" is not a coffee machine
    assert unknown_subject(subject("你们的咖啡机保修几年"), {}, texts=["the machine has a 2-year warranty"]) \
        == "unknown 咖啡机"
    assert unknown_subject(subject("你们的咖啡机保修几年"), {}, texts=["our coffee machines carry 2 years"]) is None


def test_a_facility_compound_is_one_thing_known_only_when_written():
    assert subject("换电站建一座多少钱").compounds == ["换电站"]
    assert subject("加氢站建设要什么认证").compounds == ["加氢站"]
    chargers = ["建充电站要找供电局办什么", "QD-DC160 充电桩 价格"]
    assert unknown_subject(subject("换电站建一座多少钱"), {"电站": 4}, texts=chargers) == "unknown 换电站"
    assert unknown_subject(subject("充电桩一台多少钱"), {"充电": 9}, texts=chargers) is None


def test_a_modal_glued_to_a_verb_and_a_long_english_run_decide_nothing():
    # 能带 is a rare dictionary noun (energy band); here it is 能 + 带
    assert subject("SC-480 一个柜子能带几把枪").phrases == [["柜子"]]
    assert unknown_subject(subject("liquid cooled charger coolant replacement interval?"), {}) is None


def test_places_lone_adjectives_and_measures_decide_nothing_but_a_machine_does():
    # 厂里 is where; 耐用 names no thing; "parts 600mm" is no model number
    assert unknown_subject(subject("签完合同多久能把m280运到客户厂里"), {"客户": 9, "m280": 3}, texts=["RM-M280 交期"]) is None
    assert subject("can the quad laser machine build parts 600mm tall").codes == []
    assert unknown_subject(subject("手机电池不耐用了换一个多少钱"), {}) == "unknown 手机电池"
    # 切割机 is tagged a set phrase by the dictionary, 加工 a verbal noun: both name a kind of machine
    assert unknown_subject(subject("激光切割机安装有什么要求"), {"激光": 5}, texts=["华曜激光 安装"]) == "unknown 激光切割机"
    assert unknown_subject(subject("五轴加工中心报价多少"), {"中心": 2}, texts=["服务中心"]) == "unknown 加工中心"


def test_a_degree_before_de_is_no_owner_and_energy_saving_is_an_aspect():
    assert subject("有没有比3.5毫米更窄的拼缝").strangers == []
    assert unknown_subject(subject("LED路灯有没有节能认证"), {"led": 9, "节能": 2}, texts=["LED 显示屏 节能认证"]) \
        == "unknown led路灯"


def test_a_unit_after_a_number_an_old_machine_and_a_lone_verb_decide_nothing():
    # 60赫兹的电网: a measure, not an owner; 旧机器 is an old machine, no new kind of thing
    s = subject("37pm能不能用在60赫兹的电网 客户是出口项目")
    assert s.owners == [] and ["赫兹"] not in s.phrases
    assert subject("客户旧机器能抵多少钱").phrases == [["客户"], ["机器"]]
    # 划算 (a verb no document uses) does not vote for the question: 年终奖个税 decides it
    assert unknown_subject(subject("年终奖个税怎么算划算"), {}) == "unknown 年终奖个税"


def test_a_machine_is_known_only_written_whole_and_a_price_per_gram_is_no_word():
    # a 3D printer seller writes 扫描 (its laser scans), never sells a 扫描仪
    assert unknown_subject(subject("3D扫描仪有没有CE认证"), {"3d": 8, "扫描": 3}) == "unknown 3d扫描仪"
    # a place ending (纺织厂) is the customer, known by its parts
    assert unknown_subject(subject("纺织厂的案例"), {"纺织": 2, "案例": 5}) is None
    assert ["钱一克"] not in subject("MIM金属注射成型加工多少钱一克").phrases


def test_an_entrance_a_quality_and_a_transaction_before_a_machine_name_no_stranger():
    assert unknown_subject(subject("地铁口露天的扶梯 冬天下雪结冰还能用吗"), {"扶梯": 5, "露天": 1, "冬天": 1}) is None
    assert subject("给客户借样机走什么流程").compounds == []
