"""Markdown written by organizers and speakers, rendered to sanitized HTML.

Markdown may contain raw HTML, so its output goes through nh3 (the ammonia
sanitizer): only a short list of tags and attributes survives, links get
rel="noopener noreferrer nofollow", and only http, https and mailto URLs remain.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# The one help text of a member's or a speaker's presentation, in every form that edits
# it (the profile, the talk proposal, the speaker profile): one format everywhere.
BIO_HELP_TEXT = _(
    "Quelques lignes sur vous, en Markdown : **gras**, *italique*, [lien](https://…), "
    "listes ; le HTML est retiré."
)

ALLOWED_TAGS = {
    "a", "abbr", "acronym", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "acronym": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above
