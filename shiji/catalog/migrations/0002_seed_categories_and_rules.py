"""The built-in category tree for C2C goods and the destination rules of CUSTOMS.md.

Both are data: editable in the admin afterwards. Re-running is harmless (get_or_create by slug).
"""

from django.db import migrations

from shiji.core.ids import new_id

# slug, parent slug, zh-hans, ja, en, default 6-digit HS code
CATEGORIES = [
    ("vintage-clothing", None, "古着", "古着", "Vintage clothing", "630900"),
    ("dresses", "vintage-clothing", "连衣裙", "ワンピース", "Dresses", "620442"),
    ("jackets-coats", "vintage-clothing", "外套夹克", "ジャケット・コート", "Jackets & coats", "620293"),
    ("kimono", "vintage-clothing", "和服", "着物・浴衣", "Kimono & yukata", "621149"),
    ("tops", "vintage-clothing", "上衣", "トップス", "Tops", "620630"),
    ("bags", None, "包袋", "バッグ", "Bags", "420222"),
    ("anime-figures", None, "动漫手办", "アニメ・フィギュア", "Anime & figures", "950300"),
    ("figures", "anime-figures", "手办", "フィギュア", "Figures", "950300"),
    ("anime-goods", "anime-figures", "动漫周边", "アニメグッズ", "Anime goods", "950300"),
    ("handmade", None, "手作", "ハンドメイド", "Handmade crafts", "442199"),
    ("handmade-accessories", "handmade", "手作饰品", "ハンドメイドアクセサリー", "Handmade accessories", "711719"),
    ("textile-crafts", "handmade", "布艺手作", "布小物", "Textile crafts", "630790"),
    ("ceramics", None, "陶瓷餐具", "陶器・食器", "Ceramics & tableware", "691200"),
    ("tea-ware", "ceramics", "茶具", "茶器", "Tea ware", "691200"),
    ("cosmetics", None, "美妆护肤", "コスメ・スキンケア", "Cosmetics & skincare", "330499"),
    ("books-media", None, "图书音像", "本・メディア", "Books & media", "490199"),
    ("manga", "books-media", "漫画", "漫画", "Manga", "490199"),
    ("vinyl-records", "books-media", "黑胶唱片", "レコード", "Vinyl records", "852380"),
    ("electronics", None, "数码", "家電・デジタル", "Electronics", "854370"),
    ("film-cameras", "electronics", "胶片相机", "フィルムカメラ", "Film cameras", "900659"),
    ("game-consoles", "electronics", "游戏机", "ゲーム機", "Game consoles", "950450"),
    ("local-food", None, "地方特产", "ご当地グルメ", "Local food specialities", "210690"),
    ("tea", "local-food", "茶叶", "お茶", "Tea", "090210"),
    ("snacks", "local-food", "零食点心", "お菓子", "Snacks & sweets", "190590"),
    ("meat-products", "local-food", "肉制品", "肉製品", "Meat products", "160250"),
    ("dairy", "local-food", "乳制品", "乳製品", "Dairy", "040110"),
    ("health", None, "健康保健", "健康・サプリ", "Health & supplements", "210690"),
    ("medicine", "health", "药品", "医薬品", "Medicine", "300490"),
    ("toys-games", None, "玩具", "おもちゃ・ゲーム", "Toys & games", "950300"),
    ("home-living", None, "家居", "インテリア・雑貨", "Home & living", "940360"),
    ("stationery", None, "文具", "文房具", "Stationery", "482090"),
]

