from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "shiji.risk"
    label = "risk"
    verbose_name = "Risk"
