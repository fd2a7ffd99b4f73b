"""Machinery every app's REST API router (`<app>/api.py`) is built from, so that the API is the pages again:

- `scoping`: an object outside the token user's scope is 404, an action the roles never grant is 403.
- `filters`: a list takes the query parameters of the app's list page, through the same django-filter FilterSet
  (`filter_schema` documents them in the OpenAPI schema, `apply_filters` applies them).
- `pagination`: `page` / `page_size` (≤ 100), in a stable order (the primary key breaks every tie).
- `forms`: a write is the page's form, bound to the JSON body, saved through core.editing (same validation,
  history and audit).
- `errors`: every error is JSON `{"detail": "<中文说明>"}` (with `errors` per field for invalid data), and
  `responses` declares them on each operation so that the schema tells the truth.

The project's NinjaAPI (tongxin/api.py) adds the token authentication and the rate limit (accounts.api_auth).
"""
