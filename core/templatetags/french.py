from django import template

from core.french import de

register = template.Library()


@register.filter(name="de")
def de_filter(name) -> str:
    """{% blocktranslate with de_name=member|de %}Les données {{ de_name }}{% endblocktranslate %}:
    "de Bob" or "d'Alice" (core/french.py)."""
    return de(name)
