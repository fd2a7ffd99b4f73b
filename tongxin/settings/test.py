"""Test settings: fast hashing, a fixed key, tasks run immediately."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

SECRET_KEY = "test-secret-key-not-for-production-" + "x" * 20
FIELD_ENCRYPTION_KEY = "00" * 32
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A small business model that exercises core's generic views and scoping in tests.
INSTALLED_APPS = [*INSTALLED_APPS, "core.tests.sample"]
ROOT_URLCONF = "core.tests.sample.urls"
