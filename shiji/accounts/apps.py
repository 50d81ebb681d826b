from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shiji.accounts"
    label = "accounts"
    verbose_name = "Accounts"
