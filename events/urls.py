from django.urls import path

from . import views, views_reminders

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("mine/", views.my_events, name="mine"),
    path("reconfirm/<str:token>/", views_reminders.reconfirm, name="reconfirm"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/rsvp/", views.rsvp, name="rsvp"),
    path("<slug:slug>/rsvp/cancel/", views.rsvp_cancel_view, name="rsvp-cancel"),
    path("<slug:slug>/ticket/", views.ticket, name="ticket"),
    path("<slug:slug>/calendar.ics", views.event_calendar, name="calendar"),
]
