from django.urls import path

from . import views, views_community

app_name = "members"

urlpatterns = [
    # Profiles
    path("members/me/", views.profile, name="profile"),
    path("members/<int:pk>/", views.member_detail, name="detail"),
]

# Community
urlpatterns += [
    path("members/me/export/", views_community.export, name="export"),
    path("members/me/delete/", views_community.delete, name="delete"),
    path("signalement/", views_community.report, name="report"),
    path("signalement/merci/", views_community.report_done, name="report-done"),
    path("desabonnement/<str:token>/", views_community.unsubscribe, name="unsubscribe"),
]
