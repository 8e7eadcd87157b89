from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from community import views as community_views
from core import views as core_views
from events import views as event_views

admin.site.site_header = _("Administration Clermont'ech")
admin.site.site_title = _("Clermont'ech")
admin.site.index_title = _("Gestion des API Hours")
# The admin's own login page would bypass allauth's rate limits (and its email login):
# /admin/login/ sends to the site's login page and back.
admin.site.login = secure_admin_login(admin.site.login)

handler500 = "core.views.server_error"

urlpatterns = [
    path("", event_views.home, name="home"),
    path("events/", include("events.urls")),
    path("", include("talks.urls")),
    path("", include("members.urls")),
    path("", include("community.urls")),
    path("", include("sponsors.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "code-de-conduite/",
        TemplateView.as_view(template_name="pages/code_of_conduct.html"),
        name="code-of-conduct",
    ),
    path("a-propos/", community_views.about, name="about"),
    path("", include("api.urls")),
    path("", include("history.urls")),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # Last: the old site's addresses, redirected to the pages that replaced them.
    path("", include("talks.urls_old_site")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
