"""{% shared_fragment "name" vary_on... %}...{% endshared_fragment %}: a part of a page
that is the same for every visitor, rendered once and then served from the cache
(core/pagecache.py) until the content changes or PAGE_CACHE_SECONDS pass.

Wrap only what depends on nothing but the values named after the fragment's name (the
language and the content version are added): never the member's name, seat or buttons,
never a form. With PAGE_CACHE_SECONDS at 0 (DEBUG) the fragment is always rendered.
"""

from django import template
from django.conf import settings
from django.core.cache.utils import make_template_fragment_key
from django.utils import translation
from django.utils.safestring import mark_safe

from core import pagecache

register = template.Library()


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name: str, vary_on: list):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context) -> str:
        if settings.PAGE_CACHE_SECONDS <= 0:
            return self.nodelist.render(context)
        version = pagecache.current_version(context.get("request"))
        vary = [version, translation.get_language(), *(v.resolve(context) for v in self.vary_on)]
        key = make_template_fragment_key(self.name, vary)
        return mark_safe(pagecache.fragment(key, lambda: str(self.nodelist.render(context))))  # noqa: S308 - rendered by the template engine, escaped there


@register.tag("shared_fragment")
def shared_fragment(parser, token) -> SharedFragmentNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(
            '{% shared_fragment "name" value... %} needs a quoted name first.'
        )
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    return SharedFragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(b) for b in bits[2:]])
