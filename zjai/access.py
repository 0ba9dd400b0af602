"""Page access by role: a signed-in user with one of the four roles (zjai.roles.Role)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .roles import has_a_role


class RoleRequiredMixin(LoginRequiredMixin):
    """A signed-in user with one of `roles` (any of the four when None).

    A user in no role group is signed in but may see nothing: an administrator has yet to give
    them a role.
    """

    roles: tuple[str, ...] | None = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not has_a_role(user):
            raise PermissionDenied(_("Your account has no role yet. Ask an administrator."))
        if self.roles is not None and user.role not in self.roles:
            raise PermissionDenied(_("Your role may not open this page."))
        return super().dispatch(request, *args, **kwargs)
