from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "shiji.disputes"
    label = "disputes"
    verbose_name = "Disputes"
