"""A commenter's website: the one rule for the comment form, the profile and the model."""

from django import forms
from django.core.validators import URLValidator
from django.db import models

# In place of the URL fields' own validator (which allows ftp), not beside it: two
# validators would say "Enter a valid URL." twice under one bad address.
WEBSITE_VALIDATORS = [URLValidator(schemes=["http", "https"])]


class WebsiteFormField(forms.URLField):
    default_validators = WEBSITE_VALIDATORS


def website_field(**kwargs) -> WebsiteFormField:
    """The "Website" form field: http or https, at most 200 characters, "https://" assumed
    when the scheme is left out. A text box that brings up the address keyboard, not
    ``type="url"``: a mistyped address is shown again as typed, which is invalid HTML as the
    value of a URL input."""
    return WebsiteFormField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        **kwargs,
    )


class WebsiteModelField(models.URLField):
    """A website stored on a model, checked by the same rule as the forms'."""

    default_validators = WEBSITE_VALIDATORS

    def formfield(self, **kwargs):
        defaults = {"form_class": WebsiteFormField, "assume_scheme": "https"}
        return super().formfield(**{**defaults, **kwargs})
