"""Detail, add, edit, import and confirmation pages shared by the enterprise and project
registers.

Reading: any role (the registers are public inside the system). Adding and importing: what
registers.rules.can_create_entry allows. Editing: what registers.rules.can_edit_entry allows for
the entry's owning unit. Confirming or rejecting a pending change (on the entry's page, an
import's batch on its own page, the queue of what awaits a user): what registers.rules.
may_confirm allows. Every write goes through the register's service function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from audit.history import HistoryEntry, history_entries
from audit.models import AuditEvent
from zjai.access import RoleRequiredMixin
from zjai.exceptions import ConflictError
from zjai.forms import apply_errors
from zjai.lists import UserScopedModel, paginate

from . import services as register_services
from .forms import DATING_FIELDS, DecisionForm, EntryFormClass
from .import_template import template_xlsx
from .imports import (
    ALLOW_DUPLICATES_LABEL,
    ImportFileError,
    RegisterImport,
    file_refused,
    needs_background_job,
    template_csv,
)
from .jobs.services import start_import_job
from .models import ChangeKind, ChangeState, ImportBatch, ImportJob, PendingChange
from .rules import can_create_entry, can_edit_entry, confirms_changes, may_confirm
from .selectors import (
    attach_pending,
    batch_entries,
    batches_to_confirm,
    changes_to_confirm,
    entry_url_name,
    my_pending_batches,
    my_pending_changes,
    proposed_fields,
    register_name,
    valid_time_history,
    with_proposal,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HISTORY_PER_PAGE = 20


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy("CSV (UTF-8) or XLSX; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    allow_duplicates = forms.BooleanField(
        label=ALLOW_DUPLICATES_LABEL,
        required=False,
        help_text=gettext_lazy(
            "A new row without a key of its own (an enterprise without a credit code, any "
            "project) that has the same name and city as an entry of the register or an "
            "earlier row of the file is refused as a likely duplicate, unless this is ticked."
        ),
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
    decide_route = ""

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


def decision_of(request) -> str | None:
    """Which of the two buttons was pressed."""
    for decision in ("confirm", "reject"):
        if decision in request.POST:
            return decision
    return None


def entry_history(model, obj) -> QuerySet[AuditEvent]:
    """The entry's events and those of its proposed changes, newest first."""
    changes = PendingChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=obj.pk
    ).values_list("pk", flat=True)
    return AuditEvent.objects.filter(
        Q(object_type=model._meta.label_lower, object_id=str(obj.pk))
        | Q(
            object_type=PendingChange._meta.label_lower,
            object_id__in=[str(pk) for pk in changes],
        )
    ).order_by("-seq")


def readable_history(model, events) -> list[HistoryEntry]:
    """The entry's history as a person reads it: its own events and those of its proposed
    changes as audit.history words them, a proposal's values read as the entry's fields (what
    was proposed beside what it replaced), its decisions without fields of their own."""
    label = PendingChange._meta.label_lower

    def proposal(event) -> tuple[type, dict, dict] | None:
        if event.object_type != label:
            return None
        after, before = event.after or {}, event.before or {}
        proposed = after.get("proposed")
        if event.action in ("create", "update") and isinstance(proposed, dict):
            earlier = before.get("proposed") if event.action == "update" else after.get("previous")
            return model, earlier or {}, proposed
        return model, {}, {}

    return history_entries(events, read_as=proposal)


