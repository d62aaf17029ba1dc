"""Word lists the parser matches against: pipeline stages, people, companies, fillers.

Everything here is in simplified Chinese (the parser matches on a simplified copy of the message)
or lower-case English. Lists are structural cues — suffixes, honorifics, verbs — never customer
or product names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import msgspec


class StageAlias(msgspec.Struct, frozen=True):
    """One pipeline stage as the parser sees it: its key, Chinese name and the words reps use."""

    key: str
    name_zh: str
    aliases: list[str] = msgspec.field(default_factory=list)


# The default LTC pipeline of shared/DESIGN.md.
DEFAULT_STAGES: tuple[StageAlias, ...] = (
    StageAlias("lead", "线索", ["新线索", "新客户"]),
    StageAlias("qualified", "验证", ["确认需求", "需求确认"]),
    StageAlias("initiated", "立项", ["项目立项"]),
    StageAlias("solution", "方案", ["标前引导", "出方案"]),
    StageAlias("bidding", "投标", ["招标"]),
    StageAlias("negotiation", "谈判", ["商务谈判", "议价"]),
    StageAlias("won", "签约", ["赢单", "成交", "签了"]),
    StageAlias("paid", "回款", ["收款", "款到了"]),
    StageAlias("lost", "输单", ["丢单", "丢了", "没拿下"]),
)

# English words reps use for the default stage keys (matched case-insensitively, whole words).
EN_STAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "lead": ("lead",),
    "qualified": ("qualified", "qualification", "qualifying"),
    "initiated": ("initiated", "initiation", "project approved"),
    "solution": ("solution", "proposal", "solutioning"),
    "bidding": ("bidding", "bid", "tender", "tendering"),
    "negotiation": ("negotiation", "negotiating", "negotiate"),
    "won": ("won", "closed won"),
    "paid": ("paid", "payment received", "deposit received", "received the payment", "received payment",
             "payment came in", "money received", "invoice paid"),
    "lost": ("lost", "closed lost"),
}

# Extra Chinese aliases understood for the default keys (besides DESIGN.md's table).
EXTRA_ZH_ALIASES: dict[str, tuple[str, ...]] = {
    "qualified": ("需求验证", "验证需求", "需求已经确认", "需求已确认", "需求都确认", "需求也确认", "需求确定"),
    "solution": ("方案阶段", "做方案"),
    "bidding": ("投标阶段", "招投标"),
    "negotiation": ("谈判阶段", "谈价格", "谈价钱", "砍价", "压价"),
    "paid": ("已回款", "到账了", "款已到", "收到款", "已收款", "已付款", "已结清", "已到账"),
}

# Stage keys whose move is a win / loss intent rather than update_stage.
WON_KEY = "won"
LOST_KEY = "lost"


class StageLexicon:
    """The compiled alias matcher for one pipeline."""

    def __init__(self, stages: tuple[tuple[str, str, tuple[str, ...]], ...]):
        self.keys: list[str] = []
        self.names: dict[str, str] = {}
        self.order: dict[str, int] = {}
        pairs: list[tuple[str, str]] = []
        for key, name_zh, aliases in stages:
            if key not in self.order:
                self.order[key] = len(self.keys)
                self.keys.append(key)
            self.names[key] = name_zh
            words = {name_zh, *aliases, *EXTRA_ZH_ALIASES.get(key, ())}
            for w in words:
                w = _simplify(w).strip()
                if w:
                    pairs.append((w.lower(), key))
            for w in EN_STAGE_ALIASES.get(key, ()):
                pairs.append((w, key))
            pairs.append((key.lower(), key))
        by_word: dict[str, str] = {}
        for w, k in pairs:
            by_word.setdefault(w, k)
        self.by_word = by_word
        words = sorted(by_word, key=len, reverse=True)
        parts = []
        for w in words:
            if re.fullmatch(r"[a-z0-9 ]+", w):
                parts.append(r"(?<![a-z])" + re.escape(w).replace(r"\ ", r"\s+") + r"(?![a-z])")
            else:
                parts.append(re.escape(w))
        self.pattern = re.compile("|".join(parts), re.IGNORECASE)

    def key_of(self, word: str) -> str | None:
        return self.by_word.get(re.sub(r"\s+", " ", word.lower()))


def _simplify(text: str) -> str:
    from bot.intents.text import to_simplified

    return to_simplified(text)


@lru_cache(maxsize=64)
def _compile(stages: tuple[tuple[str, str, tuple[str, ...]], ...]) -> StageLexicon:
    return StageLexicon(stages)


def stage_lexicon(stages: Sequence[StageAlias] | None = None) -> StageLexicon:
    """Default stages, plus (merged by key) the tenant's own stages and aliases."""
    rows = [(s.key, s.name_zh, tuple(s.aliases)) for s in DEFAULT_STAGES]
    if stages:
        rows += [(s.key, s.name_zh, tuple(s.aliases)) for s in stages]
    return _compile(tuple(rows))


