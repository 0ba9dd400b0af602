"""Sign-in and sign-out pages (Django's auth views; django-axes throttles failed sign-ins)."""

from django.conf import settings
from django.contrib.auth import views as auth_views


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_minutes"] = settings.SESSION_COOKIE_AGE // 60
        return context


class SignOutView(auth_views.LogoutView):
    pass
