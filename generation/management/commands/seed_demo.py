"""Demo data for a fresh development database.

Idempotent: running it again tops up what is missing and changes nothing else,
so `make run` can call it on every start.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "modelsnapper-demo"
STAFF_USERNAME = "admin"
STAFF_EMAIL = "admin@modelsnapper.local"
ROLES = ["creator", "business", "model"]


class Command(BaseCommand):
    help = "Create a staff account and demo users (idempotent) and print their credentials."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=6, help="How many demo users (default 6).")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password for every demo account.")
        parser.add_argument(
            "--posts",
            type=int,
            default=0,
            help="Top the feed up to this many posts, bulk-created (benchmarks).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Allow seeding when DEBUG is off (never on a live site)."
        )

    def handle(self, *args, users: int, password: str, force: bool, posts: int, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to load demo accounts with DEBUG off; pass --force if you mean it.")
        if users < 0 or posts < 0:
            raise CommandError("--users and --posts must be zero or more.")
        verbosity = options["verbosity"]

        staff, created = ensure_user(
            username=STAFF_USERNAME,
            email=STAFF_EMAIL,
            password=password,
            full_name="Staff Member",
            is_staff=True,
            is_superuser=True,
        )
        self._progress(verbosity, f"staff account {'created' if created else 'present'}")
        made = 0
        for n in range(1, users + 1):
            _, created = ensure_user(
                username=f"demo{n}",
                email=f"demo{n}@example.com",
                password=password,
                full_name=f"Demo User {n}",
                role=ROLES[(n - 1) % len(ROLES)],
            )
            made += created
            if verbosity >= 2 or (verbosity and n % 50 == 0):
                self.stdout.write(f"  users {n}/{users}")
        self._progress(verbosity, f"{made} demo users created, {users - made} already present")

        for seed in app_seeders():
            seed()
            self._progress(verbosity, f"{seed.__module__}.{seed.__name__} done")
        from generation.seed import seed_feed_examples

        examples = seed_feed_examples(user=staff)
        self._progress(verbosity, f"{examples} feed examples created")
        from generation.seed import seed_marketplace

        market = seed_marketplace()
        self._progress(
            verbosity,
            f"marketplace: {market['avatars']} avatars, {market['models']} models onboarded, "
            f"{market['approvals']} consent approvals created",
        )
        if posts:
            from social.models import Post
            from social.seed import seed_posts

            missing = max(0, posts - Post.objects.count())
            made_posts = (
                seed_posts(count=missing, stdout=self.stdout if verbosity else None) if missing else 0
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

    def _progress(self, verbosity: int, text: str) -> None:
        if verbosity:
            self.stdout.write(f"- {text}")


def ensure_user(*, username: str, email: str, password: str, role: str = "creator", **fields):
    """Create the account with a verified primary email unless it exists already.

    Business and model accounts get their profile through the same service the
    role page uses.
    """
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from accounts.services import user_set_role

    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, email=email, **fields)
    user.set_password(password)
    user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    if role != User.Role.CREATOR:
        name = fields.get("full_name") or username
        user_set_role(user=user, role=role, business_name=f"{name} Studio", display_name=name)
    return user, True


def app_seeders():
    """Each app's catalogue: plans and packs, the AI model catalog."""
    from billing.seed import seed_catalog as seed_billing_catalog
    from generation.seed import seed_catalog as seed_generation_catalog

    return [seed_billing_catalog, seed_generation_catalog]