# ---------------------------------------------------------------- people

# Common Chinese surnames (single and compound); a surname + honorific is a name (刘总, 赵工).
SURNAMES_2 = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 端木 申屠 轩辕 南宫"
).split()
SURNAMES_1 = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻"
    "位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦"
    "戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但"
    "尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
    # common surnames the list above lacked (洪志伟 / 阎立军 / 鄂 / 濮 …)
    "洪阎鄂汝濮郦蔚巢桓竺逄宦庾郏"
)
# Honorifics that follow a surname: 刘总, 赵工, 徐经理, 胡主任, 孙科长.
HONORIFICS = (
    "总经理", "董事长", "经理", "主任", "科长", "处长", "局长", "部长", "厂长", "院长", "所长", "老师",
    "老板", "总监", "主管", "书记", "秘书", "工程师", "博士", "教授", "董", "总", "工", "姐", "哥", "生",
    "小姐", "先生", "女士", "师傅", "护士长", "护士", "医生", "大夫", "律师", "队长", "组长", "站长", "校长", "会长", "行长", "班长",
    "理事长", "场长", "股长", "社长", "村长", "镇长", "支书", "园长", "馆长", "课长", "场主", "秘书长",
    # Hong Kong / Guangdong forms of address written in Latin letters (黄sir, 陈Sir, 李Madam)
    "sir", "Sir", "SIR", "madam", "Madam", "sir哥",
)
# Document types reps name in capitals: not a product code (知识库里有标准MSA合同模板吗 names no product).
DOC_ACRONYMS = frozenset({"MSA", "SOW", "NDA", "PO", "RFP", "RFQ", "RFI", "SLA", "POC", "PPT", "PDF", "QA", "FAQ", "SOP", "BOM", "KPI", "EHS", "MSDS"})
# Bodies whose codes name standards (GB 30871 / GB/T 29639 / NFPA 72 / ISO 45001): a regulation, never a product code.
STANDARD_BODIES = frozenset({"GB", "GBT", "GBZ", "ISO", "IEC", "NFPA", "EN", "UL", "ANSI", "ASTM", "DIN", "JGJ", "HG", "AQ", "SH", "DL", "JB", "NB", "CJJ", "GA", "OSHA", "BS", "JIS"})
# Colleagues and roles a rep brings along (带售前去… / 陪技术): never the customer.
COLLEAGUE_WORDS = ("售前", "售后", "同事", "技术", "工程师", "实施", "领导", "老板", "经理", "顾问", "专家", "团队", "老总",
                   "设计师", "技术员", "安装工", "施工队", "司机", "师傅们", "测量员")
