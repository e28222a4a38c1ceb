from django.urls import path

from tandem.fidelity.views import indicators, reviews, scales, targets

app_name = "fidelity"

urlpatterns: list[object] = [
    path("fidelity/reviews/", reviews.review_list, name="review_list"),
    path("fidelity/reviews/new/", reviews.review_new, name="review_new"),
    path("fidelity/reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("fidelity/reviews/<int:pk>/rate/", reviews.review_rate, name="review_rate"),
    path("fidelity/reviews/<int:pk>/reconcile/", reviews.review_reconcile, name="review_reconcile"),
    path("fidelity/scales/", scales.scale_list, name="scale_list"),
    path("fidelity/scales/new/", scales.scale_new, name="scale_new"),
    path("fidelity/scales/<int:pk>/", scales.scale_detail, name="scale_detail"),
    path("fidelity/scales/items/<int:pk>/", scales.scale_item, name="scale_item"),
    path(
        "fidelity/teams/<int:pk>/indicators/",
        indicators.team_indicators,
        name="team_indicators",
    ),
    path(
        "programmes/<int:pk>/configuration/indicator-targets/",
        targets.indicator_targets,
        name="indicator_targets",
    ),
    path(
        "fidelity/teams/<int:pk>/indicators/refresh/",
        indicators.indicators_refresh,
        name="indicators_refresh",
    ),
]
