from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from shiji.accounts.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    country = "JP"
    language = "ja"
    currency = "JPY"
    timezone = "Asia/Tokyo"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()
        for role in extracted or ():
            group, _ = Group.objects.get_or_create(name=role)
            self.groups.add(group)
            self.is_staff = True
            self.save(update_fields=["is_staff"])


def chinese_buyer(**kwargs: Any) -> User:
    defaults = {"country": "CN", "language": "zh-hans", "currency": "CNY", "timezone": "Asia/Shanghai"}
    return UserFactory(**{**defaults, **kwargs})
