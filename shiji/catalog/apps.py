from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shiji.catalog"
    label = "catalog"
    verbose_name = "Catalog"
