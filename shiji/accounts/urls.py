from django.urls import path

from shiji.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_view, name="register"),
    path("settings/", views.settings_view, name="settings"),
    path("password-reset/", views.password_reset_view, name="password_reset"),
    path("password-reset/<str:uid>/<str:token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("confirm-email/", views.confirm_email_view, name="confirm_email"),
    path("u/<str:user_id>/", views.profile_view, name="profile"),
]
