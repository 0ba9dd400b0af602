"""Browser pages of reports: exports as of a date as known at an instant (editions) and the
progress bulletin, made in the background with a progress indicator, for every role (each
exports what it may read: reports.rules); two editions compared, and any object's history and
state on a date, for the readers of the audit log."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from audit import history
from plans.choice import current_plan
from taskreports.rules import sees_everything as sees_every_report
from zjai.access import RoleRequiredMixin
from zjai.dates import today
from zjai.roles import has_a_role

from . import rules, services
from .editions import EditionError, compare, event_row, report_for
from .forms import BulletinForm, CompareForm, ExportForm, HistoryDateForm
from .models import Export

RECENT_EXPORTS = 20


class RuleRequiredMixin(RoleRequiredMixin):
    """A signed-in user with a role whom `rule` (a reports.rules function) allows; everyone
    else gets 403."""

    rule = staticmethod(rules.may_export)

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        # Anonymous visitors and users without a role: RoleRequiredMixin answers them.
        if has_a_role(user) and not self.rule(user):
            raise PermissionDenied(_("Your role may not open this page."))
        return super().dispatch(request, *args, **kwargs)


class ExporterMixin(RuleRequiredMixin):
    """The exports: every role (reports.rules.may_export)."""

    rule = staticmethod(rules.may_export)


class AuditorMixin(RuleRequiredMixin):
    """Pages that read the audit log: its readers only (auditors and administrators)."""

    rule = staticmethod(rules.may_compare_editions)


class ExportView(ExporterMixin, View):
    template_name = "reports/export.html"

    def render_page(self, form, status=200):
        exports = Export.objects.for_user(self.request.user)[:RECENT_EXPORTS]
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "exports": exports,
                "plan": current_plan(self.request),
                "may_compare": rules.may_compare_editions(self.request.user),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page(ExportForm(initial={"format": "xlsx", "as_of": today()}))

    def post(self, request):
        form = ExportForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        item = services.request_export(
            acting_user=request.user,
            format=form.cleaned_data["format"],
            as_of=form.cleaned_data["as_of"],
            known_at=form.cleaned_data["known_on"],
            # The plan the reader chose in the top bar (or ?plan=), else the plan in force.
            plan=current_plan(request),
        )
        return HttpResponseRedirect(reverse("reports:export-detail", args=[item.pk]))


class BulletinView(ExporterMixin, View):
    """The progress bulletin (季度进展通报) of the plan chosen in the top bar: made in the
    background like the other exports, then downloaded from the export's page."""

    template_name = "reports/bulletin.html"

    def render_page(self, form, plan, status=200):
        context = {
            "form": form,
            "plan": plan,
            "sees_every_report": sees_every_report(self.request.user),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        plan = current_plan(request)
        if plan is None:
            return self.render_page(None, None)
        form = BulletinForm(plan=plan, initial={"format": Export.Format.PDF, "language": "zh-hans"})
        return self.render_page(form, plan)

    def post(self, request):
        plan = current_plan(request)
        if plan is None:
            return self.render_page(None, None, status=400)
        form = BulletinForm(request.POST, plan=plan)
        if not form.is_valid():
            return self.render_page(form, plan, status=400)
        data = form.cleaned_data
        item = services.request_bulletin(
            acting_user=request.user,
            plan=plan,
            format=data["format"],
            period_start=data["period"].start,
            period_end=data["period"].end,
            unit=data["unit"],
            language=data["language"],
            known_at=data["known_on"],
        )
        return HttpResponseRedirect(reverse("reports:export-detail", args=[item.pk]))


# What a running export is doing, for the page: the job records a stage code (a table's name,
# "digest", "pdf"; reports.exporting). A finished or failed export says so by its state alone,
# so its last stage ("done") is not shown next to it.
STAGE_LABELS = {
    "digest": gettext_lazy("computing the digest"),
    "pdf": gettext_lazy("writing the PDF"),
    "summary": gettext_lazy("writing the summary"),
    "targets": gettext_lazy("writing the targets"),
    "measurements": gettext_lazy("writing the figures"),
    "enterprises": gettext_lazy("writing the enterprises"),
    "projects": gettext_lazy("writing the projects"),
    "rollup_units": gettext_lazy("writing the roll-up by unit"),
    "rollup_items": gettext_lazy("writing the roll-up by plan item"),
}


def stage_label(item: Export) -> str:
    if item.state not in (Export.State.QUEUED, Export.State.RUNNING):
        return ""
    return str(STAGE_LABELS.get(item.stage, ""))


def _status(item: Export) -> dict:
    return {
        "id": item.pk,
        "state": item.state,
        "state_label": item.get_state_display(),
        "progress": round(item.progress, 3),
        "percent": round(item.progress * 100),
        "stage": item.stage,
        "stage_label": stage_label(item),
        "error": item.error,
        "download": reverse("reports:export-download", args=[item.pk])
        if item.state == Export.State.DONE
        else None,
        "audit_head": item.audit_head,
        "digest": item.digest,
    }


class ExportDetailView(ExporterMixin, View):
    def get(self, request, pk):
        item = get_object_or_404(Export.objects.for_user(request.user), pk=pk)
        return render(
            request, "reports/export_detail.html", {"export": item, "status": _status(item)}
        )


class ExportStatusView(ExporterMixin, View):
    """JSON polled by the export page every second."""

    def get(self, request, pk):
        item = get_object_or_404(Export.objects.for_user(request.user), pk=pk)
        response = JsonResponse(_status(item))
        response["Cache-Control"] = "no-store"
        return response


class ExportDownloadView(ExporterMixin, View):
    def get(self, request, pk):
        item = get_object_or_404(Export.objects.for_user(request.user), pk=pk)
        if item.state != Export.State.DONE or not item.file:
            raise Http404(_("This export is not ready."))
        root = Path(settings.MEDIA_ROOT).resolve()
        path = (root / item.file).resolve()
        if root not in path.parents or not path.is_file():
            raise Http404(_("The export's file is gone."))
        return FileResponse(path.open("rb"), as_attachment=True, filename=item.filename)


class CompareView(AuditorMixin, View):
    """Two editions of the chosen plan (plans.choice) compared (reports.editions.compare):
    each target field that differs, old and new, and the audit events that explain the
    differences. A GET form, so a comparison has an address."""

    def get(self, request):
        form = CompareForm(request.GET or None)
        result, events = None, []
        status = 200
        if form.is_bound:
            if form.is_valid():
                data = form.cleaned_data
                now = timezone.now()
                plan = current_plan(request)
                code = plan.code if plan else None
                try:
                    result = compare(
                        report_for(code, data["as_of"], data["known_on"], now),
                        report_for(code, data["against_as_of"], data["against_known_on"], now),
                    )
                except EditionError:  # no plan loaded: the only failure the form lets through
                    form.add_error(None, _("No plan is loaded yet."))
                else:
                    events = [event_row(e) for e in result.events]
            if not form.is_valid():
                status = 400
        return render(
            request,
            "reports/compare.html",
            {"form": form, "result": result, "events": events},
            status=status,
        )


def _live_name(live) -> str:
    """What a page calls an object that exists: its title or name in the reader's language."""
    if live is None:
        return ""
    return str(getattr(live, "title", None) or getattr(live, "name", None) or live)


class HistoryView(AuditorMixin, View):
    """An object's audit events and its fields as they were on a date (?as_of=YYYY-MM-DD)."""

    rule = staticmethod(rules.may_read_history)

    def get(self, request, kind, pk):
        object_type = history.TYPES.get(kind)
        if object_type is None:
            raise Http404(_("Unknown kind of object."))
        form = HistoryDateForm(request.GET or None)
        as_of = (form.is_valid() and form.cleaned_data["as_of"]) or today()
        events = list(history.events_for_key(object_type, pk))
        from django.apps import apps

        # The object as it is now names the page in the reader's language; the name recorded
        # with its events names one that no longer exists.
        live = apps.get_model(object_type)._base_manager.filter(pk=pk).first()
        if live is None and not events:
            raise Http404(_("No such object."))
        state = history.state_on((object_type, pk), as_of)
        rows = history.history_entries(reversed(events))
        return render(
            request,
            "reports/history.html",
            {
                "kind": kind,
                "object_id": pk,
                "object_type": object_type,
                "as_of": as_of,
                "state": state,
                "fields": history.readable_state(object_type, state.fields),
                "rows": rows,
                "form": form,
                "title": _live_name(live) or events[-1].object_repr,
            },
        )