# Stage verbs that state a move outright (阶段改成方案 / 进入投标): they outweigh a done activity.
EXPLICIT_MOVE_VERBS = (
    "进入到", "进入", "推进到", "推进", "推到", "推去", "转去", "改到", "改成", "改为", "调整到", "调整为", "调到", "调成", "转入", "转到", "挪到",
    "移到", "切到", "切换到", "退回到", "退回", "回退到", "回退", "退到", "更新为", "更新到", "更新成", "变更为", "变更到", "设为", "设置为", "设成", "moved to", "move to", "moved back to",
    "went to", "pushed to", "progressed to", "advanced to", "moved into", "moving to", "bumped to", "now in",
)
# A single-character honorific followed by one of these is a word, not a person (居工地 / 李总部 / 生产).
HON_WORD_BREAKERS = "地厂程作艺业期序位具资部裁包价额量体结产活意物"
# Role words: a run ending in one of these is a job title (生产总监, 采购经理, 设备科长, 副总).
TITLE_ENDINGS = (
    "总监", "经理", "科长", "主任", "主管", "总裁", "董事长", "总经理", "副总", "厂长", "部长", "处长",
    "工程师", "采购", "负责人", "老板", "总工", "书记", "院长", "局长", "所长", "秘书", "助理", "专员",
    "顾问", "总", "董事", "合伙人", "创始人", "老总", "组长", "主管", "课长", "股长", "站长", "会长",
    "行长", "校长", "馆长", "处长", "总师", "架构师", "工程师", "技术员", "采购员", "业务员", "主席",
    "总厨", "厨师长", "主厨", "店长", "主理人", "园长", "教导主任", "实验员", "检验员", "质检员",
    "理事长", "场长", "社长", "村长", "镇长", "支书", "秘书长", "会长", "副会长",
    # owners and crew heads of farms and teams (宏达家庭农场场主, 服务队队长); the HR role itself (人事 汪静)
    "场主", "园主", "庄主", "队长", "机长", "人事", "人资", "老板娘",
    # crew and shift heads (叉车班长 / 值班长 / 工段长)
    "班长", "值班长", "工段长", "线长",
    # fleet and depot heads (车队长, 调度长, 站长 is above)
    "车队长", "调度长", "调度", "车管",
    # office functions that name the person who holds them (总务 谢佩珊 / 行政 于倩 / 前台 小林),
    # and the studio professions (主持建筑师 / 首席设计师)
    "行政", "总务", "后勤", "前台", "文员", "出纳", "会计", "建筑师", "设计师", "规划师",
    # ward and clinic roles (护理部护士长 / 感染科主任医师)
    "护士长", "主任医师", "医师",
)
EN_TITLE_WORDS = (
    "ceo", "cto", "cfo", "coo", "cio", "cpo", "ciso", "cso", "cmo", "cdo", "cro", "chro", "vp", "svp", "evp", "head", "director", "manager",
    "chief", "engineer", "officer", "lead", "president", "founder", "owner", "buyer", "purchasing",
    "procurement", "gm", "partner", "supervisor", "architect", "specialist", "coordinator",
    "executive", "chairman", "principal", "administrator", "admin", "analyst", "consultant", "hrbp", "hrd", "hrm",
    "ops", "hr", "dispatcher",
)

# ---------------------------------------------------------------- companies

