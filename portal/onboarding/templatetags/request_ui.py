from django import template

from ..lifecycle import next_step, request_steps

register = template.Library()
register.filter("request_steps", request_steps)
register.filter("next_step", next_step)


@register.filter
def items_ready(items) -> str:
    """"1 of 2 items ready" while a request is being created."""
    items = list(items)
    ready = sum(item.status == "active" for item in items)
    return f"{ready} of {len(items)} item{'s' if len(items) != 1 else ''} ready"
