from django.urls import path

from shiji.reputation import views

app_name = "reputation"

urlpatterns = [
    path("orders/<str:order_id>/review/", views.review_view, name="review"),
    path("reviews/<str:review_id>/reply/", views.reply_view, name="reply"),
    path("my/score/", views.my_score_view, name="my_score"),
]
