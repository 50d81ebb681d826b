from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "shiji.messaging"
    label = "messaging"
    verbose_name = "Messaging"
