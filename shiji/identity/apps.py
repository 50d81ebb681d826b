from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "shiji.identity"
    label = "identity"
    verbose_name = "Identity verification"
