"""Draw the web-app icons (static/img/pwa/*.png) from the mark of static/img/logo.svg: two interlocking rings,
red and amber, on white. Run once after changing the mark: `.venv/bin/python scripts/draw_pwa_icons.py`.

The maskable icon keeps the rings inside the central 80 % circle that every launcher mask leaves visible.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "img" / "pwa"
RED, AMBER, WHITE = (214, 57, 57, 255), (245, 159, 0, 255), (255, 255, 255, 255)
SUPERSAMPLE = 4  # drawn large and scaled down: smooth edges without an anti-aliasing renderer


def draw(size, mark_share):
    """The mark (the logo's 64-unit box) fills `mark_share` of an opaque white square of `size` pixels."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), WHITE)
    pen = ImageDraw.Draw(image)
    unit = big * mark_share / 64
    offset = (big - 64 * unit) / 2
    for cx, colour in ((24, RED), (40, AMBER)):
        x, y, r = offset + cx * unit, offset + 32 * unit, 18 * unit
        pen.ellipse((x - r, y - r, x + r, y + r), outline=colour, width=round(6 * unit))
    return image.resize((size, size), Image.LANCZOS)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    draw(192, 1.0).save(OUT / "icon-192.png", optimize=True)
    draw(512, 1.0).save(OUT / "icon-512.png", optimize=True)
    # At 0.7 the rings reach at most 32 % of the side from the centre: inside the safe circle (radius 40 %).
    draw(512, 0.7).save(OUT / "icon-maskable-512.png", optimize=True)
    draw(180, 0.9).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
