"""Demo market: exchange rates and listings with photos, from sellers in Japan and China.

The photos are drawn (no downloads): a still life of each category's object in the listing's
colours (``shiji.demo.photos``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shiji.accounts.models import User
from shiji.catalog import services as catalog
from shiji.catalog.models import Listing
from shiji.demo.photos import still_life
from shiji.fx.models import FxRate
from shiji.fx.services import fx_rate_set

DEMO_RATES = {
    "JPY": "150.25",
    "CNY": "7.12",
    "EUR": "0.92",
    "GBP": "0.79",
    "KRW": "1380",
    "HKD": "7.8",
    "TWD": "32.1",
    "SGD": "1.34",
    "THB": "35.6",
}


@dataclass(frozen=True)
class DemoListing:
    seller: str
    category: str
    language: str
    title: dict[str, str]
    description: str
    story: str
    price: str
    currency: str
    condition: str = "good"
    quantity: int = 1
    weight_g: int = 800
    size_cm: tuple[int, int, int] = (30, 25, 8)
    ships_to: tuple[str, ...] = ("*",)
    tags: tuple[str, ...] = ()
    palette: tuple[str, str] = ("#b3261e", "#fbe9e7")  # the object's colour, the wall's
    extra: dict[str, str] = field(default_factory=dict)


LISTINGS = [
    DemoListing(
        "haruka@demo.shiji.test",
        "dresses",
        "ja",
        {"ja": "昭和レトロ 花柄ワンピース 古着", "zh-hans": "昭和复古 碎花连衣裙 古着"},
        "1970年代の花柄ワンピース。丈は115cm、身幅46cm。目立つ傷や汚れはありません。",
        "大阪・中崎町の古着屋で見つけた一着です。祖母の若い頃の写真に似ていて、つい手に取りました。",
        "6800",
        "JPY",
        tags=("古着", "昭和レトロ", "vintage"),
        palette=("#c2185b", "#fde0ec"),
    ),
    DemoListing(
        "haruka@demo.shiji.test",
        "kimono",
        "ja",
        {"ja": "正絹 小紋 着物 藍色", "en": "Silk komon kimono, indigo"},
        "正絹の小紋です。裄丈64cm、身丈158cm。しつけ糸付き。",
        "京都の呉服店の蔵から出てきた反物で仕立てられた着物です。",
        "12000",
        "JPY",
        condition="like_new",
        weight_g=1200,
        tags=("着物", "kimono", "正絹"),
        palette=("#1a3d7c", "#dfe8f7"),
    ),
    DemoListing(
        "haruka@demo.shiji.test",
        "jackets-coats",
        "ja",
        {"ja": "80年代 ヴィンテージ デニムジャケット"},
        "80年代のデニムジャケット。サイズM。色落ちが綺麗です。",
        "神戸のフリーマーケットで出会いました。",
        "8500",
        "JPY",
        weight_g=1100,
        tags=("古着", "デニム", "vintage"),
        palette=("#3f51b5", "#e3e7fb"),
    ),
    DemoListing(
        "haruka@demo.shiji.test",
        "bags",
        "ja",
        {"ja": "がま口 レザーハンドバッグ 昭和", "zh-hans": "口金皮革手提包 昭和"},
        "本革のがま口バッグ。内側に小さなシミがあります。",
        "母が長く使っていたバッグです。",
        "5400",
        "JPY",
        condition="fair",
        weight_g=600,
        tags=("バッグ", "レトロ"),
        palette=("#6d4c41", "#efe4df"),
    ),
    DemoListing(
        "kenji@demo.shiji.test",
        "ceramics",
        "ja",
        {"ja": "手作り 陶器 マグカップ 織部", "zh-hans": "手作陶器 马克杯 织部釉"},
        "京都の工房で焼いた織部釉のマグカップ。容量300ml。",
        "一つひとつ轆轤で挽いています。同じものは二つとありません。",
        "3800",
        "JPY",
        condition="new",
        quantity=3,
        weight_g=700,
        size_cm=(16, 16, 14),
        tags=("陶器", "手作り", "織部"),
        palette=("#2e7d32", "#e3f1e4"),
    ),
    DemoListing(
        "kenji@demo.shiji.test",
        "tea-ware",
        "ja",
        {"ja": "手作り 急須 常滑焼風", "en": "Handmade teapot (kyusu)"},
        "容量250mlの急須。茶こし付き。",
        "お茶の時間が少し楽しくなるように。",
        "6500",
        "JPY",
        condition="new",
        weight_g=800,
        size_cm=(18, 14, 12),
        tags=("急須", "陶器", "手作り"),
        palette=("#bf360c", "#fbe5dc"),
    ),
    DemoListing(
        "liwei@demo.shiji.test",
        "figures",
        "zh-hans",
        {"zh-hans": "限定版 动漫手办 初音未来 正版", "en": "Limited Hatsune Miku figure, official"},
        "官方正版，盒子完好，只拆封展示过。",
        "收藏了五年，现在搬家，希望它去到喜欢它的人手里。",
        "680",
        "CNY",
        condition="like_new",
        weight_g=900,
        size_cm=(30, 22, 20),
        ships_to=("JP", "HK", "TW"),
        tags=("手办", "figure", "初音未来"),
        palette=("#00838f", "#dcf3f5"),
    ),
    DemoListing(
        "liwei@demo.shiji.test",
        "tea-ware",
        "zh-hans",
        {"zh-hans": "宜兴紫砂壶 手作 朱泥", "ja": "宜興紫砂茶壺 手作り 朱泥"},
        "容量180毫升，出水顺畅，配原装盒。",
        "在宜兴拜访一位老师傅时买的，用来泡乌龙很合适。",
        "420",
        "CNY",
        condition="new",
        weight_g=650,
        size_cm=(15, 12, 10),
        ships_to=("JP", "KR", "SG"),
        tags=("紫砂", "手作", "茶具"),
        palette=("#8d3b1f", "#f6e2d8"),
    ),
    DemoListing(
        "liwei@demo.shiji.test",
        "anime-goods",
        "zh-hans",
        {"zh-hans": "复古游戏机周边 徽章套装", "en": "Retro game pin badge set"},
        "一套十二枚金属徽章。",
        "从上海的漫展淘来的。",
        "88",
        "CNY",
        condition="new",
        quantity=5,
        weight_g=200,
        size_cm=(20, 15, 3),
        ships_to=("*",),
        tags=("周边", "徽章"),
        palette=("#6a1b9a", "#efe1f6"),
    ),
    DemoListing(
        "chenmei@demo.shiji.test",
        "tea",
        "zh-hans",
        {"zh-hans": "杭州明前龙井 100克", "ja": "杭州 明前龍井茶 100g"},
        "今年明前采摘的龙井，真空包装。",
        "家里在梅家坞有一小片茶园。",
        "160",
        "CNY",
        condition="new",
        quantity=4,
        weight_g=300,
        size_cm=(20, 12, 6),
        ships_to=("JP", "SG"),
        tags=("龙井", "茶叶", "杭州"),
        palette=("#558b2f", "#eef5e1"),
    ),
    DemoListing(
        "chenmei@demo.shiji.test",
        "textile-crafts",
        "zh-hans",
        {"zh-hans": "手作 扎染 棉麻围巾", "ja": "手作り 絞り染め 綿麻ストール"},
        "手工扎染，长180厘米，宽60厘米。",
        "大理学的扎染，每一条的花纹都不一样。",
        "128",
        "CNY",
        condition="new",
        quantity=2,
        weight_g=250,
        size_cm=(25, 20, 4),
        ships_to=("*",),
        tags=("扎染", "手作", "围巾"),
        palette=("#0d47a1", "#dde9fb"),
    ),
    DemoListing(
        "haruka@demo.shiji.test",
        "dresses",
        "ja",
        {"ja": "水玉 ワンピース 紺 レトロ", "zh-hans": "复古 藏青波点连衣裙"},
        "紺地に白の水玉。丈110cm。裏地付き。",
        "京都の古道具市で見つけました。",
        "5200",
        "JPY",
        weight_g=600,
        tags=("古着", "水玉", "レトロ"),
        palette=("#283593", "#e8eaf6"),
    ),
    DemoListing(
        "kenji@demo.shiji.test",
        "tea-ware",
        "ja",
        {"ja": "白磁 急須 手作り", "en": "White porcelain teapot, handmade"},
        "容量300ml。ステンレスの茶こし付き。",
        "白磁の肌に、お茶の色がよく映えます。",
        "7200",
        "JPY",
        condition="new",
        quantity=2,
        weight_g=750,
        size_cm=(18, 14, 12),
        tags=("急須", "白磁", "手作り"),
        palette=("#78909c", "#eceff1"),
    ),
    DemoListing(
        "liwei@demo.shiji.test",
        "jackets-coats",
        "zh-hans",
        {"zh-hans": "90年代 日本古着 牛仔外套", "ja": "90年代 古着 デニムジャケット"},
        "M码，肩宽46厘米，袖长60厘米，水洗色自然。",
        "去大阪旅行时在古着店买的，一直没怎么穿。",
        "260",
        "CNY",
        weight_g=1000,
        ships_to=("*",),
        tags=("古着", "牛仔", "vintage"),
        palette=("#5c6bc0", "#e8eaf6"),
    ),
    DemoListing(
        "chenmei@demo.shiji.test",
        "tea",
        "zh-hans",
        {"zh-hans": "安吉白茶 50克", "ja": "安吉白茶 50g"},
        "今年春茶，锡箔袋密封。",
        "朋友家在安吉种茶，每年春天都会寄一些给我。",
        "98",
        "CNY",
        condition="new",
        quantity=3,
        weight_g=150,
        size_cm=(15, 10, 5),
        ships_to=("JP", "SG", "HK"),
        tags=("白茶", "茶叶", "安吉"),
        palette=("#7cb342", "#f1f8e9"),
    ),
    DemoListing(
        "chenmei@demo.shiji.test",
        "textile-crafts",
        "zh-hans",
        {"zh-hans": "手作 蓝染 方巾", "ja": "手作り 藍染め ハンカチ"},
        "纯棉，45×45厘米，每一块的花纹都不一样。",
        "在贵州跟苗族阿姨学的蓝染。",
        "48",
        "CNY",
        condition="new",
        quantity=6,
        weight_g=80,
        size_cm=(20, 15, 2),
        ships_to=("*",),
        tags=("蓝染", "手作", "方巾"),
        palette=("#1a237e", "#e8eaf6"),
    ),
]


def seed_rates() -> None:
    if FxRate.objects.exists():
        return
    for quote, rate in DEMO_RATES.items():
        fx_rate_set(actor=None, base="USD", quote=quote, rate=rate, source="demo (not live rates)")


def _find_listing(seller: User, title: str) -> Listing | None:
    """The seller's listing with this title (in any of its languages)."""
    return next(
        (listing for listing in Listing.objects.filter(seller=seller) if title in (listing.title or {}).values()),
        None,
    )


