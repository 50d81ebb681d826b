from django.apps import AppConfig


class FxConfig(AppConfig):
    name = "shiji.fx"
    label = "fx"
    verbose_name = "Exchange rates"
