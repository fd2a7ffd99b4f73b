"""The accessible palette of static/css/app.css: each Tabler colour, darkened until text in it is readable.

Run by hand (`python3 scripts/palette_contrast.py`): prints the `:root` custom properties app.css holds. Each
colour keeps Tabler's OKLCH hue and chroma (chroma reduced only to stay inside sRGB) and loses lightness until
its worst contrast ratio (WCAG 2.1 relative luminance) reaches TARGET in every place the app shows it as text:
on white, on the page background, on its own badge tint (.bg-X-lt: 10 % of the colour, alpha-blended), on its
alert tint (.alert-X: 16 %, mixed in OKLab), as a badge on a row tinted with another colour, and as the
lighter .btn-link (primary + 0.05 lightness). White text on the solid colour (buttons, .bg-X badges) follows.
"""

import math

TARGET = 4.6
STEP = 0.0025
# Tabler 1.6.1's light palette: name -> OKLCH lightness (%), chroma, hue. gray500 is .text-secondary's colour
# (app.css: --tblr-secondary and --tblr-muted).
TABLER = {
    "blue": (54.6, 0.1724, 254.2), "azure": (66.26, 0.1358, 246.81), "indigo": (55.66, 0.2082, 268.35),
    "purple": (57.83, 0.2186, 319.15), "pink": (58.81, 0.201, 5.25), "red": (58.29, 0.1941, 25.59),
    "orange": (68.51, 0.1954, 44.57), "yellow": (77.02, 0.1658, 71.02), "lime": (70.99, 0.1897, 131.53),
    "green": (67.38, 0.1885, 145.43), "teal": (64.32, 0.1338, 164.7), "cyan": (65.52, 0.1105, 212.17),
    "gray500": (55.55, 0.0, 0.0),
}


def oklab_to_linear(lightness, a, b):
    l_ = lightness + 0.3963377774 * a + 0.2158037573 * b
    m_ = lightness - 0.1055613458 * a - 0.0638541728 * b
    s_ = lightness - 0.0894841775 * a - 1.2914855480 * b
    cone_l, cone_m, cone_s = l_ ** 3, m_ ** 3, s_ ** 3
    return (4.0767416621 * cone_l - 3.3077115913 * cone_m + 0.2309699292 * cone_s,
            -1.2684380046 * cone_l + 2.6097574011 * cone_m - 0.3413193965 * cone_s,
            -0.0041960863 * cone_l - 0.7034186147 * cone_m + 1.7076147010 * cone_s)


def linear_to_oklab(r, g, b):
    cube = [math.copysign(abs(v) ** (1 / 3), v) for v in (
        0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
        0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
        0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)]
    l_, m_, s_ = cube
    return (0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
            1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
            0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_)


def encode(c):
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def decode(c):
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def oklch(lightness, chroma, hue):
    """Linear sRGB of an OKLCH colour, chroma reduced until it fits sRGB; and the chroma used."""
    while True:
        rgb = oklab_to_linear(lightness, chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue)))
        if all(-1e-6 <= c <= 1 + 1e-6 for c in rgb) or chroma <= 0:
            return tuple(min(1.0, max(0.0, c)) for c in rgb), chroma
        chroma -= 0.002


def ratio(a, b):
    la, lb = (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def blend(top, bottom, alpha):
    """`top` at `alpha` over `bottom`, as the browser composites (in encoded sRGB)."""
    return tuple(decode(alpha * encode(x) + (1 - alpha) * encode(y)) for x, y in zip(top, bottom, strict=True))


def mix_oklab(a, b, share):
    """color-mix(in oklab, a share, b)."""
    mixed = [share * x + (1 - share) * y for x, y in zip(linear_to_oklab(*a), linear_to_oklab(*b), strict=True)]
    return tuple(min(1.0, max(0.0, c)) for c in oklab_to_linear(*mixed))


WHITE = (1.0, 1.0, 1.0)
PAGE = oklch(0.9851, 0, 0)[0]  # Tabler's --tblr-body-bg
TINTED_ROW = blend(oklch(0.38, 0, 0)[0], WHITE, 0.1)  # 10 % of any palette colour (its luminance or less)


def worst_contrast(lightness, chroma, hue, link=False):
    colour, _ = oklch(lightness, chroma, hue)
    cases = [ratio(colour, WHITE), ratio(colour, PAGE), ratio(colour, blend(colour, WHITE, 0.1)),
             ratio(colour, blend(colour, PAGE, 0.1)), ratio(colour, mix_oklab(colour, WHITE, 0.16)),
             ratio(colour, blend(colour, TINTED_ROW, 0.1))]
    if link:
        cases.append(ratio(oklch(lightness + 0.05, chroma, hue)[0], WHITE))
    return min(cases)


def accessible(name):
    lightness, chroma, hue = TABLER[name]
    lightness /= 100
    while worst_contrast(lightness, chroma, hue, link=name == "blue") < TARGET:
        lightness -= STEP
    _, chroma = oklch(lightness, chroma, hue)
    return f"oklch({lightness * 100:.2f}% {chroma:.4f} {hue:g}deg)", worst_contrast(lightness, chroma, hue)


if __name__ == "__main__":
    for name, (lightness, chroma, hue) in TABLER.items():
        value, worst = accessible(name)
        tabler = f"oklch({lightness:g}% {chroma:g} {hue:g}deg)"
        print(f"  --tblr-{name}: light-dark({value}, {tabler});  /* {worst:.2f}:1 */")