def demo_listing(*, seller_email: str, title: str) -> Listing:
    """One of ``LISTINGS``, by its seller and its title in its own language."""
    listing = _find_listing(User.objects.get(email=seller_email), title)
    if listing is None:
        raise Listing.DoesNotExist(f"No demo listing {title!r} by {seller_email}: run seed_listings first.")
    return listing


def seed_listings() -> None:
    for index, item in enumerate(LISTINGS):
        seller = User.objects.get(email=item.seller)
        if _find_listing(seller, item.title[item.language]) is not None:
            continue
        listing = catalog.listing_create(
            seller=seller,
            data={
                "category": item.category,
                "title": item.title,
                "description": {item.language: item.description},
                "original_language": item.language,
                "condition": item.condition,
                "price": {"amount": item.price, "currency": item.currency},
                "quantity": item.quantity,
                "weight_g": item.weight_g,
                "size_cm": list(item.size_cm),
                "ships_from": seller.country,
                "ships_to": list(item.ships_to),
                "story": item.story,
                "tags": list(item.tags),
            },
        )
        for view in range(2):
            photo = still_life(item.category, item.palette, view=view, seed=index)
            catalog.photo_add(seller=seller, listing_id=listing.id, image=photo)
        # Publishing schedules the search index update; the demo runs it at commit (inline jobs).
        catalog.listing_publish(seller=seller, listing_id=listing.id)
