"""Page weight: the bytes a browser downloads for explore (20 image posts) and history (20 jobs × 4).

Starts its own throw-away SecantusDB and a local HTTP server for this checkout (nothing
else is touched), makes 20 generation jobs of 4 outputs each (1024 × 1024 PNGs, stored
through the real store path, ``generation.running.outputs_store``) and publishes the
first output of each as a public post (``social.services.post_publish_generation``).
Then headless Chromium (``/usr/bin/chromium``, Playwright) opens each page at 1366 × 768,
DPR 1, with an empty cache, scrolls to the end so every lazy image is fetched, waits for
the network to go quiet and sums what came over the wire (headers + bodies). The page's
own database round trips are counted separately (Django's test client and a pymongo
command listener around the page's HTML request).

The local provider draws smooth blobs that compress unrealistically well; the outputs
here are drawn to weigh what diffusion outputs weigh (about 1.8 MB as PNG: soft shapes
with a film grain). They are cached in ``--cache`` so before/after runs store the same bytes.

    .venv/bin/python benchmarks/page_weight.py [--cache DIR] [--label L] [--json F] [--before F]

For "before" figures, run it in an old checkout (``git worktree add /tmp/pw-before <commit>``)
with this file copied in and ``--json before.json``; then here with ``--before before.json``.
The goals: explore ≤ 1 MB, history ≤ 1.5 MB, round trips unchanged.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _setup import django_setup  # noqa: E402
from pymongo import monitoring  # noqa: E402

JOBS = 20
OUTPUTS = 4
SIDE = 1024
VIEWPORT = {"width": 1366, "height": 768}
GOALS = {"explore": 1_000_000, "history": 1_500_000}


class Counter(monitoring.CommandListener):
    """Counts database commands (one command = one round trip)."""

    def __init__(self):
        super().__init__()
        self.count = 0
        self.lock = threading.Lock()

    def started(self, event):
        if event.command_name in ("endSessions", "hello", "isMaster", "ping"):
            return
        with self.lock:
            self.count += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def generated_png(seed: int, cache: Path) -> bytes:
    """A 1024 × 1024 PNG that weighs what a diffusion output weighs, the same for a seed."""
    path = cache / f"out-{seed}.png"
    if path.exists():
        return path.read_bytes()
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(seed)
    tiny = Image.new("RGB", (6, 6))
    tiny.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(36)])
    picture = tiny.resize((SIDE, SIDE), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y, r = rng.randrange(SIDE), rng.randrange(SIDE), rng.randrange(10, 200)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    picture = picture.filter(ImageFilter.GaussianBlur(3))
    grain = Image.effect_noise((SIDE, SIDE), 10).convert("RGB")
    picture = ImageChops.add(picture, grain, scale=1.0, offset=-128)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return out.getvalue()


def make_data(cache: Path):
    """20 completed jobs of 4 outputs for one creator; output 0 of each published as a post."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from generation import running
    from generation.models import AIModel, Image, Job
    from social import services as social_services

    # The real store path; its name changed over time, and "before" runs use old checkouts.
    store = getattr(running, "outputs_store", None) or running._store_outputs
    creator = User.objects.create_user(username="creator", email="creator@example.com", password="x")
    model = AIModel.objects.create(name="Bench model", slug="bench-model", provider="local")
    posts = []
    for number in range(JOBS):
        now = timezone.now()
        job = Job.objects.create(
            user=creator,
            ai_model=model,
            prompt=f"a benchmark picture number {number}, soft light, film grain",
            quality="hd",
            num_outputs=OUTPUTS,
            seed=number,
            provider="local",
            deadline_at=now + timedelta(minutes=10),
        )
        blobs = [generated_png(number * OUTPUTS + index, cache) for index in range(OUTPUTS)]
        store(job, blobs, Image.Type.GENERATED, trusted=True)
        Image.objects.filter(job=job).update(delivered=True)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.COMPLETED, completed_at=timezone.now())
        first = Image.objects.get(job=job, output_index=0)
        post, _ = social_services.post_publish_generation(
            author=creator, image=first, caption=f"Picture {number}", visibility="public"
        )
        posts.append(post)
        print(f"  stored job {number + 1}/{JOBS}", flush=True)
    return creator


