"""gunicorn settings for Tongxin behind nginx.

    gunicorn -c deploy/gunicorn.conf.py tongxin.wsgi

Every value can be overridden from the environment (see deploy/tongxin.env.example).
The app servers are stateless: a bigger deployment runs more of them behind nginx.
"""

import multiprocessing
import os

wsgi_app = "tongxin.wsgi:application"

# nginx on the same host talks to gunicorn over a unix socket (systemd creates /run/tongxin).
# For app servers on other hosts, bind to a private address instead, e.g. GUNICORN_BIND=10.0.0.5:8000,
# and put nginx's address in TRUSTED_PROXIES (instead of "unix") and GUNICORN_FORWARDED_ALLOW_IPS.
bind = os.environ.get("GUNICORN_BIND", "unix:/run/tongxin/gunicorn.sock")

# Sync workers: requests are short (long jobs such as imports, exports and reports run in the
# db_worker service). A few threads per worker absorb slow clients on county networks.
workers = int(os.environ.get("GUNICORN_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so that a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200

# Only nginx on this host may set X-Forwarded-Proto (Django reads it via SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to the journal (stdout/stderr under systemd).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%({x-real-ip}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss'

# gunicorn >= 25.1 opens a control socket for `gunicornc` (default under $HOME): keep it
# beside the app socket; GUNICORN_CONTROL_SOCKET="" turns it off.
_control = os.environ.get("GUNICORN_CONTROL_SOCKET", "/run/tongxin/gunicorn.ctl")
if _control:
    control_socket = _control
else:
    control_socket_disable = True

proc_name = "tongxin"
