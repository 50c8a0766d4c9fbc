"""A commenter's website: the one rule for the comment form, the profile and the model."""

from django import forms
from django.core.validators import URLValidator

website_validators = [URLValidator(schemes=["http", "https"])]


def website_field(**kwargs) -> forms.URLField:
    """The "Website" form field: http or https, at most 200 characters, "https://" assumed
    when the scheme is left out. A text box that brings up the address keyboard, not
    ``type="url"``: a mistyped address is shown again as typed, which is invalid HTML as the
    value of a URL input."""
    return forms.URLField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=website_validators,
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        **kwargs,
    )
