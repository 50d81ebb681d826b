from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shiji.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from shiji.orders import receivers  # noqa: F401  (connects signal receivers)
