"""Every URL the project defines, found by walking the resolver, with a concrete example path."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str  # the pattern as written, prefixes joined
    is_admin: bool


def _walk(resolver: URLResolver, prefix: str, namespace: str | None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                key = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                key = route
            yield Route(key=key, route=route, is_admin=route.startswith("admin/"))


def all_routes() -> list[Route]:
    return list(_walk(get_resolver(), "", None))


_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def example_path(route: str, values: dict[str, str]) -> str:
    """A concrete path for a route, filling each parameter from `values` (default "1")."""
    path = _CONVERTER.sub(lambda m: values.get(m.group("name"), "1"), route)
    # Regex patterns (the admin's app list and catch-all): first alternative, or the value.
    path = _REGEX_GROUP.sub(
        lambda m: values.get(m.group("name"), m.group("body").split("|")[0].strip(".*")), path
    )
    path = path.replace("^", "").replace("$", "")
    return "/" + path
