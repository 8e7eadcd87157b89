"""/histoire/: thirteen years of API Hours in charts, each with its table."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.pagecache import anonymous_page
from events.admin import _csv_response as csv_response  # the one home of our CSV format

from . import insights
from .charts import bar_chart, column_chart, line_chart, span_chart
from .stats import history_figures


@anonymous_page
def history(request: HttpRequest) -> HttpResponse:
    figures = history_figures()
    attendance_rows = [
        (f"#{row.number}" if row.number else row.date.strftime("%d/%m/%y"), row.present)
        for row in figures.attendance
    ]
    charts = {
        "evenings": column_chart([(str(y), n) for y, n in figures.evenings_per_year]),
        "talks": column_chart([(str(y), n) for y, n in figures.talks_per_year]),
        "newcomers": column_chart([(str(y), n) for y, n in figures.first_time_speakers_per_year]),
        "venues": span_chart(
            [(v.name, v.first_year, v.last_year, v.evenings) for v in figures.venues]
        ),
        "topics": bar_chart(figures.topics),
        "attendance": column_chart(attendance_rows),
    }
    context = {
        "figures": figures,
        "charts": charts,
        "chart_note": _("Les chiffres sont dans le tableau à côté."),
    }
    return render(request, "history/history.html", context)


# The organizers' insights (admin) ---------------------------------------------------


def _organizers_only(request: HttpRequest) -> None:
    """admin_view has let staff in; the figures are for organizers (the `organize`
    permission, members.organizers), as the door and the drafts are."""
    if not request.user.is_organizer:
        raise PermissionDenied


def _insight_tables() -> dict[str, object]:
    event = insights.next_evening()
    held = insights.evenings_held()
    tables = {
        "evenings": insights.across_evenings(held),
        "fill": insights.fill_speed(held + ([event] if event else [])),
        "speakers": insights.quiet_speakers(),
        "topics": insights.wished_topics(),
    }
    if event:
        tables["rsvps"] = insights.rsvps_over_time(event)
        tables["diets"] = insights.diets(event)
    return {"event": event, "held": held, "tables": tables}


def insights_page(request: HttpRequest) -> HttpResponse:
    _organizers_only(request)
    data = _insight_tables()
    tables, event = data["tables"], data["event"]
    evenings = tables["evenings"].rows
    label = [(f"#{e.number}" if e.number else str(i + 1)) for i, e in enumerate(data["held"])]
    show_rates = [row[5] for row in evenings]
    first_shares = [row[8] for row in evenings]
    charts = {
        "show_rate": column_chart(
            list(zip(label, [v or 0 for v in show_rates], strict=True)), unit=" %"
        ),
        "first_timers": column_chart(
            list(zip(label, [v or 0 for v in first_shares], strict=True)), unit=" %"
        ),
        "waitlist": column_chart(list(zip(label, [row[6] for row in evenings], strict=True))),
        "fill": bar_chart(
            [(f"{r[0]} · {r[1]}", r[4]) for r in tables["fill"].rows if r[4] is not None],
            unit=" h",
            label_width=190,
        ),
        "topics": bar_chart([(r[0], r[1]) for r in tables["topics"].rows]),
    }
    summary = None
    if event:
        summary = insights.evening_summary(event)
        charts["rsvps"] = line_chart([(r[0].strftime("%d/%m"), r[2]) for r in tables["rsvps"].rows])
        charts["diets"] = bar_chart([(r[0], r[1]) for r in tables["diets"].rows], label_width=190)
    context = {
        **admin.site.each_context(request),
        "title": _("Tableau de bord des organisateurs"),
        "event": event,
        "summary": summary,
        "tables": tables,
        "charts": charts,
        "show_rate_trend": insights.trend(show_rates),
        "first_timer_trend": insights.trend(first_shares),
        "chart_note": _("Les chiffres sont dans le tableau à côté."),
    }
    return TemplateResponse(request, "admin/history/insights.html", context)


def insights_csv(request: HttpRequest, slug: str) -> HttpResponse:
    _organizers_only(request)
    table = _insight_tables()["tables"].get(slug)
    if table is None:
        raise Http404
    response, writer = csv_response(f"api-hours-{slug}.csv")
    writer.writerow(table.columns)
    for row in table.csv_rows():
        writer.writerow(row)
    return response
