"""Addresses of the old Jekyll site (/api-hours/api-hour-10.html, /talks/api-hour-10/
<post>.html, /code-of-conduct.html, /atom.xml…): included last in clermontech/urls.py,
so that they never hide one of our pages. Only shapes the old site used are matched,
so that Django's APPEND_SLASH still completes our own addresses."""

from django.urls import re_path

from . import views_old_site

app_name = "old-site"

urlpatterns = [
    re_path(r"^(?P<path>.+\.html)/?$", views_old_site.old_site_redirect, name="page"),
    re_path(r"^(?P<path>(?:atom|feed)\.xml)$", views_old_site.old_site_redirect, name="feed"),
    re_path(r"^(?P<path>api-hours(?:/[^/]+)?)/?$", views_old_site.old_site_redirect, name="event"),
    re_path(
        r"^(?P<path>talks/api-hours?-\d+/[^/]+)/?$", views_old_site.old_site_redirect, name="talk"
    ),
    re_path(r"^(?P<path>code-of-conduct)/?$", views_old_site.old_site_redirect, name="coc"),
]
