"""Draw docs/workshop-kit.png, the README's picture of the workshop kit: the README's own kit (one
border crossing, e-TIR and two more lanes) built in a scratch directory, opened in headless
Chromium with e-TIR ticked, the page shot and reduced to a palette so it stays small.

    python docs/workshop_picture.py        # needs playwright and Debian's chromium
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "workshop"
OUT = ROOT / "docs" / "workshop-kit.png"


def main() -> int:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from corridor_sim.cli import main as cli

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print("needs Chromium (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        for name in ("border.yaml", "etir.yaml", "lanes.yaml"):
            shutil.copy(FIXTURES / name, where / name)
        page_file = where / "kit.html"
        if cli(["workshop", *(str(where / n) for n in ("border.yaml", "etir.yaml", "lanes.yaml")),
                "--workers", "1", "--quiet", "-o", str(page_file)]):
            return 1
        shot = where / "shot.png"
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=browser, args=["--no-sandbox"])
            page = chromium.new_page(viewport={"width": 1280, "height": 860})
            page.goto(page_file.as_uri())
            page.wait_for_selector("body[data-ready='1']")
            page.click("input[data-measure='etir']")
            page.screenshot(path=str(shot))
            chromium.close()
        image = Image.open(shot).convert("RGB").resize((960, 645), Image.Resampling.LANCZOS)
        image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(OUT, optimize=True)
    print(f"{OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