# country ("*" = everywhere), category slug or None, keywords, reason zh-hans / ja / en, source
RULES = [
    (
        "*",
        None,
        ["毒品", "大麻", "麻薬", "覚醒剤", "narcotics", "cannabis", "cocaine"],
        "任何国家和地区都禁止寄送毒品。",
        "麻薬類はどの国へも発送できません。",
        "Narcotics cannot be shipped to any country.",
        "CUSTOMS.md: everywhere",
    ),
    (
        "*",
        None,
        ["枪支", "弹药", "炸药", "銃", "弾薬", "火薬", "firearm", "ammunition", "explosive"],
        "任何国家和地区都禁止寄送武器和爆炸物。",
        "武器や爆発物はどの国へも発送できません。",
        "Weapons and explosives cannot be shipped to any country.",
        "CUSTOMS.md: everywhere",
    ),
    (
        "*",
        None,
        ["高仿", "复刻", "A货", "スーパーコピー", "コピー品", "replica", "counterfeit"],
        "禁止销售假冒或侵权商品。",
        "偽造品・権利侵害品は出品できません。",
        "Counterfeit or infringing goods cannot be sold.",
        "CUSTOMS.md: everywhere",
    ),
    (
        "CN",
        "meat-products",
        ["肉制品", "火腿", "牛肉干", "肉干", "ビーフジャーキー", "ハム", "beef jerky"],
        "中国禁止通过邮寄或跨境电商进口肉制品。",
        "中国へは肉製品を郵便・越境ECで送れません。",
        "China does not admit meat products by post or cross-border e-commerce.",
        "CUSTOMS.md: CN",
    ),
    (
        "CN",
        None,
        ["灭菌乳", "常温奶", "ロングライフ牛乳", "sterilised milk", "sterilized milk"],
        "中国禁止通过邮寄或跨境电商进口灭菌乳。",
        "中国へはロングライフ牛乳（滅菌乳）を送れません。",
        "China does not admit sterilised milk by post or cross-border e-commerce.",
        "CUSTOMS.md: CN",
    ),
    (
        "CN",
        None,
        ["蛋黄酱", "沙拉酱", "マヨネーズ", "mayonnaise"],
        "中国禁止通过邮寄或跨境电商进口蛋黄酱。",
        "中国へはマヨネーズを送れません。",
        "China does not admit mayonnaise by post or cross-border e-commerce.",
        "CUSTOMS.md: CN",
    ),
    (
        "CN",
        None,
        ["燕窝", "燕の巣", "bird's nest", "birds nest"],
        "中国禁止通过邮寄或跨境电商进口燕窝。",
        "中国へは燕の巣を送れません。",
        "China does not admit bird's nest by post or cross-border e-commerce.",
        "CUSTOMS.md: CN",
    ),
    (
        "JP",
        None,
        ["处方药", "処方薬", "prescription drug", "prescription medicine"],
        "日本限制个人进口药品（处方药最多1个月用量）。",
        "医薬品の個人輸入には数量制限があります（処方薬は1か月分まで）。",
        "Japan limits personal imports of medicine (prescription drugs: one month's supply).",
        "CUSTOMS.md: JP",
    ),
    (
        "KR",
        "health",
        [],
        "韩国食品药品安全处限制保健品和药品的个人进口。",
        "韓国では健康食品・医薬品の個人輸入が食品医薬品安全処により制限されています。",
        "Korea's food and drug authority restricts supplements and medicine.",
        "CUSTOMS.md: KR",
    ),
    (
        "KR",
        "cosmetics",
        [],
        "韩国食品药品安全处限制化妆品的个人进口。",
        "韓国では化粧品の個人輸入が食品医薬品安全処により制限されています。",
        "Korea's food and drug authority restricts cosmetics.",
        "CUSTOMS.md: KR",
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    Rule = apps.get_model("catalog", "ProhibitedRule")
    by_slug = {}
    for position, (slug, parent, zh, ja, en, hs) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "id": new_id("cat"),
                "parent": by_slug.get(parent),
                "name_zh_hans": zh,
                "name_ja": ja,
                "name_en": en,
                "hs_code": hs,
                "position": position,
            },
        )
        by_slug[slug] = category
    if Rule.objects.exists():
        return
    for country, slug, keywords, zh, ja, en, source in RULES:
        Rule.objects.create(
            id=new_id("prh"),
            country=country,
            category=by_slug.get(slug) if slug else None,
            keywords=keywords,
            reason_zh_hans=zh,
            reason_ja=ja,
            reason_en=en,
            source=source,
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
