from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shiji.web"
    label = "web"
    verbose_name = "Web pages"
