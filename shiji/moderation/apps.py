from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "shiji.moderation"
    label = "moderation"
    verbose_name = "Moderation"
