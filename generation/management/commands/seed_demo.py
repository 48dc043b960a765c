"""Demo data for a development database: one command that asks each app to seed itself.

Accounts (``accounts.seed``), plans and subscriptions (``billing.seed``), the catalog,
marketplace, gallery and jobs (``generation.seed``), and the community that shows them
(``social.seed``). Each records what it makes (``modelsnapper.seeding``), so running
again adds only what is missing (``make run`` calls it on every start), ``--cleanup``
removes exactly what seeding made and ``--reset`` does both. It lives in the generation
app because that app already stands on the other three.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.seed import DEMO_PASSWORD, STAFF_EMAIL, seed_people, seed_staff
from billing.seed import demo_plan, seed_subscription
from generation.seed import (
    feed_example_images,
    seed_catalogs,
    seed_demo_credits,
    seed_feed_examples,
    seed_gallery,
    seed_job_statuses,
    seed_marketplace,
    seed_personal_models,
)
from modelsnapper.seeding import seed_cleanup
from social.models import Post
from social.seed import seed_community, seed_posts
from social.services import counters_recount


class Command(BaseCommand):
    help = (
        "Load demo data (idempotent) and print the demo accounts; --cleanup removes exactly "
        "what seeding created, --reset removes it and seeds again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=6, help="How many demo users (default 6).")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password for every demo account.")
        parser.add_argument(
            "--images",
            type=int,
            default=2,
            help="Generated images (each published as a post) per demo user, the first 1024 px (default 2).",
        )
        parser.add_argument(
            "--posts",
            type=int,
            default=0,
            help="Top the feed up to this many posts, bulk-created (benchmarks).",
        )
        parser.add_argument(
            "--cleanup", action="store_true", help="Remove everything seeding created, and nothing else."
        )
        parser.add_argument("--reset", action="store_true", help="--cleanup, then seed again.")
        parser.add_argument(
            "--force", action="store_true", help="Allow seeding when DEBUG is off (never on a live site)."
        )

    def handle(self, *args, users: int, password: str, images: int, posts: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to load demo accounts with DEBUG off; pass --force if you mean it.")
        if users < 0 or posts < 0 or images < 0:
            raise CommandError("--users, --images and --posts must be zero or more.")
        verbosity = options["verbosity"]
        if options["cleanup"] or options["reset"]:
            self._cleanup(verbosity)
            if options["cleanup"]:
                return

        seed_catalogs()
        self._progress(verbosity, "catalog ready: plans, credit packs and AI models")
        staff, created = seed_staff(password=password)
        self._progress(verbosity, f"staff account {'created' if created else 'present'}")

        def progress(n: int) -> None:
            if verbosity >= 2 or (verbosity and n % 50 == 0):
                self.stdout.write(f"  users {n}/{users}")

        people, made = seed_people(count=users, password=password, progress=progress)
        self._progress(verbosity, f"{made} demo users created, {users - made} already present")
        subscribed = 0
        for position, person in enumerate(people):
            seed_demo_credits(user=person)
            subscribed += seed_subscription(user=person, plan_kind=demo_plan(position))
        self._progress(verbosity, f"{subscribed} subscriptions started (plus, pro, trial; the rest free)")

        market = seed_marketplace()
        self._progress(
            verbosity,
            f"marketplace: {market['avatars']} avatars, {market['models']} models onboarded, "
            f"{market['approvals']} consent approvals created",
        )
        examples = seed_feed_examples(user=staff)
        self._progress(verbosity, f"{examples} feed examples created")
        if people:
            gallery = seed_gallery(people=people, per_person=images)
            jobs = seed_job_statuses(user=people[0])
            self._progress(
                verbosity, f"{len(gallery)} gallery images; {people[0].username} has a job {', '.join(jobs)}"
            )
            personal_models = seed_personal_models(user=people[0])
            self._progress(
                verbosity,
                f"{people[0].username} has trained personal models: "
                + ", ".join(personal.name for personal in personal_models),
            )
            community = seed_community(
                staff=staff, people=people, images=gallery, examples=feed_example_images()
            )
            self._progress(
                verbosity,
                "community: {posts} posts, {groups} groups, {stories} stories, {articles} articles created".format(
                    **community
                ),
            )
        if posts:
            missing = max(0, posts - Post.objects.count())
            made_posts = (
                seed_posts(
                    count=missing,
                    stdout=self.stdout if verbosity else None,
                    author_ids=[person.pk for person in people],
                    record=True,
                )
                if missing
                else 0
            )
            self._progress(verbosity, f"{made_posts} demo posts created ({posts} wanted)")

        if verbosity:
            self.stdout.write(self.style.SUCCESS("\nDemo accounts (development only):"))
            self.stdout.write(f"  staff:  {STAFF_EMAIL} / {password}   (admin at /admin/)")
            if users:
                self.stdout.write(f"  users:  demo1@example.com … demo{users}@example.com / {password}")
            if users >= 3:
                self.stdout.write(
                    "  marketplace: demo2 is a business that demo3 (a model) approved; try /generate/"
                )

    def _cleanup(self, verbosity: int) -> None:
        removed = seed_cleanup()
        # Counters that counted demo content (a real account's followers, a tag's uses) are
        # recounted from what is left.
        drifts = counters_recount()
        if verbosity:
            summary = (
                ", ".join(f"{count} {label}" for label, count in sorted(removed.items()) if count)
                or "nothing"
            )
            self.stdout.write(f"- removed demo data: {summary}")
            self.stdout.write(f"- {len(drifts)} social counters recounted")

    def _progress(self, verbosity: int, text: str) -> None:
        if verbosity:
            self.stdout.write(f"- {text}")
