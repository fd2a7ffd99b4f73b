"""The URLs of one importer's pages, mounted by its app inside the app's namespace:

    path("import/", include(import_urls(PersonImporter, "person_import")))

gives `people:person_import` (the upload page), `people:person_import_job`, `people:person_import_status` and
`people:person_import_errors`. `upload_route` places the upload page elsewhere (with kwargs its importer's
`upload_context` reads), `jobs_route` the job pages; `template` adds `<prefix>_template`, the blank template
written from the importer's column spec (core.importing.template)."""

from django.urls import path

from . import views
from .template import TemplateView


def import_urls(importer, prefix, *, upload_route="", jobs_route="", template=False):
    options = {"importer": importer, "prefix": prefix}
    patterns = [
        path(upload_route, views.UploadView.as_view(**options), name=prefix),
        path(f"{jobs_route}<int:pk>/", views.JobView.as_view(**options), name=f"{prefix}_job"),
        path(f"{jobs_route}<int:pk>/status/", views.StatusView.as_view(**options), name=f"{prefix}_status"),
        path(f"{jobs_route}<int:pk>/errors/", views.ErrorsView.as_view(**options), name=f"{prefix}_errors"),
    ]
    if template:
        patterns.append(path("template/", TemplateView.as_view(**options), name=f"{prefix}_template"))
    return patterns
