from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group, Permission


def permission_choices():
    """Permissions with their content types, for admin permission pickers.

    Django's forms join content types with select_related; combined with
    Permission's ordering across that join, django-mongodb-backend returns the
    rows without their content type and the page crashes. Prefetching is two
    queries and correct.
    """
    return Permission.objects.prefetch_related("content_type")


class GroupAdmin(DjangoGroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name == "permissions":
            # Django's GroupAdmin adds select_related to any queryset it is given.
            formfield.queryset = permission_choices()
        return formfield


admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)
