"""The installable web app: its manifest, its icons, and a service worker that caches static assets only."""

import json
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from PIL import Image


def test_manifest_names_the_app_and_its_icons(client):
    response = client.get(reverse("manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["name"], manifest["short_name"], manifest["start_url"], manifest["display"]) == (
        "同心", "同心", "/", "standalone")
    assert manifest["theme_color"] == "#066fd1"
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        path = Path(settings.BASE_DIR, "static", icon["src"].removeprefix(settings.STATIC_URL))
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"


def test_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get(reverse("service_worker"))
    assert reverse("service_worker") == "/sw.js"
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert f'"{settings.STATIC_URL}js/app.js"' in body and f'"{settings.STATIC_URL}js/drafts.js"' in body
    for precached in body.split("var PRECACHE = [")[1].split("]")[0].split(", "):
        assert precached.strip('"').startswith(settings.STATIC_URL)


def test_every_precached_asset_exists():
    from core.pwa import PRECACHE

    assert all(Path(settings.BASE_DIR, "static", path).is_file() for path in PRECACHE)


def test_pages_link_the_manifest_and_the_worker(client, org):
    from accounts.testing import create_user

    client.force_login(create_user("p_town", org.town1, "town_officer"))
    page = client.get(reverse("workbench")).content.decode()
    assert f'<link rel="manifest" href="{reverse("manifest")}">' in page
    assert f'<meta name="tongxin-service-worker" content="{reverse("service_worker")}">' in page
