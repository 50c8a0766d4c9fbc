"""Admin forms that know which fields the person edited.

Django's admin compares a posted form with the row as it is *when the form is saved*, so a
field the moderator never touched counts as changed if someone else changed the row while
the form was open (a trainer closed the poll, readers' reports held a comment), and the
save writes the stale value back. These forms carry, signed, the values they were loaded
with; ``edited_fields()`` compares the posted values with those, so the admin saves only
what the person actually edited (through the services, which write only those fields).
"""

import json

from django import forms
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder

_SNAPSHOT = LOADED_VALUES = "loaded_values"
_SALT = "core.forms.loaded-values"


class EditedFieldsForm(forms.ModelForm):
    """List ``LOADED_VALUES`` among the admin's fields (fieldsets) so the form carries it."""

    loaded_values = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            values = {name: self.initial.get(name) for name in self._model_fields()}
            plain = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
            self.initial[_SNAPSHOT] = signing.dumps(plain, salt=_SALT)

    def _model_fields(self) -> list[str]:
        names = {field.name for field in self._meta.model._meta.concrete_fields}
        return [name for name in self.fields if name in names]

    def edited_fields(self) -> list[str]:
        """The fields whose posted value differs from the value the form was loaded with."""
        try:
            loaded = signing.loads(self.data.get(self.add_prefix(_SNAPSHOT), ""), salt=_SALT)
        except signing.BadSignature:
            return [name for name in self.changed_data if name != _SNAPSHOT]
        model = self._meta.model._meta
        self.initial = {
            **self.initial,
            **{
                name: model.get_field(name).to_python(value)
                for name, value in loaded.items()
                if name in self.fields
            },
        }
        # Forget what was worked out against the row as it is now.
        self.__dict__.pop("changed_data", None)
        self._bound_fields_cache.clear()
        return [name for name in self.changed_data if name != _SNAPSHOT]
