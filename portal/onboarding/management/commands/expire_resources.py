from django.core.management.base import BaseCommand

from portal.inventory.expiry import warn_expiring
from portal.onboarding.services import destroy_expired


class Command(BaseCommand):
    help = "Warn the owners of resources about to expire and destroy the expired ones (beat does it hourly)."

    def handle(self, *args, **options):
        warned = warn_expiring()
        runs = destroy_expired()
        self.stdout.write(f"{warned} warning(s) sent; {len(runs)} expired resource(s) being destroyed.")
