"""WeCom and DingTalk group-robot bodies and signing, as their documentation gives them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
import uuid

from services.notify.adapters.channels.port import HttpResponse, OutgoingMessage
from services.notify.adapters.channels.robots import (
    WECOM_TEXT_LIMIT,
    DingTalkRobotChannel,
    WeComRobotChannel,
    dingtalk_markdown_body,
    dingtalk_sign,
    dingtalk_signed_url,
    dingtalk_text_body,
    robot_result,
    wecom_markdown_body,
    wecom_text_body,
)


def test_a_wecom_text_body_has_msgtype_text_content_and_mention_lists():
    body = wecom_text_body(
        "新案件：阳台堆放杂物", mentioned_users=["wangqing"], mentioned_mobiles=["13800001111"]
    )
    assert body == {
        "msgtype": "text",
        "text": {
            "content": "新案件：阳台堆放杂物",
            "mentioned_list": ["wangqing"],
            "mentioned_mobile_list": ["13800001111"],
        },
    }
    assert wecom_text_body("只有内容") == {"msgtype": "text", "text": {"content": "只有内容"}}


def test_a_wecom_markdown_body_carries_its_content():
    assert wecom_markdown_body("**新案件**") == {"msgtype": "markdown", "markdown": {"content": "**新案件**"}}


def test_wecom_text_is_cut_to_2048_bytes_without_breaking_a_character():
    content = wecom_text_body("隐" * 1000)["text"]["content"]
    assert len(content.encode()) <= WECOM_TEXT_LIMIT
    assert content.endswith("…") and content.startswith("隐")


def test_a_dingtalk_text_body_has_content_and_the_at_block():
    body = dingtalk_text_body("值守提醒", at_mobiles=["13800001111"])
    assert body == {
        "msgtype": "text",
        "text": {"content": "值守提醒 @13800001111"},
        "at": {"atMobiles": ["13800001111"], "isAtAll": False},
    }
    assert dingtalk_text_body("通知")["at"] == {"atMobiles": [], "isAtAll": False}


def test_a_dingtalk_markdown_body_has_title_text_and_the_at_block():
    assert dingtalk_markdown_body("新案件", "#### 新案件") == {
        "msgtype": "markdown",
        "markdown": {"title": "新案件", "text": "#### 新案件"},
        "at": {"atMobiles": [], "isAtAll": False},
    }


def test_a_dingtalk_url_is_signed_with_timestamp_and_hmac_sha256_of_timestamp_newline_secret():
    secret, timestamp = "SEC0123456789abcdef", 1712390400000
    signed = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, timestamp)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(signed).query)
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query == {"access_token": ["abc"], "timestamp": [str(timestamp)], "sign": [expected]}
    assert dingtalk_signed_url("https://example/robot", None, timestamp) == "https://example/robot"


def test_a_robot_answer_is_classified_by_http_status_then_errcode():
    def answer(status: int, body: dict) -> HttpResponse:
        return HttpResponse(status, json.dumps(body))

    assert robot_result(answer(200, {"errcode": 0, "errmsg": "ok"})).outcome == "success"
    assert (
        robot_result(answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})).outcome
        == "transient"
    )
    assert robot_result(answer(200, {"errcode": 130101, "errmsg": "send too fast"})).outcome == "transient"
    assert robot_result(answer(200, {"errcode": 310000, "errmsg": "sign not match"})).outcome == "permanent"
    assert robot_result(answer(502, {})).outcome == "transient"
    assert robot_result(answer(404, {})).outcome == "permanent"


def _message(address: str) -> OutgoingMessage:
    return OutgoingMessage(
        delivery_id=uuid.uuid4(),
        recipient_id="unit:pm-1",
        address=address,
        text="新案件",
        language="zh-CN",
        event_type="dispatch.assigned",
        event_id=uuid.uuid4(),
        purpose="notice",
        urgent=False,
    )


async def test_the_wecom_channel_mentions_a_mobile_on_the_default_robot(local_http, http):
    channel = WeComRobotChannel(http, local_http.url("/cgi-bin/webhook/send?key=k"))
    result = await channel.send(_message("13800001111"))
    assert result.outcome == "success"
    assert local_http.seen[0].path_qs == "/cgi-bin/webhook/send?key=k"
    assert json.loads(local_http.seen[0].body)["text"]["mentioned_mobile_list"] == ["13800001111"]


async def test_the_dingtalk_channel_posts_to_a_signed_url_and_refuses_a_mention_that_is_not_a_mobile(
    local_http, http
):
    channel = DingTalkRobotChannel(http, local_http.url("/robot/send?access_token=t"), "SECx", lambda: 1)
    assert (await channel.send(_message("13800001111"))).outcome == "success"
    assert (await channel.send(_message("wangqing"))).outcome == "permanent"
    assert len(local_http.seen) == 1
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(local_http.seen[0].path_qs).query)
    assert query["access_token"] == ["t"] and query["timestamp"] == ["1"]
    assert query["sign"] == [urllib.parse.unquote_plus(dingtalk_sign("SECx", 1))], "the sign arrives intact"
    assert json.loads(local_http.seen[0].body)["at"] == {"atMobiles": ["13800001111"], "isAtAll": False}


async def test_a_robot_errcode_in_a_real_answer_is_classified(local_http, http):
    local_http.answers = [
        (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
        (200, {"errcode": 93000}),
    ]
    channel = WeComRobotChannel(http, None)
    robot = local_http.url("/cgi-bin/webhook/send?key=k")
    assert (await channel.send(_message(robot))).outcome == "transient"
    assert (await channel.send(_message(robot))).outcome == "permanent"
    assert (await channel.send(_message("wangqing"))).outcome == "permanent", "no default robot to mention on"
