"""What the AI bot channel says beyond the conversation's own replies (zh / en)."""

from __future__ import annotations

from typing import Any

from bot.replies import template

_T: dict[str, dict[str, str]] = {
    "welcome": {"zh": "你好，{name}！我是拓客助手。", "en": "Hi {name}! I am the tuoke assistant."},
    "media": {
        "zh": "图片和文件我还看不懂。要记录客户或更新商机，直接按住说话或打字发给我就行。",
        "en": "I cannot read images or files yet. To log a lead or update a deal, just say it or type it.",
    },
    "unsupported": {"zh": "这类消息我还处理不了，请发文字或语音。", "en": "I cannot handle that kind of message; please send text or voice."},
    "group_private": {
        "zh": "这涉及你的客户和商机，请在和我的单聊里发，群里我只回答产品和竞品问题。",
        "en": "That concerns your own deals: please send it to me in a one-to-one chat. In groups I only answer product questions.",
    },
    "in_flight": {
        "zh": "你还有 {n} 个问题在查，请等结果出来再问。", "en": "You have {n} questions being looked up; please wait for their answers.",
    },
    "stream_gone": {"zh": "这条回答已经结束。", "en": "This answer has finished."},
    "stream_timeout": {"zh": "抱歉，这次没能及时查完，请再问一次。", "en": "Sorry, that took too long; please ask again."},
    "card_title_confirm": {"zh": "请确认", "en": "Please confirm"},
    "card_title_pick": {"zh": "是哪一单？", "en": "Which deal?"},
    "card_title_done": {"zh": "已处理", "en": "Done"},
    "card_title_stale": {"zh": "已失效", "en": "No longer valid"},
    "btn_yes": {"zh": "确认", "en": "Confirm"},
    "btn_no": {"zh": "取消", "en": "Cancel"},
    "btn_done": {"zh": "已完成", "en": "Done"},
    "stale": {"zh": "这个问题已经过期或被新的消息替代，没有执行任何操作。",
              "en": "This question expired or was replaced by a newer message; nothing was done."},
    "not_yours": {"zh": "这张卡片不是发给你的。", "en": "This card is not yours."},
}

YES = {"zh": "是", "en": "yes"}
NO = {"zh": "取消", "en": "cancel"}


def t(key: str, lang: str, **kw: Any) -> str:
    return template(_T, key, lang).format(**kw)
