"""Pages of a list endpoint: `page` and `page_size` (at most 100), in an order that never shifts between pages."""

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100
# Far beyond any list (a page past the end is simply empty), and keeps the row offset a database integer.
MAX_PAGE = 1_000_000


def stable_order(queryset):
    """The queryset's own order with the primary key as the last tie-breaker, so every row shows on one page only."""
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    if not any(isinstance(key, str) and key.lstrip("-") in ("pk", "id") for key in ordering):
        ordering.append("pk")
    return queryset.order_by(*ordering)


class StablePagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE,
                                      description=f"每页条数（默认 25，最多 {MAX_PAGE_SIZE}）")

    def __init__(self, **kwargs):
        super().__init__(page_size=25, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        """A QuerySet gets the stable order; a list (computed in Python, e.g. a duty list) keeps its own."""
        if isinstance(queryset, QuerySet):
            queryset = stable_order(queryset)
        return super().paginate_queryset(queryset, pagination, request, **params)