# Endings that make a run of characters a company / organisation name.
COMPANY_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "集团", "股份", "科技", "技术", "电子",
    "化工", "精化", "精密", "新材料", "材料", "新能源", "能源", "重工", "机械", "制造", "智造", "物流",
    "冷链", "陶瓷", "印染", "纺织", "农业", "半导体", "数据中心", "交易中心", "中心", "研究院", "设计院",
    "研究所", "医院", "学院", "大学", "学校", "院", "管委会", "委员会", "物业", "港务", "码头", "文旅",
    "电气", "电力", "电器", "电机", "电缆", "工业", "实业", "贸易", "商贸", "医药", "药业", "制药", "生物",
    "汽车", "汽配", "食品", "饮料", "钢铁", "钢业", "建设", "建工", "工程", "环保", "环境", "光电", "光伏",
    "通信", "网络", "软件", "信息", "智能", "自动化", "装备", "设备", "仪器", "仪表", "化学", "塑料", "塑胶",
    "橡胶", "包装", "印刷", "家具", "家居", "服饰", "服装", "酒店", "银行", "厂", "矿业", "水泥", "玻璃",
    "造纸", "纸业", "石化", "化纤", "热电", "水务", "燃气", "地产", "置业", "控股", "投资", "咨询", "管理",
    "传媒", "文化", "教育", "供应链", "百货", "超市", "家电", "航运", "港口", "机场", "轨道", "交通",
    "铁路", "铝业", "铝材", "铜业", "五金", "泵业", "阀门", "模具", "机电", "电池", "储能", "光学",
    "游艇", "船舶", "海运", "航空", "乳业", "酒业", "纸品", "农场", "牧业", "渔业", "林业", "矿山",
    "研究中心", "实验室", "工作室", "事务所", "合作社", "商行", "门店", "营业部", "办事处", "车间", "工厂",
    "基地", "园区", "医疗", "健康", "数据", "云", "数码", "微电子", "电子厂", "精工", "重型", "钢构",
    "建材", "陶业", "新材", "化纤", "织造", "发展", "产业", "企业", "国际", "控股集团", "机器人", "系统",
    "云计算", "网络科技", "信息技术", "数字", "数科", "智联", "互联", "新能", "动力", "热能", "制冷", "空调",
    "照明", "物联", "车业", "船业", "重机", "精机", "工贸", "科创", "创新", "研究", "设计", "规划",
    "饰品", "鞋业", "用品", "制品", "日化", "家纺", "纺织品", "皮革", "眼镜", "玩具", "灯饰", "卫浴", "厨具",
    "涂料", "油墨", "胶业", "线缆", "管业", "泵阀", "轴承", "齿轮", "紧固件", "锻造", "铸造", "冲压", "注塑",
    # schools and public bodies (株洲市第二中学 / 原阳县农业农村局 / 高树乡农会)
    "中学", "小学", "一中", "二中", "三中", "职高", "职校", "幼儿园", "教育局", "教体局", "农业局", "农业农村局", "局", "农会",
    # shops and clinics (康宁药店 / 仁和诊所 / 蓉城连锁)
    "药店", "药房", "大药房", "诊所", "门诊部", "连锁", "餐饮", "酒楼",
    # transport and services (长风货运 / 顺达快运 / 宏泰运输 / 汇达汽修 / 金犁农机 / 富民农机服务队)
    "货运", "快运", "运输", "快递", "速运", "汽运", "客运", "车队", "汽修", "轮胎", "轮业", "农机", "农装", "服务队",
    "材料行", "五金行", "车行", "电器行",
    # agri-food and materials trades named X业 (金穗米业 / 甜蜜蔗业 / 天润棉业)
    "米业", "粮业", "粮油", "面业", "茶业", "糖业", "果业", "种业", "蔗业", "棉业", "草业", "禽业", "蛋业", "畜牧",
    "水产", "油业", "盐业", "竹业", "木业", "石业", "瓷业", "镁业", "锂业", "硅业",
    # zones and parks named as customers (丹徒经开区 / 洋河新区 / 嘉兴港区 / 天山物流园), city services and mining
    "经开区", "开发区", "高新区", "新区", "保税区", "港区", "工业园", "产业园", "物流园", "科技园",
    "环卫", "公交", "煤炭", "煤业", "煤矿", "租赁", "仓储", "电镀", "印务", "彩印",
    # venues that are customers of facility services (华山湖湿地公园 / 欢乐谷景区 / 金桥宾馆 / 环球大厦)
    "湿地", "景区", "宾馆", "饭店", "度假区", "大厦", "商城",
    # dental clinics named by their trade (瑞尔口腔 / 美年口腔 / 拜博齿科)
    "口腔", "齿科",
)
# Endings of a whole organisation (not a department): a title glued after one starts after it
# (第二中学总务处主任 → 总务处主任, 实验小学副校长 → 副校长).
ORG_HEAD_ENDINGS = (
    "股份有限公司", "有限责任公司", "有限公司", "公司", "集团", "中学", "小学", "学校", "大学", "学院", "医院", "幼儿园",
    "职高", "局", "合作社", "农场", "研究院", "研究所", "委员会", "管委会", "农会",
    "经开区", "开发区", "高新区", "新区", "保税区", "港区",
)
EN_COMPANY_SUFFIXES = (
    "ltd", "limited", "inc", "co", "corp", "corporation", "company", "gmbh", "llc", "plc", "ag", "sa",
    "group", "holdings", "logistics", "technologies", "technology", "systems", "solutions", "industries",
    "energy", "foods", "farm", "labs", "robotics", "centers", "centres", "manufacturing", "partners",
)

