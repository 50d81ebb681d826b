from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shiji.notifications"
    label = "notifications"
    verbose_name = "Notifications"
