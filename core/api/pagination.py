"""Pages of a list endpoint: `page` and `page_size` (at most 100), in an order that never shifts between pages."""

from ninja.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


def stable_order(queryset):
    """The queryset's own order with the primary key as the last tie-breaker, so every row shows on one page only."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    if not any(isinstance(key, str) and key.lstrip("-") in ("pk", "id") for key in ordering):
        ordering.append("pk")
    return queryset.order_by(*ordering)


class StablePagination(PageNumberPagination):
    def __init__(self, **kwargs):
        super().__init__(page_size=25, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        return super().paginate_queryset(stable_order(queryset), pagination, request, **params)
