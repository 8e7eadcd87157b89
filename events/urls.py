from django.urls import path

from . import views, views_calendar, views_checkin, views_draw, views_opening, views_reminders

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("mine/", views.my_events, name="mine"),
    path("billet/<str:code>/", views_checkin.checkin_ticket, name="checkin-ticket"),
    path("reconfirm/<str:token>/", views_reminders.reconfirm, name="reconfirm"),
    # Calendars and feeds, before the <slug> routes ("calendar" and "feed" are reserved).
    path("calendar.ics", views_calendar.calendar_feed, name="calendar-feed"),
    path("feed.atom", views_calendar.atom_feed, name="atom"),
    path("<slug:slug>.ics", views_calendar.event_ics_view, name="ics"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/rsvp/", views.rsvp, name="rsvp"),
    path("<slug:slug>/rsvp/cancel/", views.rsvp_cancel_view, name="rsvp-cancel"),
    path("<slug:slug>/ticket/", views.ticket, name="ticket"),
    path("<slug:slug>/alerte/", views_opening.opening_alert, name="opening-alert"),
    path(
        "<slug:slug>/alerte/annuler/",
        views_opening.opening_alert_cancel_view,
        name="opening-alert-cancel",
    ),
    path("<slug:slug>/tirage/", views_draw.draw_page, name="draw"),
    path("<slug:slug>/tirage/demande/", views_draw.draw_request, name="draw-request"),
    path(
        "<slug:slug>/tirage/demande/retirer/",
        views_draw.draw_request_cancel_view,
        name="draw-request-cancel",
    ),
    path("<slug:slug>/calendar.ics", views_calendar.event_calendar_legacy, name="calendar"),
    path("<slug:slug>/checkin/", views_checkin.checkin, name="checkin"),
    path("<slug:slug>/checkin/annuler/", views_checkin.checkin_undo, name="checkin-undo"),
    path("<slug:slug>/checkin/sur-place/", views_checkin.checkin_walk_in, name="checkin-walk-in"),
]
