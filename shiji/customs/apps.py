from django.apps import AppConfig


class CustomsConfig(AppConfig):
    name = "shiji.customs"
    label = "customs"
    verbose_name = "Customs"
