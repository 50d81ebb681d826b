from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "shiji.payments"
    label = "payments"
    verbose_name = "Payments and payouts"

    def ready(self) -> None:
        from django.core.checks import register

        from shiji.payments import receivers  # noqa: F401  (connects signal receivers)
        from shiji.payments.checks import check_fees

        register(check_fees)