# Department names (采购部 / 设备科 / 物流部): the customer's people, never the customer; an alternation.
DEPARTMENT_WORDS = (
    "采购|生产|设备|技术|工程|销售|市场|财务|行政|人事|运营|项目|质量|品质|研发|信息|IT|物流|仓储|安全|能源|动力|基建|后勤|"
    "商务|战略|供应链|制造|工艺|电气|机电|厂务|总务|综合|办公室|投资|规划|建设|运维|数字化|信息化|智能化|车间|班组|工段|法务|"
    # safety, property and site areas (物业总经理 / 消防队长 / 安环部 / HSE 总监)
    "物业|消防|安保|保安|保卫|物资|安环|环安|安监|应急|职业健康|EHS|HSE|"
    # facility, housekeeping and ward areas (设施经理 / 保洁主管 / 客房部经理 / 护理部主任 / 院办主任)
    "设施|保洁|客房|护理|医务|院办|营运|招商|物管|"
    # the head office's own offices (总经理办公室主任 / 总裁办主任 / 董办主任)
    "总经理办公室|总裁办公室|总裁办|董事会办公室|董办"
)

# ---------------------------------------------------------------- words around a message

FILLER_CHARS = "嗯呃额噢哦"  # dropped anywhere in voice text
LEADING_FILLERS = ("那个", "就是说", "就是", "这个", "然后", "哎呀", "哎哟", "唉呀", "啊呀", "唉", "哎", "嗯", "呃", "额", "啊", "哦", "噢", "emm", "em", "um", "uh")
CHATTER_PREFIXES = (
    "跟你说个好消息", "跟你说个坏消息", "跟你报个喜", "给你报个喜", "说个好消息", "报个喜", "告诉你个好消息",
    "告诉你一个好消息", "跟你说一个好消息", "搞定了", "搞定啦", "太好了", "太棒了", "耶",
    "我跟你说", "我和你说", "跟你说一下", "跟你说下", "跟你说", "跟你讲一下", "跟你讲下", "跟你讲", "和你说一下", "和你说下", "给你说一下", "告诉你", "好消息", "坏消息", "刚才说错了", "刚才搞错了", "刚才弄错了",
    "刚刚说错了", "刚说错了", "说错了", "搞错了", "更正一下", "更正", "纠正一下", "纠正", "对了", "另外", "还有", "麻烦", "请",
    "帮我", "帮忙", "给我", "哈哈", "我说", "重新说", "改一下",
    # openers of dialect / voice chatter before the deal's name (老铁 / 跟你说个事 / 刚接到电话)
    "跟你说个事", "跟你说件事", "说个事", "老铁", "兄弟", "刚刚接到电话", "刚接到电话", "接到电话",
)

# ---------------------------------------------------------------- voice-input slips and time cues

# Homophone slips of voice input, read as the word meant (README: 新线锁, 和同, 立向). Each pair has
# the same length, so the normalised copy stays index-aligned with the original; field values are
# still cut from the original text. Short, ambiguous slips only with the context that makes them
# unambiguous (和同 → 合同 only next to 签 / 份; 那下 → 拿下 only after 没 or before 了).
HOMOPHONES: dict[str, str] = {
    "线锁": "线索", "新线所": "新线索", "立向": "立项", "立相": "立项", "利项": "立项", "力项": "立项", "须求": "需求", "需球": "需求",
    "签和同": "签合同", "和同签": "合同签", "份和同": "份合同", "和同额": "合同额", "和同款": "合同款",
    "没那下": "没拿下", "那下了": "拿下了", "到帐": "到账", "投镖": "投标", "谈盘": "谈判", "回宽": "回款",
    "输丹": "输单", "丢丹": "丢单", "赢丹": "赢单", "签月": "签约",
    "立像": "立项", "立象": "立项", "谈盼": "谈判", "谈叛": "谈判", "投镳": "投标", "投表": "投标", "招表": "招标",
    "头标": "投标", "偷标": "投标", "谈盼了": "谈判了", "赢担": "赢单", "回宽了": "回款了",
}

