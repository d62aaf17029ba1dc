"""Regular expressions for the cue words that decide a message's intent (matched on normalised text)."""

from __future__ import annotations

import re

from bot.intents.lexicon import (
    CHATTER_PREFIXES,
    EXPLICIT_MOVE_VERBS,
    FUTURE_WIN_MARKERS,
    LEAD_RECORD_PHRASES,
    PAST_TIME_WORDS,
    COMPANY_SUFFIXES,
    EN_COMPANY_SUFFIXES,
    HON_WORD_BREAKERS,
    HONORIFICS,
    LEADING_FILLERS,
    SURNAMES_1,
    SURNAMES_2,
)
from bot.intents.text import CJK

# ASCII word boundaries: an English cue glued to Chinese (closed了 / lost咗 / 这单won了) still stands alone
I = re.IGNORECASE | re.ASCII


def alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# (天盛塑业 / 大唐袜业: any trade + 业 after a name of two characters ends it as the listed trades do; not 专业 / 毕业 / 行业 …)
SUFFIX_ALT = alt(COMPANY_SUFFIXES) + r"|(?<=[\u4e00-\u9fff]{2})(?![专作毕就营行创事学职开停歇失从结转复伟霸功家同副主商敬执产企工实物置])[\u4e00-\u9fff]业"
SUFFIX_RE = re.compile(f"(?:{SUFFIX_ALT})")
EN_SUFFIX_RE = re.compile(rf"\b(?:{alt(EN_COMPANY_SUFFIXES)})\b\.?", I)
SURNAME_ALT = alt(list(SURNAMES_1) + SURNAMES_2)
HON_ALT = alt(HONORIFICS)
# 刘总 / 赵工 / 徐经理 / 欧阳主任 — a person, not a company part
SURNAME_HON_RE = re.compile(rf"(?:{SURNAME_ALT})(?:{HON_ALT})(?![{HON_WORD_BREAKERS}])(?<![A-Za-z](?=[A-Za-z]))")
# 王海涛王总: a full name repeated as surname + honorific
FULL_DUP_HON_RE = re.compile(rf"(?P<s>{SURNAME_ALT})(?P<g>[{CJK}]{{1,2}}?)(?P=s)(?:{HON_ALT})")

LEADING_RE = re.compile(
    rf"^(?:[\s,.;:!?~\-]+|(?:{alt(LEADING_FILLERS)})(?![a-z])|(?:{alt(CHATTER_PREFIXES)})|把|将|哈{2,}|哈(?![\u3400-\u9fff])|啊+|喂+"
    # 跟你汇报一下 / 向您同步下 / 给你们报个事: the rep reporting to the bot, any verb of telling
    r"|我?(?:跟|和|给|向)(?:你|您)们?(?:说|讲|汇报|报告|同步|更新|通报|报|反馈|交代)(?:一下|下|个事|件事|一件事)?)",
    I,
)

