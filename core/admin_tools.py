"""A ModelAdmin that answers odd input without a 500: every ModelAdmin of ours uses it.

Django's admin runs some query parameters and POSTed ids through the ORM unchecked:
"abc", "²" or 10**22 as a selected id (an action), the year 9999 in the date hierarchy
(Django adds a year and overflows), a value that is no id in an autocomplete field (the
widget queries it before the form has validated it). Each was a 500. Checked here first,
they get Django's own answer to a bad filter (back to the list, "?e=1"), the list with a
message (an action), or the form with its error (autocomplete). NUL bytes never get this
far: core.middleware.RejectNulBytesMiddleware answers them with a 400.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Dates the admin's date hierarchy may be asked for: beyond, Django's arithmetic overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def readable_keys(field, values: list[str]) -> bool:
    """True when every value reads as a key of `field` that the database can hold."""
    try:
        for value in values:
            field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class _DateHierarchyForm(forms.Form):
    year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)
    month = forms.IntegerField(min_value=1, max_value=12, required=False)
    day = forms.IntegerField(min_value=1, max_value=31, required=False)


def _readable_only(widget, value):
    remote = widget.field.remote_field
    key_field = remote.model._meta.get_field(remote.field_name)
    return [v for v in value if readable_keys(key_field, [v])]


def _key_field(field: forms.ModelChoiceField):
    model = field.queryset.model
    return model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk


class KeyCheckingModelChoiceField(forms.ModelChoiceField):
    """A select of rows: a value that cannot be a key (10**22 overflows SQLite's
    integers before Django's own check) is an invalid choice, not a 500."""

    def to_python(self, value):
        if value not in self.empty_values and not readable_keys(_key_field(self), [value]):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class KeyCheckingModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not readable_keys(_key_field(self), [item]):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class KeyCheckingAutocompleteSelect(AutocompleteSelect):
    """Values that cannot be a key are left out of the redrawn widget; the form field
    says what is wrong."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _readable_only(self, value), attr)


class KeyCheckingAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, _readable_only(self, value), attr)


class _NamedAddInlineAdminFormSet(helpers.InlineAdminFormSet):
    """The inline's "add another" button in plain words (see SafeAdminMixin)."""

    def inline_formset_data(self):
        data = json.loads(super().inline_formset_data())
        label = getattr(self.opts, "add_label", None) or _("Ajouter : %(name)s") % {
            "name": self.opts.verbose_name
        }
        data["options"]["addText"] = str(label)
        return json.dumps(data, ensure_ascii=False)


class SafeAdminMixin:
    """For a ModelAdmin that cannot derive from SafeModelAdmin (UserAdmin)."""

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        """Django's French "Ajouter un objet <nom> supplémentaire" reads badly: an inline's
        add_label ("Ajouter un sponsor à la soirée") replaces it, else "Ajouter : <nom>"."""
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            inline_formset.__class__ = _NamedAddInlineAdminFormSet
        return inline_formsets

    def get_changelist_instance(self, request):
        try:
            if self.date_hierarchy:
                prefix = self.date_hierarchy + "__"
                parts = {k: request.GET.get(prefix + k) for k in _DateHierarchyForm.base_fields}
                if not _DateHierarchyForm(parts).is_valid():
                    raise IncorrectLookupParameters("date hierarchy out of range")
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters:
            # changelist_view answers with the list without filters ("?e=1"); say why.
            self.message_user(
                request,
                _("Ce filtre n'a pas pu être lu : voici la liste complète."),
                messages.ERROR,
            )
            raise

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not readable_keys(self.model._meta.pk, selected):
            self.message_user(
                request, _("Sélection illisible : rien n'a été modifié."), messages.ERROR
            )
            return None  # changelist_view redirects back to the list
        return super().response_action(request, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = KeyCheckingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", KeyCheckingModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = KeyCheckingAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", KeyCheckingModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SafeModelAdmin(SafeAdminMixin, admin.ModelAdmin):
    """admin.ModelAdmin, with its list, actions and autocomplete fields proofed."""


class SafeTabularInline(admin.TabularInline):
    """An inline whose autocomplete fields are proofed like SafeModelAdmin's.
    `add_label`: the words of its "add another" button (see SafeAdminMixin)."""

    add_label = None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = KeyCheckingAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", KeyCheckingModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
