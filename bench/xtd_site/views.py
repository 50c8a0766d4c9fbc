from django.shortcuts import get_object_or_404, render

from xtd_site.models import Poll


def poll_detail(request, slug):
    poll = get_object_or_404(Poll, slug=slug)
    return render(
        request, "xtd_site/poll_detail.html", {"poll": poll, "choices": poll.choices.all()}
    )
