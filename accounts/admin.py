from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "unit", "is_active", "is_staff", "last_login")
    list_filter = ("groups", "unit", "is_active", "is_staff")
    list_select_related = ("unit",)
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Responsible unit"), {"fields": ("unit",)}))
