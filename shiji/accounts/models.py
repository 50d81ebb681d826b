"""People, their API tokens and their profile. Rules live in services.py."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone as dj_timezone

from shiji.core.ids import OpaqueIdField

LANGUAGE_CHOICES = [("zh-hans", "简体中文"), ("ja", "日本語"), ("en", "English")]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("display_name", email.split("@")[0])
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = OpaqueIdField(prefix="usr")
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=60)
    country = models.CharField(max_length=2)
    languages = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    currency = models.CharField(max_length=3, default="USD")
    timezone = models.CharField(max_length=64, default="UTC")
    bio = models.TextField(blank=True, max_length=1000)
    interests = models.JSONField(default=list, blank=True)
    avatar = models.CharField(max_length=255, blank=True)

    verification_level = models.PositiveSmallIntegerField(default=0)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Written by the trust and order domains through accounts services (denormalised for the
    # public profile, which must be one cheap read).
    service_score = models.PositiveSmallIntegerField(default=70)
    completed_sales = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)

    # Set by a moderator (shiji.moderation): the person can still sign in and finish open orders,
    # but cannot publish, buy, start conversations or report; their active listings are hidden.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=dj_timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(verification_level__lte=2), name="verification_level_0_to_2"),
            models.CheckConstraint(condition=models.Q(service_score__lte=100), name="service_score_lte_100"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.id}>"

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def reliable(self) -> bool:
        return self.service_score >= settings.SHIJI_RELIABLE_SCORE


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    id = OpaqueIdField(prefix="tok")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token {self.id} of {self.user_id}"