def round_trips(client, url: str, counter: Counter) -> int:
    client.get(url)  # warm caches the page fills on a first view
    counter.count = 0
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return counter.count


def weigh(base: str, path: str, cookie: dict) -> dict:
    """Bytes over the wire for one page and everything it loads, after scrolling to its end."""
    from playwright.sync_api import sync_playwright

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
    totals = {"requests": 0, "bytes": 0, "images": 0, "image_bytes": 0, "html_bytes": 0}
    finished = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        context.add_cookies([cookie])
        page = context.new_page()
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(base + path, wait_until="networkidle")
        # Half a screen at a time to the very end (the page may grow as pictures arrive).
        y = 0
        while y < page.evaluate("document.documentElement.scrollHeight"):
            y += VIEWPORT["height"] // 2
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(150)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        for request in finished:
            sizes = request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            totals["requests"] += 1
            totals["bytes"] += size
            if request.resource_type == "image":
                totals["images"] += 1
                totals["image_bytes"] += size
            elif request.resource_type == "document":
                totals["html_bytes"] += size
        browser.close()
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default="/tmp/page-weight-pngs", help="where the generated PNGs are kept")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    parser.add_argument(
        "--before", default="", help="a --json file of an earlier run, to print before → after"
    )
    args = parser.parse_args()
    cache = Path(args.cache)

    import signal

    from modelsnapper import embedded

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    counter = Counter()
    monitoring.register(counter)
    with embedded.throwaway_server("page-weight-") as server:
        django_setup(
            server.uri,
            "page_weight",
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            MEDIA_STORAGE="gridfs",
            C2PA_ENABLED="false",
            CELERY_TASK_ALWAYS_EAGER="true",
            GENERATION_PROVIDER="local",
        )
        from django.conf import settings
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.management import call_command
        from django.test import Client
        from django.test.testcases import LiveServerThread
        from django.urls import reverse

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        call_command("migrate", verbosity=0)
        print("making 20 jobs × 4 outputs and 20 posts…", flush=True)
        creator = make_data(cache)

        client = Client()
        client.force_login(creator)
        pages = {"explore": reverse("social:explore"), "history": reverse("generation:history")}
        trips = {name: round_trips(client, url, counter) for name, url in pages.items()}

        server_thread = LiveServerThread("127.0.0.1", StaticFilesHandler)
        server_thread.daemon = True
        server_thread.start()
        server_thread.is_ready.wait()
        if server_thread.error:
            raise server_thread.error
        base = f"http://127.0.0.1:{server_thread.port}"
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                  "url": base}  # fmt: skip
        results = {}
        try:
            for name, url in pages.items():
                results[name] = {**weigh(base, url, cookie), "round_trips": trips[name]}
        finally:
            server_thread.terminate()

    print(f"\nPage weight ({args.label}): 1366 × 768, DPR 1, empty cache, scrolled to the end")
    print(
        f"{'page':<9} {'total':>10} {'images':>14} {'html':>9} {'requests':>9} {'db round trips':>15}  goal"
    )
    for name, row in results.items():
        goal = GOALS[name]
        verdict = "met" if row["bytes"] <= goal else "NOT met"
        print(
            f"{name:<9} {row['bytes'] / 1e6:>8.2f} MB {row['images']:>3} = {row['image_bytes'] / 1e6:>6.2f} MB "
            f"{row['html_bytes'] / 1e3:>6.1f} kB {row['requests']:>9} {row['round_trips']:>15}  "
            f"≤ {goal / 1e6:.1f} MB {verdict}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"label": args.label, "results": results}, indent=2))
    if args.before:
        before = json.loads(Path(args.before).read_text())
        print(f"\n{before['label']} → {args.label}")
        print(f"{'page':<9} {'before':>10} {'after':>10} {'images before → after':>26} {'round trips':>12}")
        for name, row in results.items():
            old = before["results"][name]
            print(
                f"{name:<9} {old['bytes'] / 1e6:>7.2f} MB {row['bytes'] / 1e6:>7.2f} MB "
                f"{old['image_bytes'] / 1e6:>10.2f} MB → {row['image_bytes'] / 1e6:.2f} MB "
                f"{old['round_trips']:>6} → {row['round_trips']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
