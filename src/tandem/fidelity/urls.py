from django.urls import path

from tandem.fidelity import indicator_views, scale_views, views

app_name = "fidelity"

urlpatterns: list[object] = [
    path("fidelity/reviews/", views.review_list, name="review_list"),
    path("fidelity/reviews/new/", views.review_new, name="review_new"),
    path("fidelity/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("fidelity/reviews/<int:pk>/rate/", views.review_rate, name="review_rate"),
    path("fidelity/reviews/<int:pk>/reconcile/", views.review_reconcile, name="review_reconcile"),
    path("fidelity/scales/", scale_views.scale_list, name="scale_list"),
    path("fidelity/scales/new/", scale_views.scale_new, name="scale_new"),
    path("fidelity/scales/<int:pk>/", scale_views.scale_detail, name="scale_detail"),
    path("fidelity/scales/items/<int:pk>/", scale_views.scale_item, name="scale_item"),
    path(
        "fidelity/teams/<int:pk>/indicators/",
        indicator_views.team_indicators,
        name="team_indicators",
    ),
    path(
        "fidelity/teams/<int:pk>/indicators/refresh/",
        indicator_views.indicators_refresh,
        name="indicators_refresh",
    ),
]
