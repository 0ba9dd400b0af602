"""The staff's pages of publishing (docs/user-guide.md, "Publishing to the public"): every
publication of every plan with its state, for administrators and the readers of the audit log
(rules.may_list_publications); administrators publish an edition and withdraw a publication
here, through publishing.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from plans.choice import current_plan
from zjai.access import RoleRequiredMixin
from zjai.dates import today
from zjai.exceptions import ConflictError
from zjai.forms import apply_errors
from zjai.roles import has_a_role

from . import rules, services
from .forms import PublicationFilterForm, PublishForm, WithdrawForm, publishable_plans
from .links import public_path
from .models import Publication


def withdraw_prefix(publication: Publication) -> str:
    """Each row's withdraw form has its own field ids."""
    return f"withdraw-{publication.pk}"


class ListersOnlyMixin(RoleRequiredMixin):
    """Administrators and the readers of the audit log; every other role gets 403."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        # Anonymous visitors and users without a role: RoleRequiredMixin answers them.
        if has_a_role(user) and not rules.may_list_publications(user):
            raise PermissionDenied(_("Your role may not open this page."))
        return super().dispatch(request, *args, **kwargs)


class PublicationPage(ListersOnlyMixin, View):
    """The list, with the publish form and each live publication's withdraw form."""

    template_name = "publishing/staff/publications.html"

    def render_page(self, *, publish_form=None, bound_withdraw=None, status=200, **extra):
        user = self.request.user
        # Its own ids: the publish form has a `plan` too.
        filter_form = PublicationFilterForm(self.request.GET or None, auto_id="filter-%s")
        publications = Publication.objects.select_related(
            "plan", "published_by", "withdrawn_by"
        ).defer("content")
        if filter_form.is_bound:
            if filter_form.is_valid():
                if filter_form.cleaned_data["plan"] is not None:
                    publications = publications.filter(plan=filter_form.cleaned_data["plan"])
            else:
                status = 400
        may_withdraw = rules.may_withdraw(user)
        rows = []
        for publication in publications.order_by("-published_at", "-pk"):
            form = None
            if may_withdraw and publication.is_live:
                if bound_withdraw is not None and bound_withdraw.prefix == withdraw_prefix(
                    publication
                ):
                    form = bound_withdraw
                else:
                    form = WithdrawForm(
                        prefix=withdraw_prefix(publication),
                        initial={"version": publication.version},
                    )
            rows.append(
                {
                    "publication": publication,
                    "public_path": public_path(publication),
                    "withdraw_form": form,
                    "history": reverse("reports:history", args=["publication", publication.pk]),
                }
            )
        may_publish = rules.may_publish(user)
        if may_publish and publish_form is None:
            # The plan the list is filtered by, else the one chosen in the top bar (?plan= is
            # the filter here, so the top bar's choice is read only without it).
            chosen = filter_form.is_valid() and filter_form.cleaned_data["plan"]
            if not chosen and "plan" not in self.request.GET:
                chosen = current_plan(self.request)
            plans = publishable_plans()
            initial = {"as_of": today()}
            if chosen and plans.filter(pk=chosen.pk).exists():
                initial["plan"] = chosen.code
            publish_form = PublishForm(initial=initial)
        context = {
            "rows": rows,
            "filter_form": filter_form,
            "publish_form": publish_form if may_publish else None,
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)


class PublicationListView(PublicationPage):
    def get(self, request):
        return self.render_page()

    def post(self, request):
        if not rules.may_publish(request.user):
            raise PermissionDenied(_("Only administrators publish editions."))
        form = PublishForm(request.POST)
        if not form.is_valid():
            return self.render_page(publish_form=form, status=400)
        data = form.cleaned_data
        try:
            publication = services.publish(
                plan=data["plan"],
                as_of=data["as_of"],
                known_at=data["known_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            # Content identical to the plan's newest publication (a second submit) is refused
            # on `as_of`: nothing is written, the form says why.
            apply_errors(form, exc)
            return self.render_page(publish_form=form, status=400)
        messages.success(
            request,
            _("Published: %(plan)s, publication %(number)s as of %(as_of)s.")
            % {
                "plan": publication.plan.code,
                "number": publication.number,
                "as_of": publication.as_of.isoformat(),
            },
        )
        return HttpResponseRedirect(reverse("publications:list"))


class WithdrawView(PublicationPage):
    http_method_names = ["post"]

    def post(self, request, pk):
        if not rules.may_withdraw(request.user):
            raise PermissionDenied(_("Only administrators withdraw publications."))
        publication = get_object_or_404(Publication.objects.defer("content"), pk=pk)
        form = WithdrawForm(request.POST, prefix=withdraw_prefix(publication))
        if not form.is_valid():
            return self.render_page(bound_withdraw=form, status=400)
        try:
            services.withdraw(
                publication,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ConflictError as exc:
            return self.render_page(bound_withdraw=form, status=409, conflict=str(exc))
        except ValidationError as exc:
            # Already withdrawn (by someone else meanwhile): its row has no form any more, so
            # the reason is said above the list too.
            apply_errors(form, exc)
            return self.render_page(bound_withdraw=form, status=400, refused=" ".join(exc.messages))
        messages.success(
            request,
            _("Withdrawn: %(plan)s, publication %(number)s. The public no longer sees it.")
            % {"plan": publication.plan.code, "number": publication.number},
        )
        return HttpResponseRedirect(reverse("publications:list"))