class EntryDetailView(EntryMixin, TemplateView):
    def get_context_data(self, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.get_object(pk)
        history = paginate(
            entry_history(self.model, obj),
            self.request.GET.get("history_page"),
            HISTORY_PER_PAGE,
        )
        context.update(
            object=obj,
            can_edit=can_edit_entry(self.request.user, self.owner_id(obj)),
            history=history,
            history_rows=readable_history(type(obj), history.object_list),
            # A new entry not yet confirmed counts nowhere: it has no counted values yet.
            valid_time=valid_time_history(obj) if obj.confirmed else None,
            **self.pending_context(obj, kwargs.get("decision_form")),
        )
        return context

    def pending_context(self, obj, form=None) -> dict:
        """The entry's pending change as its page shows it, and whether the reader decides it."""
        attach_pending([obj])
        change = obj.pending_change
        if change is None:
            return {"pending": None}
        user = self.request.user
        decides = may_confirm(user, self.owner_id(obj), change.proposed_by_id)
        return {
            "pending": change,
            "proposed_fields": proposed_fields(type(obj), change),
            "own_proposal": user.pk == change.proposed_by_id,
            "may_decide": decides and change.batch_id is None,
            "decision_form": form or DecisionForm(initial={"version": obj.version}),
            "decide_url": reverse(self.decide_route, args=[obj.pk]),
        }


class EntryDecideView(EntryDetailView):
    """Confirm or reject the entry's pending change (the buttons of its page)."""

    http_method_names = ["post"]

    def confirm(self, obj, **arguments):
        raise NotImplementedError

    def reject(self, obj, **arguments):
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.get_object(pk)
        decision = decision_of(request)
        form = DecisionForm(request.POST, decision=decision)
        if not form.is_valid():
            return self.render_page(pk, form, status=400)
        arguments = {
            "acting_user": request.user,
            "expected_version": form.cleaned_data["version"],
            "comment": form.cleaned_data["comment"],
        }
        try:
            if decision == "confirm":
                self.confirm(obj, **arguments)
            else:
                kept = self.reject(obj, **arguments)
        except PermissionDenied as exc:
            return self.render_page(pk, form, status=403, refused=str(exc))
        except ConflictError as exc:
            return self.render_page(pk, form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(pk, form, status=400)
        if decision == "confirm":
            messages.success(
                request,
                _("The change was confirmed: it counts from now on, and the targets are updated."),
            )
            return HttpResponseRedirect(reverse(self.detail_route, args=[obj.pk]))
        if kept is None:
            messages.success(
                request,
                _(
                    "The new entry was rejected and removed from the register; its history stays "
                    "in the audit log."
                ),
            )
            return HttpResponseRedirect(reverse(self.list_route))
        messages.success(request, _("The change was rejected: the confirmed values stay."))
        return HttpResponseRedirect(reverse(self.detail_route, args=[obj.pk]))

    def render_page(self, pk, form, status, **extra):
        context = self.get_context_data(pk=pk, decision_form=form)
        context.update(extra)
        return render(self.request, self.template_name, context, status=status)


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
            if name not in ("version", "reason", *DATING_FIELDS)
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
        if getattr(obj, "proposal", None) is not None:
            messages.success(
                request,
                _("“%(name)s” was added. It counts once a reviewer of your unit confirms it.")
                % {"name": obj},
            )
        else:
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
        # The counted fields as proposed, if a change awaits confirmation: what its proposer
        # amends, and what anyone else leaves as it is.
        shown = with_proposal(self.object)
        form = self.form_class(*args, instance=shown, user=self.request.user, **kwargs)
        form.fields["version"].required = True
        return form

    def render_form(self, form, status=200, **extra):
        return super().render_form(
            form, status=status, pending=attach_pending([self.object])[0].pending_change, **extra
        )

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
                **form.dating(),
                **self.values(form),
            )
        except ConflictError as exc:
            return self.render_form(form, status=409, object=self.object, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400, object=self.object)
        if getattr(obj, "proposal", None) is not None:
            messages.success(
                request,
                _(
                    "“%(name)s” was saved. The change of its counted fields counts once a "
                    "reviewer of its unit confirms it."
                )
                % {"name": obj},
            )
        else:
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
        if request.GET.get("template") == "xlsx":
            response = HttpResponse(
                template_xlsx(self.importer_class(request.user)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="{self.template_filename}-template.xlsx"'
            )
            return response
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
                allow_duplicates=form.cleaned_data["allow_duplicates"],
            )
            return HttpResponseRedirect(reverse(self.job_route, args=[job.pk]))
        importer = self.importer_class(
            request.user, allow_duplicates=form.cleaned_data["allow_duplicates"]
        )
        report = importer.run(form.cleaned_data["file"])
        if not report.ok:
            return self.render_page(form, report=report, status=400)
        changed = ""
        if report.updated:
            changed = " " + _("%(updated)d of them changed existing entries.") % {
                "updated": report.updated
            }
        if report.batch_id is not None:
            messages.success(
                request,
                _(
                    "%(count)d entries were imported. Those that count await confirmation, as "
                    "one batch, by a reviewer of your unit."
                )
                % {"count": report.created}
                + changed,
            )
            return HttpResponseRedirect(reverse("registers:batch", args=[report.batch_id]))
        messages.success(
            request,
            _("%(count)d entries were imported.") % {"count": report.created} + changed,
        )
        return HttpResponseRedirect(self.list_url)


# --- the queue and the batches -----------------------------------------------------------------

QUEUE_PER_PAGE = 50


def change_row(change: PendingChange) -> dict:
    model = change.content_type.model_class()
    removed = change.kind == ChangeKind.CREATE and change.state == ChangeState.REJECTED
    return {
        "change": change,
        "register": register_name(change.content_type),
        "url": None
        if removed
        else reverse(entry_url_name(change.content_type), args=[change.object_id]),
        "fields": proposed_fields(model, change) if model else [],
    }


def named(batches) -> list[ImportBatch]:
    """The batches, each with the name of its register (`register_name`)."""
    batches = list(batches)
    for batch in batches:
        batch.register_name = register_name(batch.register)  # type: ignore[attr-defined]
    return batches


class ToConfirmView(RoleRequiredMixin, TemplateView):
    """What awaits the reader's confirmation (reviewers and administrators), and what they
    proposed that awaits someone else's."""

    template_name = "registers/to_confirm.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        confirms = confirms_changes(user)
        changes = paginate(
            changes_to_confirm(user) if confirms else PendingChange.objects.none(),
            self.request.GET.get("page"),
            QUEUE_PER_PAGE,
        )
        context.update(
            confirms=confirms,
            changes=changes,
            page=changes,
            change_rows=[change_row(c) for c in changes.object_list],
            batches=named(batches_to_confirm(user)[:QUEUE_PER_PAGE]) if confirms else [],
            mine=[change_row(c) for c in my_pending_changes(user)[:QUEUE_PER_PAGE]],
            my_batches=named(my_pending_batches(user)[:QUEUE_PER_PAGE]),
        )
        return context


class BatchView(RoleRequiredMixin, View):
    """An import's batch: the entries it added, confirmed or rejected as one."""

    template_name = "registers/batch.html"

    def render_page(self, batch, form=None, status=200, **extra):
        user = self.request.user
        entries = paginate(batch_entries(batch), self.request.GET.get("page"), QUEUE_PER_PAGE)
        decides = may_confirm(user, batch.owner_unit_id, batch.created_by_id)
        return render(
            self.request,
            self.template_name,
            {
                "batch": batch,
                "register": register_name(batch.register),
                "entries": entries,
                "page": entries,
                "rows": [change_row(c) for c in entries.object_list],
                "pending": batch.state == ChangeState.PENDING,
                "own": user.pk == batch.created_by_id,
                "may_decide": decides and batch.state == ChangeState.PENDING,
                "form": form or DecisionForm(initial={"version": batch.version}),
                **extra,
            },
            status=status,
        )

    def get_batch(self, pk) -> ImportBatch:
        return get_object_or_404(
            ImportBatch.objects.select_related(
                "register", "created_by", "decided_by", "owner_unit"
            ),
            pk=pk,
        )

    def get(self, request, pk):
        return self.render_page(self.get_batch(pk))

    def post(self, request, pk):
        batch = self.get_batch(pk)
        decision = decision_of(request)
        form = DecisionForm(request.POST, decision=decision)
        if not form.is_valid():
            return self.render_page(batch, form, status=400)
        arguments = {
            "acting_user": request.user,
            "expected_version": form.cleaned_data["version"],
            "comment": form.cleaned_data["comment"],
        }
        try:
            if decision == "confirm":
                register_services.confirm_import_batch(batch, **arguments)
            else:
                register_services.reject_import_batch(batch, **arguments)
        except PermissionDenied as exc:
            return self.render_page(batch, form, status=403, refused=str(exc))
        except ConflictError as exc:
            return self.render_page(batch, form, status=409, conflict=str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_page(batch, form, status=400)
        if decision == "confirm":
            messages.success(
                request,
                _("The import was confirmed: its entries count from now on."),
            )
        else:
            messages.success(
                request,
                _("The import was rejected: its entries were removed from the register."),
            )
        return HttpResponseRedirect(reverse("registers:batch", args=[batch.pk]))


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
