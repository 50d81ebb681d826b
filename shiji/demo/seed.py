"""Idempotent demo data: people in Japan and China, staff for each role, a document to review.

Each later capability adds its own ``seed_*`` step here (listings with photos in ``market``;
orders, disputes, reviews, messages, a report and a held payout in ``trade``), so ``shiji demo``
always shows a living market. Everything goes through domain services.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db import transaction
from PIL import Image, ImageDraw

from shiji.accounts import services as accounts
from shiji.accounts.models import User
from shiji.accounts.roles import Role
from shiji.identity import services as identity
from shiji.identity.models import VerificationRequest
from shiji.identity.states import Level

DEMO_PASSWORD = "shiji-demo-2026"  # noqa: S105 - published demo credentials, refused outside debug  # nosec B105


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    country: str
    language: str
    currency: str
    bio: str
    interests: tuple[str, ...]
    level: int


PEOPLE = [
    DemoPerson(
        "haruka@demo.shiji.test",
        "はるか（大阪の古着屋）",
        "JP",
        "ja",
        "JPY",
        "大阪・中崎町で古着を集めています。昭和レトロのワンピースが好きです。",
        ("古着", "vintage", "昭和レトロ"),
        1,
    ),
    DemoPerson(
        "kenji@demo.shiji.test",
        "けんじ工房",
        "JP",
        "ja",
        "JPY",
        "京都で陶器を作っています。手作りの器をお届けします。",
        ("陶器", "手作り", "京都"),
        0,
    ),
    DemoPerson(
        "liwei@demo.shiji.test",
        "李伟",
        "CN",
        "zh-hans",
        "CNY",
        "上海的手办收藏爱好者，也喜欢日本古着。",
        ("手办", "古着", "动漫"),
        1,
    ),
    DemoPerson(
        "chenmei@demo.shiji.test",
        "陈梅",
        "CN",
        "zh-hans",
        "CNY",
        "杭州的陶艺爱好者，喜欢手作的器物。",
        ("陶器", "手作", "茶道"),
        0,
    ),
]

STAFF = [(role, f"{role.value.replace('_', '-')}@demo.shiji.test") for role in Role]


def _document_image(name: str) -> io.BytesIO:
    image = Image.new("RGB", (900, 560), (236, 240, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 870, 530), outline=(40, 60, 90), width=6)
    draw.rectangle((60, 120, 300, 440), fill=(200, 208, 216))
    draw.text((340, 120), "SPECIMEN / DEMO ONLY", fill=(120, 20, 20))
    draw.text((340, 180), f"NAME: {name}", fill=(20, 20, 20))
    draw.text((340, 240), "No. XX000DEMO", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return out


def seed_people() -> list[User]:
    users = []
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = accounts.user_register(
                email=person.email,
                password=DEMO_PASSWORD,
                display_name=person.display_name,
                country=person.country,
                language=person.language,
                currency=person.currency,
            )
            accounts.user_update_profile(user=user, changes={"bio": person.bio, "interests": list(person.interests)})
        if person.level >= Level.IDENTITY:
            accounts.user_raise_verification_level(user_id=user.id, level=person.level)
        users.append(user)
    return users


def seed_staff() -> list[User]:
    return [
        accounts.staff_create(email=email, password=DEMO_PASSWORD, role=role, display_name=f"Demo {role.value}")
        for role, email in STAFF
    ]


def seed_pending_verification() -> None:
    kenji = User.objects.get(email="kenji@demo.shiji.test")
    if kenji.verification_level == 0 and not VerificationRequest.objects.filter(user=kenji).exists():
        identity.verification_submit(
            user=kenji,
            legal_name="Kenji Yamamoto",
            document_type="national_id",
            document_number="XX000DEMO1234",
            document_image=_document_image("KENJI YAMAMOTO"),
        )


def seed_all() -> None:
    """Everything, in order; the trade runs outside the first transaction because each of its
    steps needs the jobs the previous one's commit scheduled (``inline.inline_jobs``)."""
    from shiji.demo.inline import inline_jobs
    from shiji.demo.market import seed_listings, seed_rates
    from shiji.demo.trade import seed_trade

    with inline_jobs():
        with transaction.atomic():
            seed_people()
            seed_staff()
            seed_pending_verification()
            seed_rates()
            seed_listings()
        seed_trade()
