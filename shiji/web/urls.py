from django.urls import path

from shiji.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language_switch, name="language"),
]
