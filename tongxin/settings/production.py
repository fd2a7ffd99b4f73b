"""Production: gunicorn behind nginx (TLS), PostgreSQL; every secret from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from core.network import parse_trusted_proxies

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DATABASES, FIELD_ENCRYPTION_KEY, SECRET_KEY

for _name, _value in (("SECRET_KEY", SECRET_KEY), ("FIELD_ENCRYPTION_KEY", FIELD_ENCRYPTION_KEY),
                      ("ALLOWED_HOSTS", ALLOWED_HOSTS)):
    if not _value:
        raise ImproperlyConfigured(f"环境变量 {_name} 未设置 / {_name} must be set in production")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("生产环境须使用 PostgreSQL：请设置 DATABASE_URL=postgres://…")

DEBUG = False
# "unix" when nginx talks to gunicorn's unix socket (deploy/gunicorn.conf.py's default), else nginx's addresses.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
parse_trusted_proxies(tuple(TRUSTED_PROXIES))  # a bad entry stops the start, naming it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
