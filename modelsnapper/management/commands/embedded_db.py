"""Report on and control the embedded SecantusDB server used without MONGODB_URI.

`make run` starts and stops it for you; this command is for doing it by hand
(for example to run `manage.py shell` against the development data).
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from modelsnapper import embedded


class Command(BaseCommand):
    help = "Start, stop or report on the embedded SecantusDB server (data under .data/)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status"])
        parser.add_argument("--json", action="store_true", help="Print the status as JSON.")

    def handle(self, *args, action, **options):
        if os.environ.get("MONGODB_URI") and action == "start":
            raise CommandError("MONGODB_URI is set: that server is used and nothing is started.")
        if action == "start":
            state = embedded.start()
            self.stdout.write(self.style.SUCCESS(f"SecantusDB running (pid {state.pid}) at {state.uri}"))
        elif action == "stop":
            stopped = embedded.stop()
            self.stdout.write("SecantusDB stopped." if stopped else "SecantusDB was not running.")
        else:
            info = embedded.status()
            if options["json"]:
                self.stdout.write(json.dumps(info))
            elif info["running"]:
                self.stdout.write(f"running: pid {info['pid']}, {info['uri']}, data in {info['storage']}")
            else:
                self.stdout.write("not running")
                raise SystemExit(3)
