"""The JS-SDK signature against the example WeChat publishes (JS-SDK docs, appendix 1)."""

from backend.wechat_api import jssdk_signature

TICKET = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"


def test_signature_matches_wechats_published_example():
    assert jssdk_signature(TICKET, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value") == (
        "0f9de62fce790f9a083d5c99e95740ceb90c27ed")


def test_the_fragment_is_not_signed():
    base = jssdk_signature(TICKET, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value")
    assert jssdk_signature(TICKET, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value#top") == base
