from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "shiji.backoffice"
    label = "backoffice"
    verbose_name = "Backoffice"
