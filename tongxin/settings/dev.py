"""Local development (`make run`): SQLite in var/, keys generated into var/ on first use."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR


def _key_from_file(name, nbytes):
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_hex(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = False
SECRET_KEY = SECRET_KEY or _key_from_file("secret_key", 32)  # noqa: F405
FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or _key_from_file("field_key", 32)  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost"]  # noqa: F405
