"""What an account keeps beside Django's user: the website a signed-in commenter gives."""

from django.conf import settings
from django.db import models

from core.websites import WebsiteModelField


class Profile(models.Model):
    """A signed-in person's details for their comments, kept from their profile page
    (core/profile_views.py); an account without one has given nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    website = WebsiteModelField(
        "website",
        max_length=200,
        blank=True,
        help_text="Your name links here on your comments, and your latest blog post can show "
        "under them.",
    )

    def __str__(self) -> str:
        return f"Profile of {self.user}"


def website_of(user) -> str:
    """The website on a signed-in person's profile ("" when they gave none)."""
    if user is None or not user.is_authenticated:
        return ""
    return Profile.objects.filter(user=user).values_list("website", flat=True).first() or ""
