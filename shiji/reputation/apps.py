from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "shiji.reputation"
    label = "reputation"
    verbose_name = "Reputation"
