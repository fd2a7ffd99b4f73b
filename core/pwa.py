"""Installable web app (PWA): the manifest and the service worker, both served from the site root.

The service worker caches static assets only (requests under STATIC_URL): pages, API answers and media are
business data and never touch its cache, so nothing of the ledger stays on a phone that is lost or shared. The
offline drafts of forms are the browser's localStorage, kept by static/js/drafts.js, not the worker's: at most 7
days (older ones are dropped when a draft form opens) and removed when the user logs out (static/js/app.js).
"""

import hashlib

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .middleware import not_user_activity

THEME_COLOUR = "#066fd1"  # Tabler's primary (--tblr-primary), the colour of the site's buttons and links
# What every page loads (templates/base.html) and the two forms that keep offline drafts use: fetched when the
# worker installs, so a page opens fast on a weak network. Anything else under STATIC_URL is cached when used.
PRECACHE = [
    "vendor/tabler/css/tabler.min.css", "vendor/tabler-icons/tabler-icons.min.css", "css/app.css",
    "vendor/tabler/js/tabler.min.js", "vendor/htmx/htmx.min.js", "js/app.js", "js/drafts.js",
    "vendor/tom-select/tom-select.bootstrap5.min.css", "vendor/tom-select/tom-select.complete.min.js",
    "img/logo.svg", "img/pwa/icon-192.png",
]


@require_GET
@not_user_activity
def manifest(request):
    icon = "img/pwa/icon-{}.png"
    data = {
        "name": "同心",
        "short_name": "同心",
        "description": "县区统战工作平台",
        "lang": "zh-CN",
        "start_url": reverse("workbench"),
        "scope": reverse("workbench"),
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": static(icon.format(192)), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static(icon.format(512)), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static(icon.format("maskable-512")), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json",
                        json_dumps_params={"ensure_ascii": False})


@require_GET
@not_user_activity
@cache_control(no_cache=True)  # a changed worker must reach the phones: browsers re-check it on every visit
def service_worker(request):
    urls = [static(path) for path in PRECACHE]
    # With hashed static names (production) the version changes whenever an asset does; old caches are dropped.
    version = hashlib.sha256("\n".join(urls).encode()).hexdigest()[:12]
    response = render(request, "core/sw.js", {"precache": urls, "version": version, "static_url": settings.STATIC_URL},
                      content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("workbench")
    return response
