"""AppConfigs that give Django's and allauth's models ObjectId primary keys.

MongoDB documents are keyed by ObjectId; the stock configs would ask for integer
AutoFields, which this backend cannot generate. Their migrations live in
``modelsnapper/migrations_contrib`` (see MIGRATION_MODULES).
"""

from allauth.account.apps import AccountConfig
from allauth.mfa.apps import MFAConfig
from allauth.socialaccount.apps import SocialAccountConfig
from allauth.usersessions.apps import UserSessionsConfig
from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.apps import AuthConfig
from django.contrib.contenttypes.apps import ContentTypesConfig

OBJECT_ID = "django_mongodb_backend.fields.ObjectIdAutoField"


class ModelSnapperConfig(AppConfig):
    name = "modelsnapper"
    default_auto_field = OBJECT_ID


class MongoAdminConfig(AdminConfig):
    default_auto_field = OBJECT_ID
    default_site = "modelsnapper.admin_site.ModelSnapperAdminSite"


class MongoAuthConfig(AuthConfig):
    default_auto_field = OBJECT_ID


class MongoContentTypesConfig(ContentTypesConfig):
    default_auto_field = OBJECT_ID


class MongoAccountConfig(AccountConfig):
    default_auto_field = OBJECT_ID


class MongoSocialAccountConfig(SocialAccountConfig):
    default_auto_field = OBJECT_ID


class MongoMFAConfig(MFAConfig):
    default_auto_field = OBJECT_ID


class MongoUserSessionsConfig(UserSessionsConfig):
    default_auto_field = OBJECT_ID
