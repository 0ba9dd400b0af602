"""Detail, add, edit and import pages shared by the enterprise and project registers.

Reading: any role (the registers are public inside the system). Adding and importing: what
registers.rules.can_create_entry allows. Editing: what registers.rules.can_edit_entry allows for
the entry's owning unit. Every write goes through the register's service function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from audit.history import history_entries
from audit.models import AuditEvent
from zjai.access import RoleRequiredMixin
from zjai.exceptions import ConflictError
from zjai.forms import apply_errors
from zjai.lists import UserScopedModel, paginate

from .forms import EntryFormClass
from .imports import (
    ImportFileError,
    RegisterImport,
    file_refused,
    needs_background_job,
    template_csv,
)
from .jobs.services import start_import_job
from .models import ImportJob
from .rules import can_create_entry, can_edit_entry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HISTORY_PER_PAGE = 20


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy("CSV (UTF-8) or XLSX; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class CreateRightMixin:
    """Pages that add entries (the form, the import): for those registers.rules allows."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and request.user.role
            and not can_create_entry(request.user)
        ):
            raise PermissionDenied(_("Your role may not add register entries."))
        return super().dispatch(request, *args, **kwargs)


class EntryMixin(RoleRequiredMixin):
    """What a register's pages name (enterprises.views.EnterpriseEntry, …): the model, the
    field of its owning unit, the relations its pages show, its form and its routes."""

    model: UserScopedModel
    owner_field = ""
    select_related: tuple[str, ...] = ()
    form_class: EntryFormClass
    detail_route = ""
    list_route = ""

    def get_object(self, pk):
        obj = (
            self.model.objects.for_user(self.request.user)
            .select_related(*self.select_related)
            .filter(pk=pk)
            .first()
        )
        if obj is None:
            raise Http404(_("No such entry."))
        return obj

    def owner_id(self, obj):
        return getattr(obj, self.owner_field)


class EntryDetailView(EntryMixin, TemplateView):
    def get_context_data(self, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.get_object(pk)
        history = paginate(
            AuditEvent.objects.filter(
                object_type=self.model._meta.label_lower, object_id=str(obj.pk)
            ).order_by("-seq"),
            self.request.GET.get("history_page"),
            HISTORY_PER_PAGE,
        )
        context.update(
            object=obj,
            can_edit=can_edit_entry(self.request.user, self.owner_id(obj)),
            history=history,
            history_rows=history_entries(history.object_list),
        )
        return context


class EntryFormView(EntryMixin, View):
    template_name = "registers/entry_form.html"

    def detail_url(self, obj) -> str:
        return reverse(self.detail_route, args=[obj.pk])

    def render_form(self, form, status=200, **extra):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "model_name": self.model._meta.verbose_name,
                "list_title": capfirst(self.model._meta.verbose_name_plural),
                "list_url": reverse(self.list_route),
                "detail_url": self.detail_url(extra["object"]) if extra.get("object") else "",
                **extra,
            },
            status=status,
        )

    def values(self, form):
        return {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("version", "reason")
        }


class EntryCreateView(CreateRightMixin, EntryFormView):
    def create(self, **values):
        raise NotImplementedError

    def get(self, request):
        return self.render_form(self.form_class(user=request.user))

    def post(self, request):
        form = self.form_class(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            obj = self.create(
                acting_user=request.user,
                reason=form.cleaned_data.get("reason", ""),
                **self.values(form),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("“%(name)s” was added.") % {"name": obj})
        return HttpResponseRedirect(self.detail_url(obj))


class EntryEditView(EntryFormView):
    def update(self, obj, **changes):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role:
            self.object = self.get_object(kwargs["pk"])
            if not can_edit_entry(request.user, self.owner_id(self.object)):
                raise PermissionDenied(_("Only the unit that manages this entry may change it."))
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, *args, **kwargs):
        form = self.form_class(*args, instance=self.object, user=self.request.user, **kwargs)
        form.fields["version"].required = True
        return form

    def get(self, request, pk):
        form = self.make_form(initial={"version": self.object.version})
        return self.render_form(form, object=self.object)

    def post(self, request, pk):
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400, object=self.object)
        try:
            obj = self.update(
                self.object,
                acting_user=request.user,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason", ""),
                **self.values(form),
            )
        except ConflictError as exc:
            return self.render_form(form, status=409, object=self.object, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400, object=self.object)
        messages.success(request, _("“%(name)s” was saved.") % {"name": obj})
        return HttpResponseRedirect(self.detail_url(obj))


