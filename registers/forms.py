"""What a register's entry form is (enterprises.forms.EnterpriseForm, projects.forms.ProjectForm):
a model form made for the acting user, who decides which fields it offers. The add and edit
pages and each row of a bulk import use it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django import forms

if TYPE_CHECKING:
    from accounts.models import User


class EntryFormClass(Protocol):
    def __call__(self, *args: Any, user: User | None = None, **kwargs: Any) -> forms.ModelForm: ...
