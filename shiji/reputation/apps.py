from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "shiji.reputation"
    label = "reputation"
    verbose_name = "Reputation"

    def ready(self) -> None:
        from shiji.reputation import receivers  # noqa: F401  (connects the order signal receivers)