# Cantonese written as spoken (Hong Kong / Guangdong reps), read as the Mandarin meant; keys are written
# either way (text.py matches their zhconv-simplified form: 嗰 → 𠮶), every pair keeps the length, and text
# fields are still cut as written.
DIALECT: dict[str, str] = {
    # time
    "听日": "明天", "听朝": "明早", "听晚": "明晚", "后日": "后天", "今日": "今天", "寻日": "昨天", "琴日": "昨天",
    "噚日": "昨天", "上昼": "上午", "下昼": "下午", "晏昼": "中午", "今朝": "今早", "啱啱": "刚刚", "头先": "刚才",
    "而家": "现在", "依家": "现在", "今个": "这个", "呢个": "这个", "呢单": "这单", "呢间": "这家",
    # verbs and outcomes
    "搞掂": "搞定", "落单": "下单", "再提我": "再提醒", "提我": "记得", "入咗": "进了", "唔该": "麻烦", "倾": "谈", "揾": "找", "睇": "看", "嚟": "来",
    "畀": "给", "俾": "给", "冇咗": "丢了", "佢哋话": "他们说", "佢话": "他说",
    # 先唔好提我住 / 唔使提我: don't remind me (yet)
    "唔好提我": "不要提醒", "唔使提我": "不用提醒", "唔好催": "不要催", "唔使催": "不用催",
    # function words
    "嗰": "那", "咗": "了", "佢": "他", "哋": "们", "嘅": "的", "冇": "没", "喺": "在", "啲": "些", "咩": "啥",
    "乜嘢": "什么", "咩嘢": "什么", "有冇": "有没", "几多": "多少", "点样": "怎样", "点解": "为何", "边个": "哪个",
    "边间": "哪家", "唔系": "不是", "唔要": "不要", "唔想": "不想", "唔得": "不行", "唔买": "不买", "唔签": "不签",
}

# Time words that place what the message says in the past (上周二拜访了 is done, not a reminder).
PAST_TIME_WORDS = (
    r"上(?:个)?(?:周|星期|礼拜)[一二三四五六日天1-7]?", r"上个?月", r"昨天", r"昨晚", r"昨日", r"前天", r"前几天", r"前两天",
    r"上次", r"上回", r"刚才", r"刚刚", r"\byesterday\b", r"\blast (?:week|month|mon|tue|wed|thu|fri|sat|sun)\w*",
    r"\b\w+ ago\b",
    # Met Tom at X this morning: a morning dated by a verb in the past tense is no due time
    r"\b(?:met|visited|called|demoed|showed|had|sent|toured|saw|went|was|were|did|walked|gave|ran|held|hosted|presented|discussed|reviewed|spoke|talked|took|brought|delivered)\b[^.;!?。；！？]{0,64}?\bthis morning\b",
)

# Words right before a win word that make it a win still to come (客户说下周签合同 / 准备签约 / will sign).
FUTURE_WIN_MARKERS = (
    "下周", "下个?星期", "下个?礼拜", "下个?月", "明天", "后天", "月底", "年底", "年前", "节后", "过几天", "过两天",
    "准备", "打算", "计划", "预计", "争取", "有望", "希望", "应该", "可能", "快要?", "马上", "即将", "将要?", "要", "想",
    "(?<![开完议协商学工委农])会(?![计议所员长馆展场务客])",  # (会计师 / 会议室 / 会所: a noun, no future) "等", "能不能", "是否", "约好", "说好",
    r"\bwill\b", r"\bgoing to\b", r"\bplan(?:s|ning)? to\b", r"\bexpect(?:s|ed)? to\b", r"\bnext week\b",
)

