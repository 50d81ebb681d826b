"""What the demo people trade: one order per scenario between a buyer and a listing, the state it
should reach, and what the two sides write on the way. ``shiji.demo.trade`` plays them through
the domain services. The texts are the people's own words, in their own languages (content, not
interface strings).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

HARUKA = "haruka@demo.shiji.test"
KENJI = "kenji@demo.shiji.test"
LIWEI = "liwei@demo.shiji.test"
CHENMEI = "chenmei@demo.shiji.test"

# Each buyer's own address (the risk rules count accounts sharing one, so they differ).
ADDRESSES: dict[str, dict[str, str]] = {
    HARUKA: {
        "name": "田中はるか",
        "line1": "大阪市北区中崎西2-3-4 ハイツ中崎 201",
        "city": "大阪市",
        "region": "大阪府",
        "postal_code": "530-0015",
        "country": "JP",
        "phone": "+81 90 0000 0101",
    },
    KENJI: {
        "name": "山本健二",
        "line1": "京都市東山区五条橋東6丁目 1-2",
        "city": "京都市",
        "region": "京都府",
        "postal_code": "605-0846",
        "country": "JP",
        "phone": "+81 75 000 0202",
    },
    LIWEI: {
        "name": "李伟",
        "line1": "徐汇区衡山路 88 弄 5 号 302 室",
        "city": "上海",
        "postal_code": "200031",
        "country": "CN",
        "phone": "+86 139 0000 0303",
    },
    CHENMEI: {
        "name": "陈梅",
        "line1": "西湖区龙井路 16 号",
        "city": "杭州",
        "region": "浙江省",
        "postal_code": "310013",
        "country": "CN",
        "phone": "+86 137 0000 0404",
    },
}


class Goal(StrEnum):
    """The state a scenario's order is taken to (and left in)."""

    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DISPUTED = "disputed"


@dataclass(frozen=True)
class Say:
    by: str  # "buyer" or "seller"
    text: str


@dataclass(frozen=True)
class DemoDispute:
    reason: str
    description: str
    thread: tuple[Say, ...] = ()
    photo: bool = False  # the buyer's first message carries a photo of the problem
    offer_percent: int | None = None  # the seller offers this share of what the order holds
    escalate: str = ""  # the buyer asks an arbitrator, with this note


@dataclass(frozen=True)
class DemoOrder:
    goal: Goal
    buyer: str
    seller: str
    listing: str  # the listing's title in its own language (market.LISTINGS)
    carrier_service: str | None = None  # else the cheapest
    chat: tuple[Say, ...] = ()  # the order's conversation
    scans: tuple[tuple[str, str], ...] = ()  # (tracking status, place) the sandbox carrier reports
    reviews: tuple[tuple[int, str], tuple[int, str]] | None = None  # (buyer's, seller's)
    cancel_reason: str = ""
    dispute: DemoDispute | None = None


JP_TO_CN_SCANS = (
    ("in_transit", "大阪国際郵便局, JP"),
    ("customs", "上海浦东 海关, CN"),
    ("out_for_delivery", "上海, CN"),
    ("delivered", "上海, CN"),
)
CN_TO_JP_SCANS = (
    ("in_transit", "杭州, CN"),
    ("customs", "関西空港 税関, JP"),
    ("out_for_delivery", "大阪, JP"),
    ("delivered", "大阪, JP"),
)

