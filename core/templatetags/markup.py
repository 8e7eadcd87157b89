from django import template

from core.markup import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ event.description|markdown }}: Markdown to sanitized HTML."""
    return render_markdown(text)
