from django.apps import AppConfig


class FxConfig(AppConfig):
    name = "shiji.fx"
    label = "fx"
    verbose_name = "Exchange rates"

    def ready(self) -> None:
        from django.core import checks

        from shiji.fx.checks import check_fx_margin

        checks.register(check_fx_margin)
