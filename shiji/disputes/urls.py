from django.urls import path

from shiji.disputes import views

app_name = "disputes"

urlpatterns = [
    path("disputes/<str:dispute_id>/", views.dispute_page, name="detail"),
    path("disputes/<str:dispute_id>/act/<str:action>/", views.dispute_act, name="act"),
    path("orders/<str:order_id>/dispute/open/", views.dispute_open_view, name="open"),
]
