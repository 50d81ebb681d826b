from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shiji.orders"
    label = "orders"
    verbose_name = "Orders"
