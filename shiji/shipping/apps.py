from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shiji.shipping"
    label = "shipping"
    verbose_name = "Shipping"
