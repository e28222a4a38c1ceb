from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top of the house: home page, navigation and the demo that compose every app.

    Labelled ``tandem_site`` so that it never collides with ``django.contrib.sites`` (``sites``).
    """

    name = "tandem.site"
    label = "tandem_site"
