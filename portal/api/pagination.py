from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    """Stable pages however rows arrive: ``next``/``previous`` links carry an opaque cursor."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