UNDO_RE = re.compile(r"撤销|撤回|取消上一步|取消刚才|回滚|\bundo\b|\brevert\b|\brollback\b", I)
BIND_RE = re.compile(
    r"绑定|綁定|\bbind(?:ing)?\b|绑码|\blink (?:my )?(?:account|mini)"
    r"|绑(?:一下|一个|下|个)?(?:我的)?(?:小程序|名片|账号|帐号|微信|手机号?)|(?:小程序|名片)(?:账号|帐号)?(?:要|想)?绑(?:一下|下)?"
    r"|(?:小程序|绑定)(?:的)?(?:验证码|登录码|登陆码|绑定码|码)|\bbinding code\b",
    I,
)
HELP_RE = re.compile(
    r"^(?:这个|你这个)?(?:help|帮助|使用帮助|使用说明|说明书?|菜单|功能|指令|命令|怎么用|如何使用|怎么使用|用法|\?|commands?|menu)[啊呀呢吧哈]*(?:教教我|教我一下|教一下)?[啊呀呢吧哈]*[\s?!。.！？]*$"
    # 怎么用语音建线索 / 怎样才能标记赢单 / how do I log a visit: how to do one of the bot's own actions
    r"|^(?:请问)?(?:我)?(?:要|该|应该)?(?:怎么|怎样|如何)(?:才能|可以|能)?(?:用|通过)?(?:语音|文字|微信|这个|你|机器人|助手)?(?:来)?"
    r"(?:新建|新增|添加|创建|建|加|录入|录|记录?|登记|改|修改|更新|标记|设置|推进|撤销|绑定|查看?|删除|删掉|删|关闭|合并|导出|转给别人|转交|分配)(?:一下|一|1)?(?:个|条|次)?(?:新)?"
    r"(?:线索|客户|商机|拜访|提醒|阶段|跟进|活动|赢单|丢单|输单|回款|待办|备注)(?:啊|呀|呢|吧)?[\s?？。]*$"
    r"|^(?:help\s*[?？!:：,，]*\s*)?how (?:do|can|should) i (?:log|add|create|record|mark|move|update|set|snooze|mute|undo|bind|list|enter)\b"
    # 有没有使用教程 / 求个操作指南: a guide to the bot itself (a product's 安装教程 is a knowledge-base question)
    # 怎么把商机改成赢单: how to move a deal with the bot, not a move
    r"|^(?:请问)?(?:我)?(?:要|该)?(?:怎么|怎样|如何|咋)(?:才能|可以|能)?把(?:一个|这个)?(?:商机|线索|客户|单子|订单)(?:的?阶段)?(?:改|标记?|设置?|推|转|挪|移)(?:成|为|到)[^，,。]{0,6}[?？。]*$"
    r"|^(?:请问)?(?:有没有|有无|哪里有|在哪里?(?:看|找)?|给我|发我|求)(?:个|一份|一下)?(?:使用|操作|新手|入门)(?:教程|指南|手册|说明)"
    # …不知道怎么改商机阶段 / 不会建线索: a how-to about the bot's own actions, said as not knowing
    r"|(?:不知道|不会|不懂|忘了)(?:要|该)?(?:怎么|怎样|如何|咋)(?:才能|可以|能)?(?:新建|新增|添加|创建|建|加|录入|录|登记|改|修改|更新|标记|设置|推进|撤销|绑定|删除|删)"
    r"(?:一下|一)?(?:个|条)?(?:线索|客户|商机|提醒|阶段|跟进|赢单|丢单|待办)(?:的?阶段)?[\s?？。!！]*$"
    r"|^(?:你|您)(?:都|还|到底)?(?:能|会|可以)(?:帮我)?(?:干|做|帮|帮我做|帮我干)?(?:些|点)?(?:啥|什么|嘛|哪些)"
    r"|^(?:都|还)?(?:能|可以)帮我(?:干|做)(?:些|点)?(?:啥|什么|嘛|哪些)"
    r"|^(?:你|您)(?:有|有哪些|有什么)(?:功能|本事)"
    r"|^(?:这个|你这个)?(?:助手|机器人|bot|你|您)(?:都|还|一共)?(?:有|有哪些|有什么|支持哪些|支持什么)(?:功能|本事|用法|命令|指令)"
    # 这个助手能帮我干嘛 / 机器人可以帮我做些什么: what the bot itself can do
    r"|(?:助手|机器人|(?<![a-z])bot(?![a-z]))(?:都|还|到底)?(?:能|可以|会)(?:帮我|帮)?(?:干|做)(?:些|点)?(?:啥|嘛|什么|哪些)"
    r"|(?:这个|你这个)?(?:助手|机器人|bot)(?:要)?(?:都|还|到底)?(?:怎么用|怎么使用|如何使用|能干啥|能干嘛|能干些啥|能做啥|能做些啥|能做什么|能干什么|会干啥|会什么)"
    r"|怎么用你|(?:怎么|如何|咋)(?:用|使用)(?:这个|你这个)?(?:助手|机器人|bot(?![a-z]))|\bwhat can you do\b|\bwhat commands\b|\blist of commands\b|\bhow (?:do|can|should) i use\b|\bhow does this (?:bot|work)\b"
    # how to do a CRM operation with the bot (怎么用语音录客户 / 怎么给商机改阶段 / 有哪些指令可以用)
    r"|^(?:请问)?(?:怎么|怎样|如何|咋)(?:在这里|在这儿|在这)?(?:用|通过)?(?:语音|文字|打字|这里|你)?(?:给|把|帮|在)?(?:商机|线索|客户|单子|阶段|提醒|跟进)?\s*"
    r"(?:录|录入|加|添加|建|新建|创建|改|修改|更新|调|推进|删|删除|设置|设|取消|关|看|查看|导出|绑定?|记录?|标记?|登记)(?:一下|下|个|一个|一条|一次)?(?:我的)?"
    r"(?:新)?(?:客户|线索|商机|阶段|状态|提醒|跟进|单子|记录|拜访|活动|回款|赢单|丢单|输单|待办)"
    r"|^(?:有|都有|支持)(?:哪些|什么|啥)(?:指令|命令|功能|操作)|(?:机器人|助手|(?<![a-z])bot(?![a-z]))[^，,。]{0,4}(?:咋|怎么|怎样)(?:用|使用|操作)",
    I,
)
LEAD_CMD_RE = re.compile(
    r"(?:帮我|给我|麻烦)?(?:记一下|记个|登记一下|登记)?(?:新建|新增|添加|创建|增加|加|建|开|录|录入|登记|记|新)(?:(?<=[录记加建])(?:成|为|作|进))?(?:一下|一|1)?(?:个|条|(?<=下)(?:这个|这家|这位))?(?:新)?(?:的)?(?:线索|客户|lead)(?:啊|吧|嘛|呢|哈(?![\u3400-\u9fff])|呀)?(?:叫做|名叫|名字叫|叫|是)?"
    # 录个商机 / 新建商机 / 登记一个新商机: a new opportunity (bare 新商机 may be a list filter, so a verb is needed)
    r"|(?:帮我|给我|麻烦)?(?:新建|新增|添加|创建|增加|加|建|录|录入|登记|记|来)(?:一|1)?(?:个|条)?(?:新)?(?:的)?商机(?:啊|吧|呀)?"
    r"|^(?:线索|lead|新客)(?=[\s:：,\-])"
    r"|\b(?:(?:please|pls|plz|can you|could you)\s+)?(?:new|add|create)(?:\s+an?)?(?:\s+new)?\s+(?:lead|customer|client|prospect)\b"
    # …, pls add as lead / save her as a new lead: the request closing an English note
    r"|\b(?:(?:please|pls|plz|can you|could you)\s+)?(?:add|save|log|put|enter)\s+(?:(?:her|him|them|it|this|these|this one)\s+)?(?:in\s+)?as\s+(?:an?\s+)?(?:new\s+)?(?:lead|customer|client|prospect)\b",
    I,
)
SNOOZE_RE = re.compile(
    r"(?:\d+|[一二两三四五六七八九十半]+)\s*(?:天|日|周|个?星期|个?礼拜|个?月)\s*(?:之后|以后|后)再?(?:提醒|说|跟进|通知|看|催)"
    r"|(?:过|隔|等)\s*(?:\d+|[一二两三四五六七八九十半]+)\s*(?:天|日|周|个?星期|个?礼拜|个?月)\s*(?:之后|以后|后)?\s*再(?:提醒|说|跟进|通知|看|催)"
    r"|(?:先|暂时|暂且)?(?:别|不要|不用|暂停|停止|停)(?:再)?(?:提醒|催|通知|推送)"
    r"|(?:提醒|通知)(?:先)?(?:推迟|延后|延迟|往后推|关掉|关了|静音|停|暂停|停掉)|(?:推迟|延后|延迟|往后推|推后)[^，,。]{0,6}?(?:提醒|通知)|静音|免打扰"
    r"|(?:下周|下个?星期|下个?礼拜|下个月|明天|后天|过几天|过两天|过阵子|过段时间)再(?:提醒|说|跟进|跟|联系|通知|催|看)"
    # 这个先搁置吧 / 先放一放 / 先缓一缓: the deal put aside for now
    r"|先(?:搁置|搁一搁|放一放|放放|缓一缓|缓缓|晾一晾)"
    r"|\bsnooze\b|\bmute\b|\b(?:pause|hold|silence|suspend|stop|turn off|switch off|disable)\s+(?:the\s+|all\s+|my\s+)?(?:reminders?|alerts?|notifications?|nudges?|follow-?ups?)\b|\bremind me (?:again )?(?:in|after)\b(?![^.;!?]*\bto\s+[a-z])|\bstop reminding\b|\bno reminders?\b",
    I,
)
WON_RE = re.compile(
    r"签了(?!(?:个|张|份|一下)?(?:验收|送货|回执|确认|交接|工作|服务|维保|巡检|保养|派工|收货)[单书表]?)|签约|签下|签单|签(?:掉|好|完)(?:了|啦)(?!字)|签合同|簽(?:咗|了|約|单|單|合同)|签咗|成交|赢单|赢了|拿下|中标|搞定了|搞定(?=\s*(?:[,，。!！]|$|\s+(?:合同|合约|金额|总价|[¥￥\d一二两三四五六七八九十])))|合同签|下单了|下了单|已下单|已经下单|(?:我们|我司|咱们)(?:中了|中标了)|中了标|已(?:经)?签(?!收|到|字)|(?<=[\u4e00-\u9fffA-Za-z]{2})中了(?=\s*(?:[!！。.~]|$))|"
    # 恐龙园定下来了 合同二十八万八 / X那单敲定了 / X那单成了: settled (guarded in context._kw: a deal word or the contract beside it)
    r"定下来了|敲定了|落地了|(?<=那单|这单|那單)成了|"
    r"\bclosed[\s-]won\b|\bclosed(?![\s-]+lost)\b|\bwon\b|(?<!\bthe )(?<!\ba )(?<!\btheir )(?<!\bour )(?<!\bthis )(?<!\bthat )(?<!\bhis )(?<!\bher )(?<!\bfully )\bsigned\b|\bwe win\b",  # (chase X for the signed quote: an adjective)
    I,
)
LOST_RE = re.compile(
    r"丢单|丢了|输单|输了|输给了?|(?:投标|竞标)?没中(?:标|(?![午间心文国]))|未中标|落标|(?<![要想会])不做了|(?<![要想会])(?:不签了|不买了|不采购了|没下单|不下单了)|换了(?:别的|别家|其他|另一家)?供应商|选了别家|找了别家|(?:跟|找|向|从)(?:别家|别人|其他家|其他厂家)(?:买|采购|签|订|合作)了|没拿下(?:来)?|没签成|没签下|没谈成|没成|黄了|黄掉了|没戏|吹了|告吹|泡汤|落选|出局|飞了|飞单|跑单|被撬|撬走|凉了|被[^，,。]{0,10}?(?:抢走|抢|截胡|拿走)|被[^，,。]{1,12}?中(?:标)?了|给(?:对手|竞品|竞争对手|友商|别人|别家|人家)[^，,。]{0,8}?(?:抢走|抢|截胡|拿走)|抢走|截胡|"
    r"丢掉|失单|\blost\b|\bclosed[\s-]lost\b|\bwent with\b|\bchose (?:a |another |the )?(?:competitor|rival|local|other)|\bwe lost\b",
    I,
)
NEG_BEFORE_RE = re.compile(r"(?:没|没有|未|还没|还没有|不|别|not|n't|never)\s*$", I)
LIST_RE = re.compile(
    r"(?:我的|我手上|我手里|我名下|我负责的|我跟的|我在跟的|我所有|我全部|我现在)[^，,。]{0,10}?(?:商机|单子|项目|客户|线索|漏斗|订单|deal)"
    r"|^(?:看看|看一下|查看|查一下|列出|列一下|列个|拉一下|显示|给我看看?)?(?:所有|全部)(?:的)?(?:商机|单子|项目)"
    r"|^(?:看看|看一下|查看|查一下|列出|列一下|列个|拉一下|拉个|显示|给我看看?|给我列一下)\s*我(?:的|手上的?|手里的?)?[^，,。]{0,10}?(?:商机|单子|项目|客户|线索|deals?)"
    # 哪些单子快超期了 / 哪几个商机要跟进: which of the rep's deals
    r"|^(?:我)?(?:有)?(?:哪些|哪几个|哪几单|哪几家)(?:单子|单|商机|项目|客户)(?=[^，,。]{0,8}(?:超期|逾期|到期|要跟|该跟|没跟|没联系|快|停滞|卡住))"
    r"|^(?:我)?(?:有)?(?:哪些|哪几个|哪几单)(?:单子|单|商机|项目)"
    r"|^(?:my\s+)?(?:pipeline|deals)\s*[?？]?$"
    # 今天有什么要跟进的 / 这周有哪些要跟的: what the rep should work on
    r"|^(?:我)?(?:今天|明天|这周|本周|最近|这几天)?(?:有)?(?:什么|啥|哪些)(?:单子|客户)?(?:要|需要|该)(?:跟进|跟|联系|处理)的?"
    # 列一下谈判中的商机 / 列出已签约的单子: a list verb opening the message, a stage filter, the deals
    r"|^(?:看看|看一下|查看|列出|列一下|列个|拉一下|拉个|显示|给我看看?|给我列一下|给我列出)[^，,。]{1,10}?(?:的)?(?:商机|单子|项目|deals?)\s*[?？。]?$"
    # 我这个月有哪些单子要跟 / 我现在有几个商机: the rep asking what deals they have
    r"|^我[^，,。]{0,6}?(?:有哪些|有几个|有多少|都有啥|有啥|有些啥|有什么|有些什么)(?:单子|单|商机|项目|客户|deals?)"
    r"|\bmy\s+(?:\w+\s+)?(?:pipeline|deals|opportunities|leads|funnel)\b|^(?:list|show)\s+(?:me\s+)?(?:all\s+)?(?:my\s+|the\s+)?(?:deals|pipeline)\b"
    # pipeline pls / deals please, only the X ones: the bare noun as a request
    r"|^(?:my\s+|the\s+|full\s+)?(?:pipeline|deals|deal list)\s*(?:pls|please|plz)\b"
    # 看看方案阶段的客户 / 列一下投标中的项目: a look at the deals in a named stage
    r"|^(?:看看|看一下|看下|查看|列出|列一下|拉一下|显示|给我看看?|给我列一下)\s*[^，,。\s]{1,6}?(?:阶段|中)的?(?:客户|商机|单子|项目|deals?)\s*[?？]?$",
    I,
)
LIST_VERB_RE = re.compile(r"(?:看看|看一下|查看|列出|列一下|列个|拉一下|拉个|显示|给我看看?|给我列一下|给我列出|list|show)", I)
CHITCHAT_RE = re.compile(
    r"^(?:(?:喂+|你好|您好|在吗|在不在|在么|hello|hi|hey|谢谢|多谢|thanks?|thank you|ok|好的|收到|早|早上好|晚上好|晚安|午安|"
    r"哈+|呵+|辛苦了|拜拜|再见|bye|啊|呀|哈喽|嗨)[\s,，!！~。.?？]*)+$|听得?到吗|听见了?吗|能听到|测试一下|^test$",
    I,
)
# Everyday topics (lunch, weather, games, weekends): with no business word, a question about them is chit-chat.
CHITCHAT_TOPIC_RE = re.compile(
    r"吃啥|吃什么|吃点啥|吃点什么|吃了吗|吃饭了|中午吃|晚上吃|午饭|晚饭|早饭|外卖|奶茶|咖啡|火锅|烧烤|喝一杯|"
    r"一起吃|吃饭吗|喝酒|聚餐|天气|下雨|下雪|好热|好冷|降温|球赛|比赛|世界杯|篮球|足球|电影|电视剧|综艺|游戏|打牌|周末|放假|假期|旅游|"
    r"爬山|钓鱼|健身|跑步|睡觉|好困|好累|下班|加班|摸鱼|心情|生日|红包|彩票|股票|八卦|谁赢|"
    r"\b(?:lunch|dinner|weather|weekend|movie|game|football|coffee)\b",
    I,
)
BUSINESS_RE = re.compile(
    r"客户|产品|我们|我司|咱们|报价|价格|方案|型号|竞品|竞争|案例|参数|合同|单子|项目|商机|线索|订单|设备|系统|平台|公司|"
    r"技术|售后|质保|认证|投标|招标|回款|付款|货款|尾款|到账|预算|采购|拜访|演示|样品|资料|知识库|提醒|跟进|\bdeal|\bcustomer|\bclient|\bquote",
    I,
)
QUESTION_RE = re.compile(
    # (都没什么进展 / 没啥反应: a negated indefinite says "nothing much", it asks nothing)
    r"[?？]|吗\s*$|么\s*$|呢\s*$|多少|(?<!没)(?<!没有)什么|(?<![没不])啥|怎么|如何|怎样|能不能|能否|可不可以|可以不|是否|有没有|是不是|哪些|哪个|哪家|哪款|"
    r"为啥|为什么|谁|哪里|哪儿|在哪|多久|想知道|(?<![了好这那十过])几(?!乎|何)[\u4e00-\u9fff]|多大|多长|多高|多重|多快|查一下|查下|查查|帮我查|搜一下|搜下|知识库|资料库|区别|对比|比较一下|卖点|弱点|缺点|优势|劣势|"
    r"^(?:how|what|which|does|do|is|are|can|why|where|compare|any)\b|\bvs\.?\b|\bversus\b"
    r"|([\u4e00-\u9fff])不\1",  # A-not-A: 支不支持 / 能不能 / 行不行
    I,
)
# A bare topic the knowledge base answers: "宁能的价格", "HC-ESS-215 的循环寿命" (no question word).
KB_TOPIC_RE = re.compile(
    r"(?:价格|报价|价钱|参数|规格|寿命|效率|质保|保修|认证|资质|案例|优势|劣势|卖点|弱点|缺点|功率|容量|尺寸|重量|"
    r"交期|货期|售后|安全性|能耗|成本|回本|收益|兼容|协议|接口|配置|型号|资料|说明书|白皮书|"
    r"price|pricing|specs?|warranty|certifications?|datasheet|efficiency|lifetime|cycle life|case stud(?:y|ies))\s*$",
    I,
)
REMIND_RE = re.compile(r"提醒我|提醒一下|记得|别忘了|不要忘了|待办|\bremind me(?: to)?\b|\bdon't forget\b|\bto-?do\b", I)
ACTIVITY_RE = re.compile(
    r"(?:来|回)(?:了|过)?(?:个|一个|一通|一次)?电话|来电|"
    # 已寄彩页 / 已发报价单给X / 已答复: terse typed notes of something done
    r"已(?:经)?(?:寄|发|送|交|递|提交|答复|回复|回电|报价|演示|安装|调试|培训|对接|联系)|(?:拿|收|领|取)到了(?![^，,。]{0,12}款)|转给|转交|打过.{0,3}电话|通过.{0,2}电话|(?:发|交|送|寄|递|提交|转)给[^，,。]{1,20}?了|拜访|回访|打了[^，,。]{0,6}?电话|通了[^，,。]{0,6}?电话|(?:通|打|开|见|聊|谈|看)完|电话沟通|打电话|发了|寄了|送了(?!我(?!们))|开了|聊了|谈了|见了|约了|参观|交流|沟通|演示|汇报|记一笔|"
    r"吃饭|吃了?(?:个|顿|一顿|一个)?(?:便|午|晚|早)?饭|喝了?(?:个|顿)?(?:茶|酒)|考察|调研|面谈|开会|会议|去了|来了|看了|拜会|记录|记一下|跟进了|反馈|从[^，,。]{2,14}?回来|刚回来|"
    r"(?:安装|装|调试|测试|测|试|培训|交付|做|量|讲|走访|勘察|踏勘)了|试用|试机|试菜|试吃|打样|"
    # 试坐了 / 试驾过 / 试躺了: the customer tried a product out; 带X去我们展厅: a customer brought to our showroom
    r"试[坐躺穿戴驾骑玩听看听睡摸](?:了|过)|带[^，,。]{1,16}?(?:去|来|到)(?:了)?(?:我们|我司|咱们)?(?:的)?(?:展厅|样板间|样板房|工厂|厂里|公司|门店|店里|体验店|体验中心|展会)|"
    # 黄sir来仓库提了两条样胎 / 来店里取走了样机: the customer came and collected something
    r"(?:来|到)[^，,。]{0,6}?(?:提|取|领|拿)(?:了|走)|"
    # 季度巡检做完了 / 培训搞完了 / 保养弄完毕: a job carried to its end, done
    r"(?:做|搞|弄|干|修|洗|擦|装|调|测|讲|跑|检|培训|保养|维保|巡检|清洗|清洁|消杀|施工|交付)(?:完了|完毕|完成了|好了(?=\s|[，,。]|$))|"
    # 验收通过 / 验收完了 / 已验收: the customer's acceptance, done
    r"验收(?:通过|完成|完了|合格|了)|已(?:经)?验收|"
    r"\bhad a (?:call|meeting|chat)\b|\bhad (?:lunch|dinner|breakfast|coffee|drinks|a (?:quick )?(?:lunch|dinner|coffee|catch-up))\b|\bcall with\b|\bmet\b|\bvisited\b|\bcalled\b|\bsent\b|\bemailed\b|\bdemoed\b|"
    r"\bpresented\b|\bdiscussed\b|\btoured\b|\bwalked\b|\bdropped (?:off|by)\b|\bstopped by\b|\bswung by\b|\bwent to\b|\bhanded\b|\bshowed\b|\bshipped\b|\bdelivered\b|\bhosted\b|\btrained\b|\breviewed\b|\bphoned\b|\bmailed\b|\bspoke\b|\btalked\b|\bmeeting\b|\bvisit\b|\bcall\b|\bdemo\b"
    r"|(?:整|搞|办|弄|做|开|跑)了(?:一|1|两|几)(?:场|次|回|趟|轮)"  # 整了一场试飞 / 搞了一次演示 (dialect verbs)
    # 跟X过了一遍参数 / 对了一遍清单 / 梳理了需求: going through something with the customer, done
    r"|(?:过|对|捋|理|讲|走|念)了(?:一|1|两|几)(?:遍|轮)|(?:梳理|核对|讨论)了"
    # 方案交了 / 报价单已经发过去了 / 标书递了: a document handed over (the verb right after it), done
    r"|(?:方案|报价单?|标书|资料|样品|合同|图纸|清单|彩页)(?:已经?|也|都|今天|刚刚?)?(?:交|发|递|寄|送|提交)(?:了|过去了|出去了|上去了)"
    # 招标文件已经买了 / 领了招标文件: the tender's documents obtained (bought, collected, downloaded), done
    r"|(?:招标文件|投标文件)(?:已经?|也|都|今天|刚刚?)?(?:购买|买|领|拿|取|下载)(?:了|到了|回来了)"
    r"|(?:购买|买|领|拿|取|下载)(?:了|到了)(?:招标文件|投标文件)"
    # 投标文件今天递交了 / 资料寄出了: documents handed over, done
    r"|(?:递交|提交|投递|寄出|发出|送达)(?:了|过去了|上去了)",
    I,
)
PAST_RE = re.compile(
    r"了|过|刚|已经|昨天|前天|上周|刚才|(?:通|打|开|见|聊|谈|看)完|\b(?:had|met|visited|called|sent|emailed|demoed|presented|discussed|spoke|talked|went|showed|gave|did|said|told|toured|walked|dropped|stopped|shipped|delivered|hosted|trained|reviewed|phoned|mailed)\b",
    I,
)
# Words between a deal's name and what happens to it (那单 / 的单子 / 那个项目 / 那个 deal).
DEAL_WORD_RE = re.compile(
    r"那个\s*deal|the deal|那个单子|这个单子|那个项目|这个项目|的那个单|那单|那單|这单|[那这]张单子?|那笔|这笔|的单子|的單子|的项目|那边|这边|那家|这家|那间|这间|那个(?!项目)|\bdeal\b",
    I,
)
STAGE_VERB_BEFORE_RE = re.compile(
    r"(?:进入到?|进到|进|推进到|推进|推到|推去|推|改到|改成|改为|改|调整到|调整为|调到|调成|调为|挪到|移到|放到|切到|切换到|转到|转入|转去|转|到了|到|退回到|退回|退到|回退到|回退|回到|打回到?|降到|降回|"
    r"已经|已|是|为|在|处于|变成|→|->|=>|>|moved? (?:it )?(?:back )?to|(?:now )?in|into|to|stage\s*[:：]?|now)"
    r"\s*(?:那个|了)?\s*$",
    I,
)
STAGE_AFTER_RE = re.compile(r"^\s*(?:那个)?\s*(?:阶段|环节|状态|了|啦|stage\b|phase\b)", I)
BACKWARD_RE = re.compile(r"退回|回退|退到|打回|降到|降回|回到|往回(?:挪|退|调|拨|移|放|改)|(?:挪|调|移|放)回|倒回|\bback to\b|\bmoved? back\b", I)
REASON_LABEL_RE = re.compile(
    r"(?:原因|理由|因为|由于|because(?:\s+of)?|reason|cause)\s*(?:是|为|:|：)?\s*"
    r"(?:(?<=[a-z] )(?:being|is|was|being that|is that|was that|:)\s+)?",  # reason being … / the reason is …
    I,
)
PRONOUNS = ("他们", "她们", "客户", "我们", "他", "她", "老板", "领导", "对方", "大家", "同事", "人家", "咱们")
# What a planned follow-up does (给X打电话 / 去一趟 / send the quote).
FUTURE_ACTION_RE = re.compile(
    r"给|打|发|去|开|约|见|和|跟|与|问(?:一下|下|问)|了解(?:一下|下)|交(?=方案|报价|标书|资料|合同|样品|图纸)|出(?=方案|报价|图纸)|过来|来访|到访|来(?:我们|我司|公司|厂里|工厂|展厅|现场)|过一下|聊|谈|碰|讲|培训|交付|上线|部署|测试|实施|拜访|回访|跟进|联系|确认|讨论|送|寄|演示|汇报|交流|沟通|签|报价|催|提交|准备|参加|安排|对接|面谈|视频|电话|会议|"
    # site work done at the customer's (现场勘察 / 踏勘 / 巡检 / 验收 / 复测 / 量房 / 考察)
    r"勘察|勘测|踏勘|巡检|验收|复测|测量|量房|考察|调研|盘点|"
    r"\b(?:call|send|meet|visit|email|follow[\s-]?up|demo|present|check|ping|submit|prepare|discuss|review)\b",
    I,
)