ORDERS: tuple[DemoOrder, ...] = (
    # --- a Japanese seller and a Chinese buyer -------------------------------------------------
    DemoOrder(
        Goal.COMPLETED,
        LIWEI,
        HARUKA,
        "昭和レトロ 花柄ワンピース 古着",
        chat=(
            Say("buyer", "你好！这是送给妈妈的生日礼物，请问可以这周内发货吗？"),
            Say("seller", "ありがとうございます！明日の午前中に発送しますね。"),
        ),
        scans=JP_TO_CN_SCANS,
        reviews=(
            (5, "和照片一样漂亮，包装也很用心。妈妈非常喜欢，谢谢！"),
            (5, "丁寧なご連絡ありがとうございました。また是非よろしくお願いします。"),
        ),
    ),
    DemoOrder(
        Goal.DELIVERED,
        CHENMEI,
        KENJI,
        "手作り 陶器 マグカップ 織部",
        chat=(Say("seller", "割れないように二重に梱包しました。届いたら確認してくださいね。"),),
        scans=JP_TO_CN_SCANS,
    ),
    DemoOrder(
        Goal.PAID,
        CHENMEI,
        HARUKA,
        "正絹 小紋 着物 藍色",
        carrier_service="jp-express-ddp",
        chat=(Say("buyer", "我选了包税的快递，请帮忙用这个方式寄出，谢谢。"),),
    ),
    DemoOrder(
        Goal.DISPUTED,
        LIWEI,
        HARUKA,
        "80年代 ヴィンテージ デニムジャケット",
        scans=JP_TO_CN_SCANS,
        dispute=DemoDispute(
            "not_as_described",
            "袖口和领子有明显的磨损和一处小破洞，商品描述里没有提到。",
            thread=(
                Say("buyer", "照片里可以看到袖口的破洞。"),
                Say("seller", "ご不便をおかけして申し訳ありません。写真を確認しました。一部返金でいかがでしょうか。"),
            ),
            photo=True,
            offer_percent=25,
        ),
    ),
    # --- a Chinese seller and a Japanese buyer -------------------------------------------------
    DemoOrder(
        Goal.COMPLETED,
        KENJI,
        LIWEI,
        "宜兴紫砂壶 手作 朱泥",
        scans=CN_TO_JP_SCANS,
        reviews=(
            (4, "良い急須です。出水もきれいです。届くまで少し時間がかかりました。"),
            (5, "很愉快的交易，买家付款很快，欢迎再来！"),
        ),
    ),
    DemoOrder(
        Goal.SHIPPED,
        HARUKA,
        CHENMEI,
        "杭州明前龙井 100克",
        chat=(
            Say("buyer", "楽しみにしています！"),
            Say("seller", "已经寄出了，今年的新茶，希望你喜欢。"),
        ),
        scans=CN_TO_JP_SCANS[:2],
    ),
    DemoOrder(Goal.AWAITING_PAYMENT, KENJI, LIWEI, "复古游戏机周边 徽章套装"),
    DemoOrder(
        Goal.CANCELLED,
        KENJI,
        CHENMEI,
        "手作 扎染 棉麻围巾",
        cancel_reason="色違いを注文してしまいました。申し訳ありません。",
    ),
    DemoOrder(
        Goal.DISPUTED,
        HARUKA,
        LIWEI,
        "限定版 动漫手办 初音未来 正版",
        scans=CN_TO_JP_SCANS,
        dispute=DemoDispute(
            "damaged",
            "箱が潰れていて、フィギュアの左腕が折れていました。",
            thread=(
                Say("seller", "发货时包装是完好的，应该是运输途中损坏的。我可以退一部分钱。"),
                Say("buyer", "限定品なので部分返金では困ります。全額返金をお願いします。"),
            ),
            escalate="話し合いで解決できなかったので、仲裁をお願いします。",
        ),
    ),
)


@dataclass(frozen=True)
class DemoInquiry:
    buyer: str
    seller: str
    listing: str
    thread: tuple[Say, ...]


# The first message carries a WeChat id: messaging takes it out and warns the sender.
INQUIRY = DemoInquiry(
    CHENMEI,
    HARUKA,
    "がま口 レザーハンドバッグ 昭和",
    (
        Say("buyer", "你好，请问包的内衬有没有破损？方便的话加我微信 chenmei_hz88 发几张照片。"),
        Say("seller", "内側はシミが一つあるだけで、破れはありません。写真を出品ページに追加しますね。"),
        Say("buyer", "好的，谢谢！"),
    ),
)


@dataclass(frozen=True)
class DemoReport:
    reporter: str
    seller: str
    listing: str
    reason: str
    details: str


REPORT = DemoReport(
    HARUKA,
    LIWEI,
    "复古游戏机周边 徽章套装",
    "counterfeit",
    "公式ライセンスの表記が見当たりません。非公式のコピー品ではないでしょうか。",
)

# Haruka asks for a payout right after adding her bank account: the risk rule holds it for finance.
PAYOUT_SELLER = HARUKA
PAYOUT_ACCOUNT = ("bank", "TANAKA HARUKA", "0001234567")  # method, holder, account number
PAYOUT_AMOUNT = ("5000", "JPY")
