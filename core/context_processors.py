"""What every page's layout needs (no database query)."""

from django.conf import settings
from django.http import HttpRequest


def contact(request: HttpRequest) -> dict:
    """The organizers' address: "écrivez aux organisateurs" always has somewhere to go."""
    return {"CONTACT_EMAIL": settings.CONTACT_EMAIL}
