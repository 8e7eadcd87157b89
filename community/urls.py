from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("members/me/export/", views.export, name="export"),
    path("members/me/delete/", views.delete, name="delete"),
    path("signalement/", views.report, name="report"),
    path("signalement/merci/", views.report_done, name="report-done"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
