from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.seed import ensure_demo_people
from portal.approvals.seed import ensure_default_rules, ensure_demo_approvers
from portal.catalog.seed import ensure_builtin_templates, ensure_bundles, ensure_prices
from portal.datasets.seed import ensure_demo_datasets
from portal.migration.seed import ensure_demo_migration
from portal.teams.seed import ensure_demo_quota, ensure_teams


class Command(BaseCommand):
    help = "Create the demo teams, people and built-in templates (idempotent) and print the logins."

    @transaction.atomic
    def handle(self, *args, **options):
        teams = ensure_teams()
        logins = ensure_demo_people(teams)
        logins += ensure_demo_approvers(teams)
        ensure_default_rules(teams)
        versions = ensure_builtin_templates()
        ensure_prices()
        ensure_bundles()
        ensure_demo_quota(teams)
        logins += ensure_demo_migration(teams)
        ensure_demo_datasets()
        self.stdout.write("Templates: " + ", ".join(str(v) for v in versions))
        self.stdout.write("Demo logins (username / password):")
        for username, password in logins:
            self.stdout.write(f"  {username:<10} {password}")
