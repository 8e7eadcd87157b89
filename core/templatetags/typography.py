"""Small typographic helpers for headings."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_TAG = re.compile(r"(<[^>]*>)")
_HYPHENATED = re.compile(r"\b(\w+(?:-\w+)+)\b")


@register.filter(is_safe=True)
def keep_hyphenated(html: str) -> SafeString:
    """Keep hyphenated words on one line ("adresse e-mail" never breaks as "e-/mail").

    The words keep their ordinary hyphen (search and tests find "e-mail"); a
    ``text-nowrap`` span stops the line from breaking after it. Only the text between
    tags is touched.
    """
    parts = _TAG.split(str(conditional_escape(html)))  # plain text is escaped first
    for index in range(0, len(parts), 2):  # even indexes are text, odd ones are tags
        parts[index] = _HYPHENATED.sub(r'<span class="text-nowrap">\1</span>', parts[index])
    return mark_safe("".join(parts))  # the input was safe; only spans are added
