"""Test settings: fast hashing, a fixed key, tasks run immediately."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS

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

# The audit table's append-only triggers refuse the TRUNCATE/DELETE with which the test runner empties the
# database after transactional (live-server) tests; these backends lift them for that one flush only.
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "core.tests.db.postgresql",
    "django.db.backends.sqlite3": "core.tests.db.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])

# The SQLite test database is in memory (Django's default), said explicitly: under pytest-xdist, pytest-django
# would take the custom backend above for a server database and give each worker a file instead.
if DATABASES["default"]["ENGINE"] == "core.tests.db.sqlite3":
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"
    # Browser tests (`make test-browser`) run a threaded live server whose requests overlap (a page, its htmx
    # parts, the service worker): on an in-memory database the threads share one cache with table locks that fail
    # at once ("database table is locked") instead of waiting. A file (WAL, busy timeout) waits, like production.
    if os.environ.get("TONGXIN_TEST_DB_FILE"):
        DATABASES["default"]["TEST"]["NAME"] = os.environ["TONGXIN_TEST_DB_FILE"]

# The tests need no collectstatic (a fresh clone has no var/staticfiles): WhiteNoise looks a file up when it is
# asked for instead of indexing STATIC_ROOT at start-up, where a missing folder is a warning (an error here).
WHITENOISE_AUTOREFRESH = True
