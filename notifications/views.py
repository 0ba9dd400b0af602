"""The inbox pages: a user's own notices, marking them read, and their e-mail choices.

Every write goes through notifications.services; a notice of someone else's is a 404, as if
it did not exist (notifications.rules).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from zjai.access import RoleRequiredMixin
from zjai.lists import paginate

from . import rules, services
from .choices import DeliveryState
from .forms import EmailSettingsForm, InboxFilterForm
from .models import Notification, WebhookDelivery
from .selectors import inbox

NOTICES_PER_PAGE = 20


def own_notice(user, pk: int) -> Notification:
    notice = Notification.objects.for_user(user).filter(pk=pk).first()
    if notice is None:
        raise Http404(_("No such notice."))
    return notice


def back_to_inbox(request) -> HttpResponseRedirect:
    """Back to the inbox page the user came from (same-site paths only)."""
    target = request.POST.get("next", "")
    if not (rules.is_site_path(target) and target.startswith(reverse("notifications:inbox"))):
        target = reverse("notifications:inbox")
    return HttpResponseRedirect(target)


class InboxView(RoleRequiredMixin, View):
    def get(self, request):
        filters = InboxFilterForm(request.GET or None)
        data = filters.cleaned_data if filters.is_valid() else {}
        notices = inbox(
            request.user,
            unread=bool(data.get("unread")),
            kind=data.get("kind") or "",
            order=data.get("order") or "",
        )
        page = paginate(notices, request.GET.get("page"), NOTICES_PER_PAGE)
        failed = 0
        if rules.may_manage_webhooks(request.user):
            # Administrators see the relays that gave up, with a link to their errors.
            failed = WebhookDelivery.objects.filter(state=DeliveryState.FAILED).count()
        return render(
            request,
            "notifications/inbox.html",
            {
                "filters": filters,
                "page": page,
                "rows": page.object_list,
                "failed_deliveries": failed,
            },
        )


class ReadView(RoleRequiredMixin, View):
    def post(self, request, pk: int):
        services.mark_read(own_notice(request.user, pk), acting_user=request.user)
        return back_to_inbox(request)


class ReadAllView(RoleRequiredMixin, View):
    def post(self, request):
        count = services.mark_all_read(acting_user=request.user)
        messages.success(
            request,
            ngettext("%(count)d notice marked read.", "%(count)d notices marked read.", count)
            % {"count": count},
        )
        return back_to_inbox(request)


class OpenView(RoleRequiredMixin, View):
    """Mark the notice read and follow its link (a path of this site, else the inbox)."""

    def get(self, request, pk: int):
        notice = services.mark_read(own_notice(request.user, pk), acting_user=request.user)
        target = notice.url if rules.is_site_path(notice.url) else reverse("notifications:inbox")
        return HttpResponseRedirect(target)


class SettingsView(RoleRequiredMixin, View):
    template_name = "notifications/settings.html"

    def get(self, request):
        form = EmailSettingsForm(
            initial={"email_kinds": sorted(services.email_kinds_of(request.user))}
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = EmailSettingsForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        services.set_email_kinds(acting_user=request.user, kinds=form.cleaned_data["email_kinds"])
        messages.success(request, _("Your e-mail choices were saved."))
        return HttpResponseRedirect(reverse("notifications:settings"))
