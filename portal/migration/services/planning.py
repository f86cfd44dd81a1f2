"""Planning: waves with dates, products put in waves (the pilots first), the playbook's lessons."""

from __future__ import annotations

from django.db import transaction

from portal.audit.services import record_event
from portal.core.errors import ApplicationError, PermissionDenied

from ..models import DataProduct, Lesson, Wave
from ..permissions import can_edit_product, can_view_product, is_migration_lead
from ..selectors import r_of


@transaction.atomic
def create_wave(*, actor, name: str, starts_on, ends_on, is_pilot: bool = False) -> Wave:
    if not is_migration_lead(actor):
        raise PermissionDenied("MLOps enablement plans the waves.")
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Name the wave.", field="name")
    if ends_on < starts_on:
        raise ApplicationError("A wave ends after it starts.", field="ends_on")
    if Wave.objects.filter(name=name).exists():
        raise ApplicationError(f"There is a wave called “{name}” already.", field="name")
    wave = Wave.objects.create(name=name[:100], starts_on=starts_on, ends_on=ends_on, is_pilot=is_pilot)
    record_event(actor=actor, verb="wave.created", target=wave, data={
        "name": wave.name, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "pilot": is_pilot})
    return wave


@transaction.atomic
def assign_wave(*, actor, products, wave: Wave | None) -> int:
    """Put ``products`` in ``wave`` (None: out of any wave): MLOps enablement, or a team for its own."""
    changed = 0
    for product in products:
        if not (is_migration_lead(actor) or can_edit_product(actor, product)):
            raise PermissionDenied(f"You cannot plan {product.name}.")
        if product.wave_id == (wave.pk if wave else None):
            continue
        DataProduct.objects.filter(pk=product.pk).update(wave=wave)
        record_event(actor=actor, verb="product.wave", target=product, data={
            "wave": wave.name if wave else None, "was": product.wave.name if product.wave_id else None})
        changed += 1
    return changed


@transaction.atomic
def add_lesson(*, actor, product: DataProduct, title: str, body: str) -> Lesson:
    """A lesson learned from ``product``'s migration, filed under its R, kind and languages."""
    if not (can_edit_product(actor, product) or (is_migration_lead(actor) and can_view_product(actor, product))):
        raise PermissionDenied(f"Only {product.team} or MLOps enablement write lessons about {product.name}.")
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ApplicationError("A lesson needs a title and what was learned.", field="body" if title else "title")
    r = r_of(product)
    if not r:
        raise ApplicationError(f"Triage {product.name} first: a lesson is filed under its R.")
    lesson = Lesson.objects.create(product=product, r=r, product_kind=product.kind,
                                   languages=[lang.lower() for lang in product.languages], title=title[:200],
                                   body=body[:10000], author=actor)
    record_event(actor=actor, verb="lesson.added", target=product, data={"lesson": lesson.pk, "title": lesson.title})
    return lesson
