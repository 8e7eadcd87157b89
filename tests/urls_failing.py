"""The site's URLs plus one page that fails, to see what a visitor gets from a 500."""

from django.urls import path

from clermontech.urls import handler500  # noqa: F401
from clermontech.urls import urlpatterns as site_urlpatterns


def failing_page(request):
    raise RuntimeError("a bug in a page")


urlpatterns = [*site_urlpatterns, path("en-panne/", failing_page)]
