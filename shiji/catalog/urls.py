from django.urls import path

from shiji.catalog import views

app_name = "catalog"

urlpatterns = [
    path("market/", views.market_view, name="market"),
    path("search/", views.search_view, name="search"),
    path("sell/", views.sell_view, name="sell"),
    path("my/listings/", views.my_listings_view, name="mine"),
    path("listings/<str:listing_id>/", views.listing_view, name="listing"),
    path("listings/<str:listing_id>/edit/", views.edit_view, name="edit"),
    path("listings/<str:listing_id>/photos/", views.photo_upload_view, name="photo_upload"),
    path("listings/<str:listing_id>/photos/<str:photo_id>/", views.photo_action_view, name="photo_action"),
    path("listings/<str:listing_id>/status/", views.lifecycle_view, name="lifecycle"),
]
