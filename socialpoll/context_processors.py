"""Template context shared by every page."""

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, str]:
    """This response's CSP nonce as `csp_nonce`, the name {% htmx_script %} looks for.

    django-csp's own processor calls it CSP_NONCE and hands over a lazy object that is
    falsy until read, so django-htmx would leave the nonce off its script tag.
    """
    nonce = getattr(request, "csp_nonce", None)
    return {"csp_nonce": str(nonce) if nonce is not None else ""}
