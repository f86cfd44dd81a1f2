from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.core.errors import ApplicationError
from portal.inventory.models import ProvisionedResource
from portal.onboarding.services import queue_due_drift_checks, request_drift_check


class Command(BaseCommand):
    help = ("Queue drift checks now: for active Terraform resources not checked within PORTAL_DRIFT_CHECK_HOURS "
            "(what Celery beat does periodically), every one with --all, or the given --resource ids. "
            "A worker carries them out; results show on the request pages and the team dashboards.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="Every active Terraform resource, however recently checked.")
        parser.add_argument("--resource", type=int, action="append", default=[], metavar="ID",
                            help="Only this resource (repeatable).")

    def handle(self, *args, **options):
        if options["resource"]:
            runs = []
            for pk in options["resource"]:
                resource = ProvisionedResource.objects.filter(pk=pk).first()
                if resource is None:
                    raise CommandError(f"No resource {pk}.")
                try:
                    runs.append(request_drift_check(resource=resource, actor=None))
                except ApplicationError as error:
                    self.stderr.write(f"resource {pk}: {error.message}")
        else:
            every = timedelta(0) if options["all"] else timedelta(hours=settings.PORTAL_DRIFT_CHECK_HOURS)
            runs = queue_due_drift_checks(every=every)
        self.stdout.write(f"drift checks queued: {len(runs)}"
                          + (f" (runs {', '.join(f'#{run.pk}' for run in runs)})" if runs else ""))
