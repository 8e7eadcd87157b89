from django.contrib import admin
from django.urls import path

from . import views

app_name = "history"

urlpatterns = [
    path("histoire/", views.history, name="history"),
    # In the admin (its login, its look), for organizers only.
    path("admin/insights/", admin.site.admin_view(views.insights_page), name="insights"),
    path(
        "admin/insights/<slug:slug>.csv",
        admin.site.admin_view(views.insights_csv),
        name="insights-csv",
    ),
]
