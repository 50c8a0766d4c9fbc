from django.contrib import admin

from core.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Staff may clear a website that should not be linked (needs core's profile permission)."""

    list_display = ("user", "website")
    search_fields = ("user__username", "website")
    fields = ("user", "website")
    readonly_fields = ("user",)

    def has_add_permission(self, request) -> bool:
        return False  # a profile is its owner's to make, from the profile page
