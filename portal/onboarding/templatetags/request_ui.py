from django import template

from ..lifecycle import lifecycle_steps, next_step

register = template.Library()
register.filter("lifecycle_steps", lifecycle_steps)
register.filter("next_step", next_step)