# Asking the bot to store what precedes / follows (录一下 / 加到系统里 / add to CRM): with a person or a
# company in the message it is a new lead, wherever it stands.
LEAD_RECORD_PHRASES = (
    r"(?:帮我|给我|你帮我|麻烦)?(?:把(?:他|她|这个客户|这个人|这家|他们)?)?(?:录|录入|加|添加|存|登记|导入|放)(?:一下|下)?(?:到|进)(?:系统|crm|客户库|客户列表|通讯录|线索库)(?:里|中|里面)?",
    r"(?:帮我|你帮我|给我|麻烦)?(?<!记)(?:录|录入|登记)(?:一下|下)(?!.{0,6}(?:拜访|电话|会议(?!中心|室|厅)|沟通))",  # not 记录一下 (a note)
    r"\badd (?:it|him|her|them|this)? ?(?:to (?:the )?(?:crm|system|pipeline))\b",
    r"\bas an? (?:new )?(?:lead|prospect|customer)\b",
    r"^\s*(?:please\s+|pls\s+|can you\s+)?add\b(?=.{1,80}\bas an? (?:new )?(?:lead|prospect|customer)\b)",
    # a pasted card closed by "add as new lead pls"
    r"\badd\s+(?:it\s+|them\s+|this\s+|him\s+|her\s+)?as\s+(?:an?\s+)?(?:new\s+)?(?:lead|prospect|customer)\b(?:\s+(?:pls|plz|please))?",
    r"(?:得|要|需要|想)(?:录|录入|登记)(?:一下|下)(?!.{0,6}(?:拜访|电话|会议(?!中心|室|厅)|沟通))",  # 有个新客户得录一下
    # Pls add: X, Name (Title), email …: an English "add" opening a pasted card
    r"^\s*(?:(?:please|pls|plz|can you|could you)\s+)?add\s*[:：\-–—]\s*",
    r"^\s*(?:please|pls|plz|can you|could you)\s+add\s+(?-i:(?=[A-Z][a-z]))",  # Please add Orbit Labs — Jane Doe, CFO — …
    # 你帮我建一下X / 麻烦加一下X: a build verb addressed to the bot, its object the customer
    r"(?:你|请)?(?:帮我|给我|麻烦你?|帮忙)(?:新建|创建|建|添加|加|登记)(?:一下|下)(?!.{0,8}(?:拜访|电话|会议|沟通|提醒|备注|记录|跟进|待办|日程|微信|好友|群))",
    # 帮我建档：X / 给这家建个客户档案 / 建档 X: opening a customer file is recording a new lead
    r"(?:(?:帮我|给我|你帮我|麻烦你?|请|帮忙)(?:给(?:他|她|他们|这家|这个客户))?|^\s*)(?:新建|建|立|开)(?:个|一个|一下|下)?(?:客户)?档案?(?![\u4e00-\u9fff]{0,3}(?:拜访|电话|会议|沟通|跟进))",
    # 帮我把这个客户建一下：X: the record verb with 一下 after a 把-object that is the customer
    r"(?:帮我|给我|你帮我|麻烦)?把(?:这个客户|这家客户|这家公司|这家|这个新客户)(?:新)?(?:建|新建|录|录入|加|添加|登记|存)(?:一下|下)",
    # 帮我把这个客户录进去 / 把他们加进来: the record verb with its direction
    r"(?:(?:帮我|给我|你帮我|麻烦)?把(?:他|她|这个客户|这个人|这家|这家公司|他们|这个)|(?<![\u4e00-\u9fff])客户)(?:录|录入|加|添加|存|登记|导入|放)(?:进去|进来|上去)",
)

# ---------------------------------------------------------------- business cards and self-corrections

# Header words of a pasted card: labels, never a company (新客户名片： / 名片信息如下 / 客户信息).
CARD_HEADERS = (
    "名片信息如下", "名片如下", "名片信息", "客户信息如下", "客户信息", "联系方式如下", "信息如下", "客户名片", "名片", "business card",
    "contact card", "contact details", "name card", "namecard", "card",
)
# "label：value" lines of a card, by the field they fill.
CARD_FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "company": ("公司名称", "公司", "单位名称", "单位", "客户名称", "客户", "机构", "company", "organization", "org"),
    "contact_name": ("姓名", "名字", "name"),
    "contact_title": ("职务", "职位", "岗位", "头衔", "title", "position", "role"),
    "product": ("需求", "意向产品", "意向", "产品", "感兴趣", "interest", "interested in", "product"),
}
# A self-correction inside a message (王总哦不对是汪总): what stands before it is cancelled.
SELF_CORRECTIONS = (
    r"(?:哦|噢|呃|啊|嗯)?[,，\s]*(?:不对不对|不对|说错了|搞错了|错了|口误)[,，\s]*(?:应该|其实)?是",
    r"\s*(?:sorry|i mean|no wait),?\s*",
    # 罗经理哦不是罗是骆驼的骆骆经理: the misheard character, then the right one spelled by a word it is in — the name follows
    r"(?:哦|噢|呃|啊|嗯)?[,，\s]*不是[\u4e00-\u9fff]是[\u4e00-\u9fff]{1,4}?的[\u4e00-\u9fff][,，\s]*",
    # 胡海波哦不是胡海涛 / 李工啊不是是黎工: a filler, then 不是, then the right word
    r"(?:哦|噢|呃|啊|嗯)[,，\s]*不是(?:是)?",
    r"(?:哦|噢|呃|啊|嗯)?[,，\s]*(?:不对不对|不对|说错了|搞错了|错了|口误)[,，\s]*(?:应该|其实)?叫",  # 叫陈立新哦说错了叫陈立欣
)
