from django.urls import include, path

from benchmarks import views

urlpatterns = [
    path("bench/trivial/", views.trivial),
    path("bench/trivial-user/", views.trivial_user),
    path("bench/floor/<slug:slug>/", views.floor_rsvp),
    path("", include("clermontech.urls")),
]
handler500 = "core.views.server_error"
