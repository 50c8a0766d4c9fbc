"""``{% load safe_cache %}``: Django's ``{% cache %}`` tag, through core.cache's ``cache``.

Django's own tag lets any failure of the cache end the page with a 500; this one renders the
fragment instead (a failure is a miss), so a broken cache costs speed, never the page.
Same syntax; always the default cache.
"""

from django import template
from django.core.cache.utils import make_template_fragment_key
from django.templatetags.cache import CacheNode, do_cache

from core.cache import cache

register = template.Library()


class SafeCacheNode(CacheNode):
    def render(self, context) -> str:
        expire_time = self.expire_time_var.resolve(context)
        expire_time = None if expire_time is None else int(expire_time)
        vary_on = [var.resolve(context) for var in self.vary_on]
        key = make_template_fragment_key(self.fragment_name, vary_on)
        value = cache.get(key)
        if value is None:
            value = self.nodelist.render(context)
            cache.set(key, value, expire_time)
        return value


@register.tag("cache")
def do_safe_cache(parser, token) -> SafeCacheNode:
    node = do_cache(parser, token)
    if node.cache_name is not None:
        raise template.TemplateSyntaxError("safe_cache's {% cache %} uses the default cache only")
    return SafeCacheNode(
        node.nodelist, node.expire_time_var, node.fragment_name, node.vary_on, None
    )
