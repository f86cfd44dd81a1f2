from django.core.management.base import BaseCommand

from provisioning.reaper import reap_runs


class Command(BaseCommand):
    help = "Fail and retry runs whose worker died; send again the tasks of runs queued too long."

    def handle(self, *args, **options):
        reaped = reap_runs()
        self.stdout.write(
            f"lost runs: {reaped.lost or 'none'}; retries queued: {reaped.retried or 'none'}; "
            f"tasks sent again: {reaped.resent or 'none'}; process groups killed: {reaped.killed_groups or 'none'}; "
            f"ended runs settled: {reaped.settled or 'none'}"
        )