class EntryImportView(CreateRightMixin, EntryMixin, View):
    importer_class: type[RegisterImport] = RegisterImport
    template_name = "registers/import.html"
    job_template_name = "registers/import_job.html"
    list_url: StrOrPromise = ""
    template_filename = "template"
    # The page of a background import job (a file above ZJAI_IMPORT_BACKGROUND_BYTES).
    job_route = ""

    def render_page(self, form, report=None, status=200):
        importer = self.importer_class(self.request.user)
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "report": report,
                "columns": importer.template_headers(),
                "limits": {
                    "rows": settings.ZJAI_IMPORT_MAX_ROWS,
                    "columns": settings.ZJAI_IMPORT_MAX_COLUMNS,
                    "size": settings.ZJAI_IMPORT_MAX_BYTES,
                    "background": settings.ZJAI_IMPORT_BACKGROUND_ROWS,
                },
                "model_name": self.model._meta.verbose_name_plural,
                "list_url": self.list_url,
            },
            status=status,
        )

    def get(self, request):
        if request.GET.get("template") == "csv":
            importer = self.importer_class(request.user)
            response = HttpResponse(
                template_csv(importer.template_headers()), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="{self.template_filename}-template.csv"'
            )
            return response
        return self.render_page(ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            background = needs_background_job(form.cleaned_data["file"])
        except ImportFileError as exc:  # refused whatever its rows: no job for it
            return self.render_page(form, report=file_refused(exc), status=400)
        if background:
            job = start_import_job(
                acting_user=request.user,
                register=self.importer_class.register,
                upload=form.cleaned_data["file"],
            )
            return HttpResponseRedirect(reverse(self.job_route, args=[job.pk]))
        report = self.importer_class(request.user).run(form.cleaned_data["file"])
        if not report.ok:
            return self.render_page(form, report=report, status=400)
        messages.success(
            request,
            _("%(count)d entries were imported.") % {"count": report.created},
        )
        return HttpResponseRedirect(self.list_url)


# Seconds between two loads of a running import job's page (the Refresh header: no script).
JOB_PAGE_REFRESH = 2


class EntryImportJobView(CreateRightMixin, EntryMixin, View):
    """How far a background import got, then its outcome: the same error table as the import
    page, or the count imported. The page reloads itself until the job has finished."""

    importer_class: type[RegisterImport] = RegisterImport
    template_name = "registers/import_job.html"
    list_url: StrOrPromise = ""
    import_url: StrOrPromise = ""

    def get(self, request, pk):
        job = (
            ImportJob.objects.for_user(request.user)
            .filter(pk=pk, register=self.importer_class.register)
            .defer("content")
            .first()
        )
        if job is None:
            raise Http404(_("No such import."))
        lost = job.overdue()
        running = not job.finished and not lost
        response = render(
            request,
            self.template_name,
            {
                "job": job,
                "lost": lost,
                "running": running,
                "errors": job.result.get("errors", []),
                "model_name": self.model._meta.verbose_name_plural,
                "list_url": self.list_url,
                "import_url": self.import_url,
                "refresh": JOB_PAGE_REFRESH,
            },
        )
        if running:
            response["Refresh"] = str(JOB_PAGE_REFRESH)
            response["Cache-Control"] = "no-store"
        return response
