from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "shiji.search"
    label = "search"
    verbose_name = "Search"
