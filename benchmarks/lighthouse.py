"""Lighthouse scores of the main pages, against a running `make run` (demo data).

Audits landing, explore, a post, generate, a job, history, pricing, wallet (as demo1, a
creator) and the marketplace (as demo2, a business) with npm's `lighthouse` driving Debian's
chromium, and prints performance, accessibility, best practices and the bytes each page
downloads. The issue's goal: accessibility and best practices >= 95, performance >= 90.

    PORT=8000 make run                                 # in another terminal
    .venv/bin/python benchmarks/lighthouse.py          # mobile (Lighthouse's default)
    .venv/bin/python benchmarks/lighthouse.py --preset desktop --base http://127.0.0.1:8001

Lighthouse is installed once under .data/lighthouse/ (pinned: 12.2.3 is the last release that
runs on Node 20). With no server at --base this prints how to start one and exits 0, so
`make bench` does not fail on a machine where nothing is running.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener, urlopen

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE_DIR = ROOT / ".data" / "lighthouse"
CHROME = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "modelsnapper-demo"
CATEGORIES = ("performance", "accessibility", "best-practices")
GOALS = {"performance": 90, "accessibility": 95, "best-practices": 95}


def lighthouse_installed() -> None:
    if not (LIGHTHOUSE_DIR / "node_modules" / "lighthouse").exists():
        LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse {LIGHTHOUSE_VERSION} under {LIGHTHOUSE_DIR} …", file=sys.stderr)
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "-E",
                f"lighthouse@{LIGHTHOUSE_VERSION}",
            ],
            cwd=LIGHTHOUSE_DIR,
            check=True,
        )


def signed_in_cookies(base: str, email: str | None) -> list[dict]:
    """The cookies of a session signed in through the real login form (none for a visitor)."""
    if email is None:
        return []
    jar = CookieJar()
    opener = build_opener(HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}).encode()
    opener.open(Request(f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}))
    cookies = [{"name": cookie.name, "value": cookie.value, "url": base} for cookie in jar]
    if not any(cookie["name"] == "sessionid" for cookie in cookies):
        raise SystemExit(f"could not sign in as {email} at {base}: is the demo data loaded (make run)?")
    return cookies


def fetch(base: str, path: str, cookies: list[dict]) -> str:
    header = "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in cookies)
    return urlopen(Request(base + path, headers={"Cookie": header})).read().decode()


def first_with_picture(base: str, path: str, cookies: list[dict], pattern: str) -> str | None:
    """The first page linked from ``path`` (matching ``pattern``) that shows a picture."""
    for link in list(dict.fromkeys(re.findall(pattern, fetch(base, path, cookies))))[:20]:
        if "<img" in fetch(base, link, cookies).split("<main", 1)[-1]:
            return link
    return None


# Lighthouse through its Node API: the session cookies go into the browser itself (not an extra
# header, which the page's own HTMX requests would not carry), then Lighthouse audits in it.
RUNNER = """
import fs from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import puppeteer from "puppeteer-core";
import lighthouse from "lighthouse";
import desktop from "lighthouse/core/config/desktop-config.js";

const [url, cookies, preset, out, categories] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const jar = JSON.parse(cookies);
  if (jar.length) {
    const page = await browser.newPage();
    await page.setCookie(...jar);
    await page.close();
  }
  await browser.disconnect();
  const flags = { port: chrome.port, output: "json", logLevel: "error", onlyCategories: categories.split(",") };
  const result = await lighthouse(url, flags, preset === "desktop" ? desktop : undefined);
  fs.writeFileSync(out, result.report);
} finally {
  await chrome.kill();
}
"""


def audit(url: str, cookies: list[dict], preset: str) -> dict:
    runner = LIGHTHOUSE_DIR / "run.mjs"
    runner.write_text(RUNNER)
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            ["node", str(runner), url, json.dumps(cookies), preset, str(report), ",".join(CATEGORIES)],
            cwd=LIGHTHOUSE_DIR,
            check=True,
            env={**os.environ, "CHROME_PATH": CHROME},
            timeout=240,
        )
        data = json.loads(report.read_text())
    if "/accounts/login/" in data.get("finalDisplayedUrl", "") and "/accounts/login/" not in url:
        raise SystemExit(f"{url} sent Lighthouse to the sign-in page: the session did not reach it")
    scores = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
    failing = {
        name: [
            audit["title"]
            for ref in data["categories"][name]["auditRefs"]
            if ref["weight"] > 0
            and (audit := data["audits"][ref["id"]]).get("score") is not None
            and audit["score"] < 0.9
        ]
        for name in CATEGORIES
    }
    return {
        "scores": scores,
        "bytes": int(data["audits"]["total-byte-weight"]["numericValue"]),
        "images": sum(
            1
            for item in data["audits"].get("network-requests", {}).get("details", {}).get("items", [])
            if item.get("resourceType") == "Image"
        ),
        "failing": failing,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--preset", choices=("mobile", "desktop"), default="mobile")
    parser.add_argument("--pages", help="comma-separated page names to audit (default: all)")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    try:
        urlopen(f"{base}/livez", timeout=5)
    except (URLError, OSError):
        print(
            f"No ModelSnapper at {base}: start one with `make run` (PORT=… to choose), then run this again."
        )
        return

    lighthouse_installed()
    creator = signed_in_cookies(base, "demo1@example.com")
    business = signed_in_cookies(base, "demo2@example.com")
    post = first_with_picture(base, "/social/explore/", creator, r'href="(/social/p/[0-9a-f]{24}/)"')
    job = first_with_picture(
        base, "/generation/history/", creator, r'href="(/generation/jobs/[0-9a-f]{24}/)"'
    )
    pages = [
        ("landing (visitor)", "/", []),
        ("explore", "/social/explore/", creator),
        ("post", post, creator),
        ("generate", "/generate/", creator),
        ("job", job, creator),
        ("history", "/generation/history/", creator),
        ("pricing", "/billing/pricing/", creator),
        ("wallet", "/billing/wallet/", creator),
        ("marketplace", "/generation/marketplace/", business),
    ]
    wanted = set(args.pages.split(",")) if args.pages else None
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, {args.preset}, {base}")
    print(f"{'page':18} {'perf':>5} {'a11y':>5} {'best':>5} {'KB':>7} {'imgs':>5}  below 90 (by category)")
    below_goal = []
    for name, path, cookies in pages:
        if wanted and name.split(" ")[0] not in wanted:
            continue
        if path is None:
            print(f"{name:18} no such page in the demo data")
            continue
        result = audit(base + path, cookies, args.preset)
        scores = result["scores"]
        notes = "; ".join(
            f"{cat}: {', '.join(titles)}" for cat, titles in result["failing"].items() if titles
        )
        print(
            f"{name:18} {scores['performance']:>5} {scores['accessibility']:>5} {scores['best-practices']:>5} "
            f"{result['bytes'] // 1024:>7} {result['images']:>5}  {notes}"
        )
        below_goal += [
            f"{name} {cat} {scores[cat]} < {goal}" for cat, goal in GOALS.items() if scores[cat] < goal
        ]
    print("all pages meet the goals" if not below_goal else "below the goals: " + "; ".join(below_goal))


if __name__ == "__main__":
    main()
