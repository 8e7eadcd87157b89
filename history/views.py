"""/histoire/: thirteen years of API Hours in charts, each with its table."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .charts import bar_chart, column_chart, span_chart
from .stats import history_figures


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
