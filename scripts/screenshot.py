"""Screenshot pages as a user sees them: `python scripts/screenshot.py BASE_URL USER OUT_DIR PATH...`.

Logs in with the demo password, then saves a phone (390 px) and a desktop (1280 px) PNG of each path.
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(base: str, username: str, out: str, *paths: str) -> None:
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 900})):
            page = browser.new_page(viewport=viewport)
            if username != "-":
                page.goto(base + "/login")
                page.fill("#username", username)
                page.fill("#password", "xiangban-demo")
                page.click("button[type=submit]")
            for path in paths:
                page.goto(base + path)
                slug = path.strip("/").replace("/", "_") or "home"
                page.screenshot(path=str(out_dir / f"{slug}-{name}.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
