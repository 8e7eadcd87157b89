from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/me/", views.profile, name="profile"),
    path("members/<int:pk>/", views.member_detail, name="detail"),
]
