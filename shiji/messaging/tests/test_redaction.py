"""Contact-detail redaction (PRODUCT.md invariant 4; docs/domains/messaging.md): real-looking
messages in Chinese, Japanese and English lose their phone numbers, e-mail addresses, messenger
ids, payment links and off-platform payment requests — and ordinary prices, dates, sizes,
quantities, order ids and tracking numbers stay exactly as written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shiji.messaging.redaction import KINDS, MARKER, redact

OFF = "off_platform_payment"

# (message, the kinds found, fragments that must not survive)
CONTACT_SAMPLES: list[tuple[str, set[str], list[str]]] = [
    # --- 中文 ---
    ("你好，我的手机是13800138000，有问题直接打给我", {"phone"}, ["13800138000"]),
    ("电话：+86 139-1234-5678（白天都在）", {"phone"}, ["139-1234-5678", "+86"]),
    ("号码 1 3 8 0 0 1 3 8 0 0 0 别告诉别人", {"phone"}, ["1 3 8 0 0"]),
    ("打这个 一三八零零一三八零零零", {"phone"}, ["一三八零零一三八零零零"]),
    ("固话 021-62345678 找王先生", {"phone"}, ["62345678"]),
    ("加我微信详聊，微信号 wang_xiaoming88", {"wechat"}, ["wang_xiaoming88"]),
    ("可以便宜，加V：xm_shop2024 发你实拍图", {"wechat"}, ["xm_shop2024"]),
    ("vx同号 13912345678", {"wechat", "phone"}, ["13912345678"]),
    ("QQ号 123456789，扣扣也行", {"qq"}, ["123456789"]),
    ("有事发邮件 xiaoming艾特qq点com", {"email"}, ["xiaoming"]),
    ("我们私下交易吧，直接转账给我，不走平台可以便宜50", {OFF}, ["私下交易", "直接转账", "不走平台"]),
    ("付款码在这 https://qr.alipay.com/fkx18392xyzabc", {"payment_link"}, ["alipay", "fkx18392xyzabc"]),
    ("微信扫这个 wxp://f2f0Ab3dEfGhIjKl 付", {"payment_link"}, ["wxp://", "f2f0Ab3dEfGhIjKl"]),
    # --- 日本語 ---
    ("携帯は０９０-１２３４-５６７８です。夜なら出られます", {"phone"}, ["１２３４", "５６７８"]),
    ("電話番号 080 9876 5432 までお願いします", {"phone"}, ["9876"]),
    ("お店の電話は03-1234-5678です", {"phone"}, ["1234-5678"]),
    ("+81 (0)70-1111-2222 に電話してください", {"phone"}, ["1111-2222"]),
    ("メールは taro.yamada@docomo.ne.jp まで", {"email"}, ["taro.yamada", "docomo"]),
    ("ｔａｒｏ＠ｇｍａｉｌ．ｃｏｍ に写真を送ります", {"email"}, ["ｔａｒｏ", "ｇｍａｉｌ"]),
    ("LINE ID: taro_0123 で連絡ください", {"line"}, ["taro_0123"]),
    ("ラインID教えてもらえますか？", {"line"}, ["ラインID"]),
    ("LINEのIDはtaro_0801です", {"line"}, ["taro_0801"]),
    ("我的微信的ID是 lily_2020 哦", {"wechat"}, ["lily_2020"]),
    ("手数料もったいないので直接振込でお願いします", {"off_platform_payment"}, ["直接振込"]),
    ("銀行振込でも大丈夫ですか？口座番号 1234567 です", {"off_platform_payment"}, ["1234567", "銀行振込で"]),
    ("PayPayで送金します https://pay.paypay.ne.jp/xYz123AbC", {"payment_link", "off_platform_payment"}, ["xYz123AbC"]),
    # --- English ---
    ("Text me at (415) 555-0132 and we can sort it out", {"phone"}, ["555-0132"]),
    ("my number is +1 646 555 0199", {"phone"}, ["646 555 0199"]),
    ("call zero nine zero one two three four five six seven eight", {"phone"}, ["one two three four"]),
    ("O9O-1234-5678 call me", {"phone"}, ["1234-5678"]),
    ("email me: jane.doe+shop@outlook.com", {"email"}, ["jane.doe", "outlook"]),
    ("jane_doe at gmail dot com", {"email"}, ["jane_doe"]),
    ("jane [at] example [dot] co [dot] uk", {"email"}, ["jane"]),
    ("add me on WeChat, my wechat id is janedoe_99", {"wechat"}, ["janedoe_99"]),
    ("my LINE is jane.d0e", {"line"}, ["jane.d0e"]),
    ("Cheaper if you pay me directly: paypal.me/janedoe", {"off_platform_payment", "payment_link"}, ["janedoe"]),
    ("Send it via Venmo @jane-doe-42 or cash.app/$janedoe", {"off_platform_payment", "payment_link"}, ["jane-doe-42"]),
    ("revolut.me/janed or https://wise.com/pay/me/janed", {"payment_link"}, ["janed"]),
    ("let's do it outside the app with a bank transfer", {OFF}, ["outside the app", "bank transfer"]),
    ("paypal friends and family please, saves us both the fees", {"off_platform_payment"}, ["friends and family"]),
    ("whatsapp wa.me/8613800138000", {"phone"}, ["8613800138000"]),
    ("line.me/ti/p/~jane_doe is my line", {"line"}, ["jane_doe"]),
]

# Ordinary messages: nothing changes.
ORDINARY: list[str] = [
    "价格¥1,200，包邮到上海",
    "这双鞋23cm和26.5cm都有，M size也有",
    "3,000元可以吗？2026-11-21之前发货",
    "11月21日 14:30 左右到",
    "数量 3 个，共 3,480 元",
    "订单 ord_01JD3Q6W3X8R9T2V5B7N0M4K6P 已付款，谢谢",
    "快递单号 EJ123456789JP 已经发了",
    "邮编 200120，上海浦东",
    "1200円です。11/21に発送します",
    "サイズはMで、着丈68cm、身幅52cm です",
    "180×90 の布、2026年11月21日 13:00-15:00 に発送",
    "〒100-0001 東京都千代田区",
    "ボディラインが綺麗なネックラインです。オンラインでも買えます",
    "追跡番号 EJ123456789JP で確認できます",
    "US$45.50 including shipping, size 10.5",
    "I'll be at home tomorrow from 9 to 5",
    "The deadline is 11/21, in line with the listing",
    "Can you do 2 for $80? I paid at checkout via the app",
    "Sizes 230 240 250 260 270 available",
    "ISBN 978-4-06-293700-0, first edition 1998",
    "It weighs 1.2 kg, 30×25×8 cm",
    "V领毛衣还有吗？颜色：灰色",
    "Let me look at the photos again",
    "Order of 12 pieces, 24000 yen total, thank you!",
]


@pytest.mark.parametrize(("text", "kinds", "gone"), CONTACT_SAMPLES)
def test_contact_details_are_redacted(text: str, kinds: set[str], gone: list[str]) -> None:
    result = redact(text)
    assert set(result.kinds) == kinds, (result.kinds, result.text)
    assert MARKER in result.text
    for fragment in gone:
        assert fragment not in result.text, result.text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_prices_dates_sizes_and_ids_are_left_alone(text: str) -> None:
    result = redact(text)
    assert result.kinds == ()
    assert result.text == text


def test_enough_samples_in_three_languages() -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    kana = re.compile(r"[\u3040-\u30ff]")
    ja = [t for t, _k, _g in CONTACT_SAMPLES if kana.search(t)]
    zh = [t for t, _k, _g in CONTACT_SAMPLES if cjk.search(t) and not kana.search(t)]
    en = [t for t, _k, _g in CONTACT_SAMPLES if not cjk.search(t) and not kana.search(t)]
    assert len(CONTACT_SAMPLES) >= 20
    assert min(len(zh), len(ja), len(en)) >= 7


def test_only_the_detail_goes_and_the_rest_stays_as_written() -> None:
    result = redact("下午好！电话13800138000，周末也可以。")
    assert result.text == f"下午好！电话{MARKER}，周末也可以。"
    assert result.kinds == ("phone",)


def test_kinds_are_reported_once_in_a_fixed_order() -> None:
    result = redact("QQ 12345678, 13800138000, 微信 abc_12345, 13900139000 and QQ号 87654321")
    assert result.kinds == ("phone", "wechat", "qq")
    assert set(result.kinds) <= set(KINDS)


def test_zero_width_characters_do_not_hide_a_number() -> None:
    result = redact("090\u200b1234\u200b5678")
    assert result.kinds == ("phone",)
    assert "1234" not in result.text


def test_empty_text() -> None:
    assert redact("").text == ""
    assert redact("").kinds == ()


def test_redacting_twice_changes_nothing_more() -> None:
    once = redact("微信 abc_12345 或者 taro@example.com、电话 090-1234-5678")
    assert redact(once.text).text == once.text


# --- properties -------------------------------------------------------------------------------

FILLER = st.text(alphabet="你好谢谢请问还有吗包邮的呢。，！ありがとうございますねよ　hello thanks ", max_size=30)
SEPARATORS = st.sampled_from(["", " ", "-", "－", " - ", ".", "ー"])


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)


@settings(max_examples=200, deadline=None)
@given(
    before=FILLER,
    after=FILLER,
    prefix=st.sampled_from(["13", "15", "17", "18", "19"]),
    rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
    sep=SEPARATORS,
    wide=st.booleans(),
)
def test_any_cn_mobile_in_any_format_is_redacted(
    before: str, after: str, prefix: str, rest: str, sep: str, wide: bool
) -> None:
    digits = prefix + rest
    number = sep.join([digits[:3], digits[3:7], digits[7:]])
    if wide:
        number = _full_width(number)
    result = redact(f"{before}{number}{after}")
    assert "phone" in result.kinds
    assert re.sub(r"\D", "", _normalised_digits(result.text)).find(digits) == -1


def _normalised_digits(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", text)


@settings(max_examples=200, deadline=None)
@given(
    before=FILLER,
    after=FILLER,
    mobile=st.sampled_from(["090", "080", "070"]),
    rest=st.text(alphabet="0123456789", min_size=8, max_size=8),
    sep=SEPARATORS,
    wide=st.booleans(),
)
def test_any_jp_mobile_in_any_format_is_redacted(
    before: str, after: str, mobile: str, rest: str, sep: str, wide: bool
) -> None:
    number = sep.join([mobile, rest[:4], rest[4:]])
    if wide:
        number = _full_width(number)
    result = redact(f"{before}{number}{after}")
    assert "phone" in result.kinds
    assert rest not in _normalised_digits(result.text).replace(sep, "").replace("-", "")


@settings(max_examples=300, deadline=None)
@given(
    amount=st.integers(min_value=0, max_value=9_999_999),
    cents=st.integers(min_value=0, max_value=99),
    year=st.integers(min_value=2000, max_value=2099),
    month=st.integers(min_value=1, max_value=12),
    day=st.integers(min_value=1, max_value=28),
    hour=st.integers(min_value=0, max_value=23),
    size=st.integers(min_value=1, max_value=400),
    template=st.sampled_from(
        [
            "¥{amount:,} 包邮",
            "{amount}円です",
            "{amount:,}元可以吗",
            "US${amount}.{cents:02d}",
            "{year}-{month:02d}-{day:02d} 发货",
            "{month}/{day} {hour}:{cents:02d} に発送",
            "{month}月{day}日{hour}時",
            "{year}年{month}月{day}日",
            "{size}cm × {cents}cm",
            "{size}.5cm, M size",
            "{size}×{cents}",
            "qty {cents}, total {amount} yen",
        ]
    ),
)
def test_prices_dates_times_and_sizes_are_never_redacted(
    amount: int, cents: int, year: int, month: int, day: int, hour: int, size: int, template: str
) -> None:
    text = template.format(amount=amount, cents=cents, year=year, month=month, day=day, hour=hour, size=size)
    result = redact(text)
    assert result.kinds == ()
    assert result.text == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_handled_and_what_is_kept_is_original_text(text: str) -> None:
    result = redact(text)
    assert set(result.kinds) <= set(KINDS)
    # every piece between markers is a piece of the original, in order
    pos = 0
    for piece in result.text.split(MARKER):
        found = text.find(piece, pos)
        assert found >= 0
        pos = found + len(piece)
