"""One way to cut a list page into pages: Django's Paginator, a forgiving ``page`` value, page links that
keep the page's other query parameters (its filters), and the words for "Showing 51–100 of 230 requests".

Use: ``pager = paginate(request, rows, noun=("request", "requests"))`` in the view, then
``{% include "core/_pagination.html" with pager=pager %}`` in the template and ``pager.rows`` for the rows.
Several lists on one page each get their own ``param`` (``page``, ``drafts_page``, …).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50
_LONGEST_NUMBER = 12  # a page number with more digits is not a page number (and never reaches int())


def page_number(value, num_pages: int) -> int:
    """What a ``page`` parameter means: text or nothing → the first page, below 1 → the first, past the
    end → the last. Never an error."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > _LONGEST_NUMBER:
        return num_pages if text.isascii() and text.isdigit() else 1  # a huge number: the last page
    return min(max(int(text), 1), max(num_pages, 1))


@dataclass(frozen=True)
class Pager:
    page: Page
    singular: str
    plural: str
    param: str
    query: str  # the request's other parameters, urlencoded

    @property
    def rows(self):
        return self.page.object_list

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def noun(self) -> str:
        return self.singular if self.count == 1 else self.plural

    @property
    def several_pages(self) -> bool:
        return self.page.paginator.num_pages > 1

    @property
    def summary(self) -> str:
        if not self.count:
            return f"No {self.plural}"
        if not self.several_pages:
            return f"{self.count} {self.noun}"
        return f"Showing {self.page.start_index()}–{self.page.end_index()} of {self.count} {self.noun}"

    def url(self, number: int) -> str:
        return f"?{self.query}{'&' if self.query else ''}{self.param}={number}"

    @property
    def previous_url(self) -> str | None:
        return self.url(self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.page.next_page_number()) if self.page.has_next() else None

    @property
    def first_url(self) -> str:
        return self.url(1)

    @property
    def last_url(self) -> str:
        return self.url(self.page.paginator.num_pages)


def paginate(request, rows, *, noun: tuple[str, str], per_page: int = PAGE_SIZE, param: str = "page") -> Pager:
    """The page of ``rows`` (a queryset, ordered, or a list) the request asks for."""
    paginator = Paginator(rows, per_page)
    page = paginator.page(page_number(request.GET.get(param), paginator.num_pages))
    query = request.GET.copy()
    query.pop(param, None)
    return Pager(page=page, singular=noun[0], plural=noun[1], param=param, query=query.urlencode())
