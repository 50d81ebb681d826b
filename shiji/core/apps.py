from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shiji.core"
    label = "core"
    verbose_name = "Core"
