from django.urls import path

# suffix of the view class name in the app's views module -> (URL pattern, URL name suffix)
OBJECT_ROUTES = [
    ("ListView", "", "list"),
    ("EditView", "add/", "add"),
    ("ExportView", "export/", "export"),
    ("AutocompleteView", "autocomplete/", "autocomplete"),
    ("DetailView", "<int:pk>/", "detail"),
    ("EditView", "<int:pk>/edit/", "edit"),
    ("DeleteView", "<int:pk>/delete/", "delete"),
]


def object_urls(model, views_module, stem, prefix=""):
    """The standard routes for `model`, one per `<stem><Kind>View` class found in `views_module`.

    Names are `<model_name>_<kind>` (e.g. `person_list`, `person_detail`), inside the app's namespace.
    """
    patterns = []
    for suffix, route, kind in OBJECT_ROUTES:
        view = getattr(views_module, f"{stem}{suffix}", None)
        if view is not None:
            patterns.append(path(f"{prefix}{route}", view.as_view(), name=f"{model._meta.model_name}_{kind}"))
    return patterns