PAST_TIME_RE = re.compile("|".join(PAST_TIME_WORDS), I)
# A win word after one of these is still to come (window: the few characters before the win word).
FUTURE_BEFORE_WIN_RE = re.compile(rf"(?:{'|'.join(FUTURE_WIN_MARKERS)})[^，,。;；!！?？]{{0,5}}$", I)
LEAD_RECORD_RE = re.compile("|".join(LEAD_RECORD_PHRASES), I)
# 王海涛打电话说下周一来我们厂里签合同: a reported plan (说 + a future word) further back in the clause
REPORTED_FUTURE_WIN_RE = re.compile(
    rf"(?:说|表示|答应|讲|约好|说好|\bsaid\b|\btold (?:me|us)\b)\s*[^，,。;；!！?？]{{0,4}}(?:{'|'.join(FUTURE_WIN_MARKERS)})[^，,。;；!！?？]{{0,14}}$", I
)
# A lead command used as a noun or a stage name (我的新客户 / 退回到新线索): not a request to add one.
LEAD_CMD_NOUN_BEFORE_RE = re.compile(r"(?:的|我|这个|那个|这些|那些|几个|到|回|为|成|进|是|在)\s*$")
EXPLICIT_MOVE_RE = re.compile(rf"(?:阶段|stage)?\s*(?:{alt(EXPLICIT_MOVE_VERBS)})\s*(?:了|到)?\s*$", I)
