from django.urls import path

from . import views, views_checkin

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("mine/", views.my_events, name="mine"),
    path("billet/<str:code>/", views_checkin.checkin_ticket, name="checkin-ticket"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/rsvp/", views.rsvp, name="rsvp"),
    path("<slug:slug>/rsvp/cancel/", views.rsvp_cancel_view, name="rsvp-cancel"),
    path("<slug:slug>/ticket/", views.ticket, name="ticket"),
    path("<slug:slug>/calendar.ics", views.event_calendar, name="calendar"),
    path("<slug:slug>/checkin/", views_checkin.checkin, name="checkin"),
    path("<slug:slug>/checkin/annuler/", views_checkin.checkin_undo, name="checkin-undo"),
    path("<slug:slug>/checkin/sur-place/", views_checkin.checkin_walk_in, name="checkin-walk-in"),
]
