"""Stand-ins for news photographs and portraits, drawn with Pillow.

Nothing is downloaded: each lead picture is a simple scene (a skyline, a
harbour, a podium, a map, a press table, a chip wafer, a platform,
greenhouses) drawn from a seed, so every story gets its own, with soft
shading, a little depth blur, grain and a vignette to read as a photograph
rather than a graphic. Each drawing returns the alt text that describes what
is in it and a short caption.
"""

import functools
import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

SIZE = (1600, 900)
PORTRAIT_SIZE = (480, 480)
QUALITY = 80

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Drawing:
    jpeg: bytes
    alt: str
    caption: str


# Helpers ---------------------------------------------------------------------


def rgb(value: str) -> Colour:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def shade(colour: Colour, factor: float) -> Colour:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)


def vertical_gradient(size, stops: list[tuple[float, Colour]]) -> Image.Image:
    """A top-to-bottom gradient through ``stops`` ((position 0..1, colour))."""
    width, height = size
    column = Image.new("RGB", (1, height))
    pixels = []
    for y in range(height):
        t = y / max(1, height - 1)
        for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
            if p0 <= t <= p1:
                pixels.append(mix(c0, c1, (t - p0) / max(1e-6, p1 - p0)))
                break
        else:
            pixels.append(stops[-1][1])
    column.putdata(pixels)
    return column.resize(size, Image.Resampling.NEAREST)


def glow(image: Image.Image, centre, radius: int, colour: Colour, strength=0.8):
    """A soft round light (sun, lamp, spotlight) added onto ``image``."""
    mask = ImageChops.invert(Image.radial_gradient("L")).resize(
        (radius * 2, radius * 2), Image.Resampling.BILINEAR
    )
    mask = mask.point(lambda v: round(strength * 255 * (v / 255) ** 2.2))
    light = Image.new("RGB", mask.size, colour)
    x, y = centre
    image.paste(light, (round(x - radius), round(y - radius)), mask)


def layer(size=SIZE) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A transparent layer to draw a plane of the scene on."""
    canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    return canvas, ImageDraw.Draw(canvas)


def add_layer(image: Image.Image, canvas: Image.Image, blur: float = 0) -> None:
    """Put a drawn plane onto the picture, out of focus by ``blur``.

    Blurred at half size, and only where something is drawn: a full-size
    blur per plane would be most of the drawing time.
    """
    box = canvas.getbbox()
    if box is None:
        return
    if blur:
        pad = round(blur * 3) + 2
        left, top = max(0, box[0] - pad) // 2 * 2, max(0, box[1] - pad) // 2 * 2
        right = min(canvas.width, box[2] + pad)
        bottom = min(canvas.height, box[3] + pad)
        right, bottom = left + (right - left) // 2 * 2, top + (bottom - top) // 2 * 2
        part = canvas.crop((left, top, right, bottom))
        small = part.reduce(2).filter(ImageFilter.GaussianBlur(blur / 2))
        part = small.resize(part.size, Image.Resampling.BILINEAR)
        image.paste(part, (left, top), part)
        return
    part = canvas.crop(box)
    image.paste(part, box[:2], part)


@functools.cache
def _vignette(size) -> Image.Image:
    return (
        Image.radial_gradient("L")
        .resize(size)
        .point(lambda v: max(0, min(255, round((v - 120) * 0.9))))
    )


@functools.cache
def _grain(sigma: float) -> Image.Image:
    """Film grain at half size, made once and reused (cropped) per picture."""
    width, height = SIZE
    return Image.effect_noise((width // 2 + 64, height // 2 + 64), sigma)


def finish(image: Image.Image, rng: random.Random, grain: float = 3.5) -> bytes:
    """Lens softness, film grain and a vignette, then JPEG bytes."""
    width, height = image.size
    # Grain made at half size and enlarged: softer, and cheaper to encode.
    dx, dy = rng.randrange(64), rng.randrange(64)
    noise = (
        _grain(grain)
        .crop((dx, dy, dx + width // 2, dy + height // 2))
        .resize(image.size, Image.Resampling.BILINEAR)
    )
    image = ImageChops.add(image, Image.merge("RGB", [noise] * 3), 1.0, -128)
    image = Image.composite(
        Image.new("RGB", image.size, (8, 8, 12)), image, _vignette(image.size)
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


SKIES = {
    # time of day: gradient stops from the top of the frame to the horizon
    "dusk": [
        (0, rgb("#1c2546")),
        (0.5, rgb("#6d4a7c")),
        (0.82, rgb("#d9785c")),
        (1, rgb("#f0b27a")),
    ],
    "dawn": [
        (0, rgb("#34476b")),
        (0.55, rgb("#8f9bb8")),
        (0.85, rgb("#e8c3a4")),
        (1, rgb("#f5dcbc")),
    ],
    "night": [
        (0, rgb("#060914")),
        (0.6, rgb("#141b38")),
        (1, rgb("#34395f")),
    ],
    "overcast": [
        (0, rgb("#737b86")),
        (0.6, rgb("#a2a8b0")),
        (1, rgb("#c9cbce")),
    ],
    "day": [
        (0, rgb("#4f7db3")),
        (0.7, rgb("#9cbfdf")),
        (1, rgb("#d7e4ee")),
    ],
}
SKY_WORDS = {
    "dusk": "an orange and violet dusk sky",
    "dawn": "a pale dawn sky",
    "night": "a dark night sky",
    "overcast": "a grey overcast sky",
    "day": "a clear blue sky",
}


def sky(rng: random.Random, horizon: int, when: str) -> Image.Image:
    width, height = SIZE
    stops = [(p * horizon / height, c) for p, c in SKIES[when]]
    stops.append((1, SKIES[when][-1][1]))
    image = vertical_gradient(SIZE, stops)
    if when in ("dusk", "dawn"):
        sun = (
            rng.randrange(width // 5, width * 4 // 5),
            horizon - rng.randrange(0, 60),
        )
        glow(image, sun, rng.randrange(260, 420), rgb("#ffd9a0"), 0.75)
        glow(image, sun, 38, rgb("#fff1d6"), 0.95)
    elif when == "night":
        draw = ImageDraw.Draw(image)
        for _ in range(70):
            x, y = rng.randrange(width), rng.randrange(horizon * 2 // 3)
            v = rng.randrange(90, 200)
            draw.point((x, y), fill=(v, v, v + 20))
    return image


# Scenes ----------------------------------------------------------------------


def skyline(rng: random.Random) -> tuple[Image.Image, str, str]:
    width, height = SIZE
    when = rng.choice(["dusk", "night", "dawn", "overcast", "dusk", "night"])
    horizon = rng.randrange(560, 660)
    image = sky(rng, horizon, when)
    haze = SKIES[when][-1][1]
    far, draw = layer()
    x = -20
    while x < width:
        w, h = rng.randrange(50, 130), rng.randrange(90, 260)
        draw.rectangle(
            (x, horizon - h, x + w, horizon + 10),
            fill=(*mix(haze, (40, 44, 60), 0.45), 255),
        )
        x += w + rng.randrange(-10, 12)
    add_layer(image, far, blur=2.5)
    tower = when != "overcast" and rng.random() < 0.6
    if tower:
        hill, draw = layer()
        cx = rng.randrange(width // 6, width * 5 // 6)
        draw.ellipse(
            (cx - 420, horizon - 170, cx + 420, horizon + 200),
            fill=(*mix(haze, (30, 32, 45), 0.7), 255),
        )
        draw.rectangle(
            (cx - 7, horizon - 420, cx + 7, horizon - 150),
            fill=(*mix(haze, (30, 32, 45), 0.75), 255),
        )
        draw.ellipse(
            (cx - 34, horizon - 360, cx + 34, horizon - 320),
            fill=(*mix(haze, (30, 32, 45), 0.75), 255),
        )
        draw.line(
            (cx, horizon - 420, cx, horizon - 500),
            fill=(*mix(haze, (30, 32, 45), 0.75), 255),
            width=4,
        )
        add_layer(image, hill, blur=1.5)
    near, draw = layer()
    dark = (18, 20, 30) if when != "overcast" else (62, 66, 74)
    lit = {"night": 0.45, "dusk": 0.3, "dawn": 0.12, "overcast": 0.04}[when]
    x = -30
    while x < width:
        w, h = rng.randrange(90, 210), rng.randrange(150, 430)
        top = horizon + 60 - h
        draw.rectangle((x, top, x + w, height), fill=(*dark, 255))
        if rng.random() < 0.3:
            draw.rectangle(
                (x + w // 3, top - 40, x + w // 3 + 10, top), fill=(*dark, 255)
            )
        for wy in range(top + 14, height - 20, 22):
            for wx in range(x + 10, x + w - 14, 20):
                if rng.random() < lit:
                    warm = mix(rgb("#ffd58a"), rgb("#fff3d0"), rng.random())
                    draw.rectangle(
                        (wx, wy, wx + 9, wy + 12),
                        fill=(*shade(warm, rng.uniform(0.7, 1)), 255),
                    )
        x += w + rng.randrange(4, 30)
    add_layer(image, near)
    towers = "a broadcast tower on a hill behind " if tower else ""
    alt = (
        f"Drawing of a city skyline in silhouette under {SKY_WORDS[when]}, with "
        f"{towers}office and apartment blocks"
        + (", some windows lit." if lit > 0.1 else ".")
    )
    caption = {
        "dusk": "The city at dusk.",
        "night": "Lights in the city after dark.",
        "dawn": "Early morning over the city.",
        "overcast": "A grey day over the city.",
    }[when]
    return image, alt, caption


def harbour(rng: random.Random, option: str = "") -> tuple[Image.Image, str, str]:
    """A container port, or (``option`` "bay") a bay with fishing boats."""
    width, height = SIZE
    when = rng.choice(["dusk", "dawn", "overcast", "day"])
    horizon = rng.randrange(470, 540)
    image = sky(rng, horizon, when)
    haze = SKIES[when][-1][1]
    # Hills across the water, then the sea.
    hills, draw = layer()
    points = [(0, horizon)]
    for x in range(0, width + 80, 80):
        points.append(
            (
                x,
                horizon
                - 40
                - 50 * math.sin(x / 260 + rng.random())
                - rng.randrange(0, 30),
            )
        )
    points.append((width, horizon))
    draw.polygon(points, fill=(*mix(haze, (60, 70, 80), 0.35), 255))
    add_layer(image, hills, blur=3)
    sea_top = mix(haze, rgb("#2b4a63"), 0.45)
    sea = vertical_gradient(
        (width, height - horizon), [(0, sea_top), (1, rgb("#142636"))]
    )
    image.paste(sea, (0, horizon))
    draw = ImageDraw.Draw(image)
    for _ in range(260):
        y = rng.randrange(horizon + 4, height)
        x = rng.randrange(width)
        length = rng.randrange(20, 120) * (y - horizon) // 200 + 10
        draw.line(
            (x, y, x + length, y),
            fill=mix(sea_top, haze, rng.uniform(0.3, 0.8)),
            width=2,
        )
    cranes = {"bay": 0, "port": rng.choice([3, 4, 5])}.get(
        option, rng.choice([0, 3, 4, 5])
    )
    quay = horizon + rng.randrange(40, 70)
    port, draw = layer()
    metal = (28, 30, 36, 255) if when != "day" else (*rgb("#8a3b2f"), 255)
    if cranes:
        draw.rectangle((0, quay - 14, width, quay + 26), fill=(40, 42, 48, 255))
        palette = ["#8c3b30", "#2f5d7c", "#4d6b3c", "#b0722f", "#6b6f75", "#7a2e42"]
        for x in range(0, width, 62):
            stack = rng.randrange(1, 5)
            for level in range(stack):
                colour = rgb(rng.choice(palette))
                top = quay - 14 - (level + 1) * 30
                draw.rectangle((x, top, x + 58, top + 28), fill=(*colour, 255))
                draw.line(
                    (x, top + 14, x + 58, top + 14),
                    fill=(*shade(colour, 0.75), 255),
                    width=1,
                )
        for i in range(cranes):
            cx = round((i + 0.6) * width / (cranes + 0.4)) + rng.randrange(-40, 40)
            top = quay - rng.randrange(300, 360)
            for leg in (-70, 70):
                draw.polygon(
                    [
                        (cx + leg - 8, quay),
                        (cx + leg + 8, quay),
                        (cx + leg // 3 + 5, top),
                        (cx + leg // 3 - 5, top),
                    ],
                    fill=metal,
                )
            draw.rectangle((cx - 60, top - 10, cx + 60, top + 14), fill=metal)
            draw.rectangle((cx - 150, top - 30, cx + 260, top - 16), fill=metal)
            draw.line((cx, top - 120, cx - 150, top - 24), fill=metal, width=4)
            draw.line((cx, top - 120, cx + 260, top - 24), fill=metal, width=4)
            draw.rectangle((cx - 6, top - 120, cx + 6, top - 10), fill=metal)
            draw.line((cx + 180, top - 16, cx + 180, top + 140), fill=metal, width=2)
    ship_x = rng.randrange(width // 8, width // 2)
    hull = (30, 33, 40, 255)
    if cranes:
        draw.polygon(
            [
                (ship_x, quay + 40),
                (ship_x + 620, quay + 40),
                (ship_x + 580, quay + 95),
                (ship_x + 30, quay + 95),
            ],
            fill=hull,
        )
        draw.rectangle((ship_x + 500, quay - 40, ship_x + 570, quay + 40), fill=hull)
        for x in range(ship_x + 30, ship_x + 480, 50):
            for level in range(rng.randrange(1, 4)):
                draw.rectangle(
                    (x, quay + 12 - level * 26, x + 46, quay + 36 - level * 26),
                    fill=(*rgb(rng.choice(["#6d3a33", "#35546b", "#586040"])), 255),
                )
        alt = (
            f"Drawing of a container port under {SKY_WORDS[when]}: {cranes} "
            "gantry cranes over stacked containers on the quay and a loaded "
            "cargo ship on the water."
        )
        caption = "Container cranes on the quay of a cargo port."
    else:
        boats = rng.randrange(3, 6)
        for _ in range(boats):
            bx, by = (
                rng.randrange(80, width - 300),
                rng.randrange(horizon + 60, height - 120),
            )
            scale = 0.5 + (by - horizon) / 400
            bw = round(180 * scale)
            draw.polygon(
                [
                    (bx, by),
                    (bx + bw, by),
                    (bx + bw - 20, by + round(30 * scale)),
                    (bx + 15, by + round(30 * scale)),
                ],
                fill=hull,
            )
            draw.rectangle(
                (bx + bw // 3, by - round(45 * scale), bx + bw // 2, by),
                fill=(210, 210, 205, 255),
            )
            draw.line(
                (bx + bw // 2 + 20, by, bx + bw // 2 + 20, by - round(110 * scale)),
                fill=hull,
                width=3,
            )
        for _ in range(rng.randrange(3, 6)):
            px, py = (
                rng.randrange(100, width - 200),
                rng.randrange(horizon + 30, horizon + 160),
            )
            draw.ellipse(
                (px, py, px + 150, py + 28), outline=(190, 185, 170, 255), width=5
            )
        alt = (
            f"Drawing of a quiet bay under {SKY_WORDS[when]}: {boats} small "
            "fishing boats and round floating fish-farm pens on the water, "
            "hills behind."
        )
        caption = "Fishing boats and fish-farm pens in a southern bay."
    add_layer(image, port)
    # The port mirrored in the water, dark and blurred.
    mirror = port.crop((0, quay - 400, width, quay + 20)).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM
    )
    alpha = mirror.getchannel("A").point(lambda v: v * 35 // 100)
    mirror.putalpha(alpha)
    mirror = (
        mirror.reduce(2)
        .filter(ImageFilter.GaussianBlur(2.5))
        .resize(mirror.size, Image.Resampling.BILINEAR)
    )
    image.paste(mirror, (0, quay + 26), mirror)
    return image, alt, caption


FLAG_COLOURS = [
    ("white", "#f2f0ea"),
    ("blue", "#2c4f8c"),
    ("red", "#a3282c"),
    ("green", "#2f6b45"),
    ("gold", "#c79a2d"),
    ("sky-blue", "#5f9ecf"),
]


def _flag(draw, rng, x: int, top: int, colour: Colour, band: Colour | None):
    """A flag hanging from its pole in folds, and the pole with its finial."""
    draw.rectangle((x - 5, top - 20, x + 5, 760), fill=(176, 150, 88, 255))
    draw.ellipse((x - 13, top - 44, x + 13, top - 18), fill=(205, 176, 98, 255))
    length, cloth = 340, 120
    for i in range(cloth):
        light = 0.78 + 0.22 * math.sin(i / 9 + rng.random() * 0.2)
        c = shade(colour, light)
        sway = round(6 * math.sin(i / 14))
        draw.line(
            (x + 6 + i, top + abs(sway), x + 6 + i // 2, top + length + sway),
            fill=(*c, 255),
            width=2,
        )
        if band is not None and 40 <= i < 80:
            draw.line(
                (x + 6 + i, top + abs(sway), x + 6 + i // 2, top + length + sway),
                fill=(*shade(band, light), 255),
                width=2,
            )


def podium(rng: random.Random, option: str = "") -> tuple[Image.Image, str, str]:
    """A lectern before flags; ``option`` is their number (else drawn)."""
    width, height = SIZE
    curtain = rgb(rng.choice(["#1f3559", "#2a2f45", "#3a2433", "#1f4048"]))
    folds = Image.new("L", (width, 1))
    phase = rng.random() * 6
    folds.putdata(
        [
            round(150 + 80 * math.sin(x / 38 + phase) + 25 * math.sin(x / 11))
            for x in range(width)
        ]
    )
    folds = folds.resize(SIZE)
    image = Image.composite(
        Image.new("RGB", SIZE, shade(curtain, 1.25)),
        Image.new("RGB", SIZE, shade(curtain, 0.55)),
        folds,
    )
    centre = width // 2 + rng.randrange(-160, 160)
    glow(image, (centre, 380), 520, shade(curtain, 2.2), 0.55)
    back, draw = layer()
    count = int(option) if option else rng.choice([2, 2, 3, 4])
    chosen = rng.sample(FLAG_COLOURS, k=min(count, len(FLAG_COLOURS)))
    while len(chosen) < count:
        chosen.append(rng.choice(FLAG_COLOURS))
    spacing = 150 if count > 3 else 260
    start = centre - spacing * (count - 1) // 2 - (0 if count > 3 else 0)
    names = []
    for i, (name, colour) in enumerate(chosen):
        x = start + i * spacing
        if count <= 3 and abs(x - centre) < 150:
            x += 220 if x >= centre else -220
        band = rgb(rng.choice(FLAG_COLOURS)[1]) if rng.random() < 0.4 else None
        _flag(draw, rng, x, 170, rgb(colour), band)
        names.append(name)
    add_layer(image, back, blur=2)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 760, width, height), fill=shade(curtain, 0.35))
    front, draw = layer()
    wood = rgb(rng.choice(["#6b4a2f", "#7a5a3a", "#3d3a3a"]))
    draw.polygon(
        [
            (centre - 170, 470),
            (centre + 170, 470),
            (centre + 140, 860),
            (centre - 140, 860),
        ],
        fill=(*wood, 255),
    )
    draw.polygon(
        [
            (centre - 190, 450),
            (centre + 190, 450),
            (centre + 170, 480),
            (centre - 170, 480),
        ],
        fill=(*shade(wood, 1.3), 255),
    )
    draw.polygon(
        [
            (centre - 120, 520),
            (centre + 120, 520),
            (centre + 105, 800),
            (centre - 105, 800),
        ],
        fill=(*shade(wood, 0.8), 255),
    )
    draw.ellipse(
        (centre - 52, 600, centre + 52, 704), outline=(200, 172, 100, 255), width=6
    )
    draw.ellipse((centre - 30, 622, centre + 30, 682), fill=(*shade(wood, 0.65), 255))
    for side in (-1, 1):
        draw.line(
            (centre + side * 40, 452, centre + side * 70, 350, centre + side * 60, 325),
            fill=(25, 25, 28, 255),
            width=6,
            joint="curve",
        )
        draw.ellipse(
            (centre + side * 60 - 12, 300, centre + side * 60 + 12, 335),
            fill=(20, 20, 22, 255),
        )
    add_layer(image, front)
    glow(image, (centre, 470), 260, (255, 240, 215), 0.18)
    colours = (
        ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    )
    alt = (
        "Drawing of an empty wooden lectern with two microphones on a stage, "
        f"{count} flags in plain {colours} on poles behind it against a "
        "pleated curtain, lit by a spotlight."
    )
    caption = "The lectern before a joint statement."
    if count == 7:
        caption = "Seven flags behind the lectern before the statement."
    return image, alt, caption


def _coast(rng: random.Random, cx, cy, radius, points=90) -> list[tuple[int, int]]:
    phases = [rng.random() * 6.3 for _ in range(4)]
    shape = []
    for i in range(points):
        a = i / points * math.tau
        r = radius * (
            1
            + 0.22 * math.sin(2 * a + phases[0])
            + 0.12 * math.sin(5 * a + phases[1])
            + 0.05 * math.sin(11 * a + phases[2])
            + 0.03 * math.sin(23 * a + phases[3])
        )
        shape.append((round(cx + r * math.cos(a)), round(cy + r * 0.8 * math.sin(a))))
    return shape


def route_map(rng: random.Random) -> tuple[Image.Image, str, str]:
    width, height = SIZE
    sea = rgb(rng.choice(["#a8c5d6", "#9fbccc", "#b4ccd4"]))
    image = vertical_gradient(SIZE, [(0, shade(sea, 1.05)), (1, shade(sea, 0.9))])
    land_colour = rgb(rng.choice(["#d8d0b0", "#c9d2ad", "#d9cdb4"]))
    lands = []
    for _ in range(rng.choice([2, 3])):
        lands.append(
            _coast(
                rng,
                rng.randrange(100, width - 100),
                rng.randrange(100, height - 100),
                rng.randrange(180, 380),
            )
        )
    shadow, draw = layer()
    for land in lands:
        draw.polygon([(x + 10, y + 12) for x, y in land], fill=(40, 60, 70, 110))
    add_layer(image, shadow, blur=8)
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 160):
        draw.line((x, 0, x, height), fill=shade(sea, 1.12), width=1)
    for y in range(0, height, 160):
        draw.line((0, y, width, y), fill=shade(sea, 1.12), width=1)
    for land in lands:
        draw.polygon(land, fill=land_colour, outline=shade(land_colour, 0.7))
        cx = sum(x for x, _ in land) / len(land)
        cy = sum(y for _, y in land) / len(land)
        for step in (0.75, 0.5, 0.28):
            ring = [
                (round(cx + (x - cx) * step), round(cy + (y - cy) * step))
                for x, y in land
            ]
            draw.line(
                [*ring, ring[0]], fill=shade(land_colour, 0.9 - step * 0.05), width=2
            )
    start = (rng.randrange(120, width // 3), rng.randrange(120, height - 120))
    end = (rng.randrange(width * 2 // 3, width - 120), rng.randrange(120, height - 120))
    bend = (rng.randrange(width // 3, width * 2 // 3), rng.choice([80, height - 80]))
    route = []
    for i in range(61):
        t = i / 60
        route.append(
            (
                (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * bend[0] + t * t * end[0],
                (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * bend[1] + t * t * end[1],
            )
        )
    red = rgb("#b3262e")
    for i in range(0, 60, 2):
        draw.line((route[i], route[i + 1]), fill=red, width=7)
    (x0, y0), (x1, y1) = route[-3], route[-1]
    angle = math.atan2(y1 - y0, x1 - x0)
    tip = (x1 + 14 * math.cos(angle), y1 + 14 * math.sin(angle))
    draw.polygon(
        [
            tip,
            (x1 + 22 * math.cos(angle + 2.4), y1 + 22 * math.sin(angle + 2.4)),
            (x1 + 22 * math.cos(angle - 2.4), y1 + 22 * math.sin(angle - 2.4)),
        ],
        fill=red,
    )
    for x, y in (start, end):
        draw.ellipse(
            (x - 16, y - 16, x + 16, y + 16), fill=(250, 250, 246), outline=red, width=6
        )
    glow(image, (width // 2, height // 2), 700, (255, 250, 235), 0.25)
    alt = (
        f"Drawing of a map: {len(lands)} stretches of coastline in muted colours "
        "on a blue sea with grid lines, and a dashed red line curving from one "
        "marked point to another."
    )
    return image, alt, "A route across the sea, drawn on a map."


def press_table(rng: random.Random) -> tuple[Image.Image, str, str]:
    width, height = SIZE
    wall = rgb(rng.choice(["#2d4a6e", "#36414f", "#2f5a5a", "#4a3b5c"]))
    image = vertical_gradient(
        SIZE, [(0, shade(wall, 0.7)), (0.6, wall), (1, shade(wall, 0.5))]
    )
    back, draw = layer()
    draw.rectangle((140, 90, width - 140, 470), fill=(*shade(wall, 1.35), 255))
    for x in range(220, width - 200, 240):
        for y in (150, 330):
            draw.ellipse(
                (x, y, x + 70, y + 70), outline=(*shade(wall, 1.7), 255), width=5
            )
            draw.rectangle(
                (x + 90, y + 24, x + 190, y + 44), fill=(*shade(wall, 1.6), 255)
            )
    seats = rng.randrange(3, 6)
    gap = (width - 400) // seats
    for i in range(seats):
        x = 200 + i * gap + gap // 2
        draw.rounded_rectangle(
            (x - 80, 330, x + 80, 600), radius=40, fill=(24, 24, 28, 255)
        )
    add_layer(image, back, blur=3)
    glow(image, (width // 2, 260), 620, (255, 244, 225), 0.22)
    table, draw = layer()
    cloth = rgb(rng.choice(["#efece4", "#e6e8ea", "#2c3e5c"]))
    draw.rectangle((80, 560, width - 80, height), fill=(*cloth, 255))
    draw.rectangle((80, 540, width - 80, 575), fill=(*shade(cloth, 1.05), 255))
    for x in range(100, width - 80, 46):
        draw.line(
            (x, 580, x + rng.randrange(-6, 6), height),
            fill=(*shade(cloth, 0.9), 255),
            width=3,
        )
    for i in range(seats):
        x = 200 + i * gap + gap // 2
        draw.rectangle(
            (x - 70, 490, x + 20, 545),
            fill=(246, 245, 240, 255),
            outline=(150, 150, 150, 255),
        )
        draw.rectangle((x - 55, 510, x + 5, 522), fill=(120, 120, 124, 255))
        draw.line((x + 50, 545, x + 10, 440), fill=(30, 30, 32, 255), width=5)
        draw.ellipse((x - 4, 420, x + 22, 452), fill=(18, 18, 20, 255))
        draw.rectangle((x + 60, 470, x + 84, 545), fill=(150, 190, 215, 200))
        draw.rectangle((x + 64, 460, x + 80, 472), fill=(40, 90, 160, 255))
    add_layer(image, table)
    heads, draw = layer()
    for _ in range(rng.randrange(4, 7)):
        x = rng.randrange(-50, width)
        draw.ellipse((x, 760, x + 230, 1060), fill=(14, 14, 18, 255))
        draw.rounded_rectangle(
            (x - 80, 860, x + 320, 1200), radius=90, fill=(14, 14, 18, 255)
        )
    if rng.random() < 0.6:
        x = rng.randrange(200, width - 400)
        draw.rectangle((x, 700, x + 220, 850), fill=(10, 10, 12, 255))
        draw.ellipse((x + 150, 730, x + 260, 840), fill=(30, 30, 36, 255))
    add_layer(image, heads, blur=9)
    alt = (
        f"Drawing of a press conference: a long table with {seats} microphones, "
        "name cards and water bottles in front of a backdrop panel, the heads "
        "of reporters out of focus in the foreground."
    )
    return image, alt, "Officials' seats before a news conference."


def wafer(rng: random.Random) -> tuple[Image.Image, str, str]:
    width, height = SIZE
    image = vertical_gradient(
        SIZE, [(0, rgb("#0b0f17")), (0.6, rgb("#1a2130")), (1, rgb("#2a3142"))]
    )
    cx, cy = width // 2 + rng.randrange(-200, 200), 470 + rng.randrange(-40, 40)
    rx, ry = 500, 340
    mask = Image.new("L", SIZE, 0)
    ImageDraw.Draw(mask).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
    hues = rng.choice(
        [
            ["#2b6f8f", "#6d4c9f", "#c58b3a"],
            ["#3a8f7a", "#2d5fa0", "#9a4f8f"],
            ["#8a6d3b", "#3f7f9f", "#5d3f8f"],
        ]
    )
    sheen = vertical_gradient(
        SIZE, [(0, rgb(hues[0])), (0.5, rgb(hues[1])), (1, rgb(hues[2]))]
    )
    sheen = sheen.rotate(
        rng.randrange(20, 70),
        resample=Image.Resampling.BILINEAR,
        expand=False,
        fillcolor=rgb(hues[1]),
    )
    shadow, draw = layer()
    draw.ellipse(
        (cx - rx + 20, cy - ry + 40, cx + rx + 20, cy + ry + 40), fill=(0, 0, 0, 160)
    )
    add_layer(image, shadow, blur=18)
    image.paste(sheen, (0, 0), mask)
    grid, draw = layer()
    step = rng.choice([34, 42, 50])
    for x in range(cx - rx, cx + rx, step):
        draw.line((x, cy - ry, x, cy + ry), fill=(15, 18, 26, 170), width=3)
    for y in range(cy - ry, cy + ry, round(step * ry / rx)):
        draw.line((cx - rx, y, cx + rx, y), fill=(15, 18, 26, 170), width=3)
    grid.putalpha(ImageChops.multiply(grid.getchannel("A"), mask))
    add_layer(image, grid)
    draw = ImageDraw.Draw(image)
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=(190, 195, 205), width=4)
    draw.rectangle((cx - 40, cy + ry - 6, cx + 40, cy + ry + 4), fill=rgb("#1a2130"))
    glow(image, (cx - rx // 3, cy - ry // 3), 300, (255, 255, 255), 0.45)
    alt = (
        "Drawing of a silicon wafer on a dark laboratory bench, its grid of chips "
        "catching a coloured sheen under the light."
    )
    return image, alt, "A wafer of chips, before it is cut."


def platform(rng: random.Random) -> tuple[Image.Image, str, str]:
    width, height = SIZE
    vx, vy = width // 2 + rng.randrange(-120, 120), 400
    image = vertical_gradient(
        SIZE, [(0, rgb("#23262d")), (0.45, rgb("#3a3f47")), (1, rgb("#5b5e63"))]
    )
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [(0, height), (width, height), (vx + 40, vy), (vx - 40, vy)],
        fill=rgb("#6e6f70"),
    )
    draw.polygon(
        [(0, 0), (width, 0), (vx + 40, vy - 60), (vx - 40, vy - 60)],
        fill=rgb("#1d2026"),
    )
    draw.polygon(
        [(0, 0), (0, height), (vx - 40, vy), (vx - 40, vy - 60)], fill=rgb("#2c3a4a")
    )
    draw.line((vx - 20, vy, 380, height), fill=rgb("#e0b534"), width=14)

    def side(t: float, y_near: float, y_far: float) -> tuple[float, float]:
        """A point on the train's side, ``t`` of the way to the vanishing point."""
        return ((vx - 60) * t, y_near + (y_far - y_near) * t)

    body = rgb(rng.choice(["#9aa3ab", "#b5b9bc", "#8c959f"]))
    draw.polygon(
        [
            side(0, 90, vy - 50),
            side(1, 90, vy - 50),
            side(1, 880, vy - 4),
            side(0, 880, vy - 4),
        ],
        fill=body,
    )
    stripe = rgb(rng.choice(["#2f6db5", "#3a9a58", "#c0392b", "#d4862a"]))
    draw.polygon(
        [
            side(0, 700, vy - 14),
            side(1, 700, vy - 14),
            side(1, 740, vy - 11),
            side(0, 740, vy - 11),
        ],
        fill=stripe,
    )
    for i in range(12):
        t0, t1 = 1 - 0.86**i, 1 - 0.86 ** (i + 0.7)
        window = [
            side(t0, 230, vy - 40),
            side(t1, 230, vy - 40),
            side(t1, 520, vy - 25),
            side(t0, 520, vy - 25),
        ]
        draw.polygon(window, fill=mix(rgb("#fbe7b5"), rgb("#fff8e6"), rng.random()))
    for i in range(1, 9):
        t = 1 - 0.82**i
        x0 = (vx - 40) * t
        y_top = (vy - 60) * t
        y_bottom = height + (vy - height) * t
        draw.line(
            (
                x0,
                y_top + (y_bottom - y_top) * 0.25,
                x0,
                y_top + (y_bottom - y_top) * 0.6,
            ),
            fill=rgb("#f2e2b8"),
            width=max(2, round(18 * (1 - t))),
        )
        lamp_y = (vy - 60) * t
        lamp_x = vx + (width - vx) * (1 - t) * 0.1
        w = round(180 * (1 - t)) + 6
        glow(image, (lamp_x, lamp_y + 10), w, (255, 240, 210), 0.5)
        draw.rectangle(
            (lamp_x - w / 2, lamp_y, lamp_x + w / 2, lamp_y + max(3, w // 12)),
            fill=rgb("#fff6e0"),
        )
    people, draw = layer()
    for _ in range(rng.randrange(3, 7)):
        t = rng.uniform(0.2, 0.75)
        x = width * 0.62 + (vx - width * 0.62) * t + rng.randrange(-60, 360) * (1 - t)
        foot = height + (vy - height) * t
        tall = 560 * (1 - t)
        coat = (
            *mix((22, 22, 26), rgb(rng.choice(["#4a3b35", "#2f3b4f", "#3c4a3c"])), 0.6),
            255,
        )
        draw.ellipse(
            (x - tall * 0.075, foot - tall, x + tall * 0.075, foot - tall * 0.83),
            fill=(28, 24, 22, 255),
        )
        draw.rounded_rectangle(
            (x - tall * 0.14, foot - tall * 0.84, x + tall * 0.14, foot - tall * 0.38),
            radius=max(2, round(tall * 0.06)),
            fill=coat,
        )
        draw.rectangle(
            (x - tall * 0.1, foot - tall * 0.4, x + tall * 0.1, foot),
            fill=(20, 20, 24, 255),
        )
    add_layer(image, people, blur=2)
    alt = (
        "Drawing of an underground station platform late at night: a lit train "
        "along the left, a yellow safety line, ceiling lamps receding and a few "
        "passengers waiting."
    )
    return image, alt, "A late train at a city platform."


def greenhouses(rng: random.Random) -> tuple[Image.Image, str, str]:
    width, height = SIZE
    when = rng.choice(["day", "overcast", "dawn"])
    horizon = 430
    image = sky(rng, horizon, when)
    haze = SKIES[when][-1][1]
    hills, draw = layer()
    for depth, colour in (
        (0, mix(haze, rgb("#5f7463"), 0.5)),
        (1, mix(haze, rgb("#4d6a43"), 0.8)),
    ):
        points = [(0, height)]
        base = horizon + depth * 40
        phase = rng.random() * 6
        for x in range(0, width + 40, 40):
            points.append(
                (x, base - 60 * math.sin(x / (300 - depth * 90) + phase) - 30)
            )
        points.append((width, height))
        draw.polygon(points, fill=(*colour, 255))
    add_layer(image, hills, blur=2)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, width, height), fill=rgb("#6b7a4a"))
    rows = rng.randrange(4, 7)
    houses, draw = layer()
    for row in range(rows):
        y = 590 + row * (300 // rows) + row * row * 6
        w = 110 + row * 45
        draw.rectangle((0, y - 4, width, y + 10 + row * 3), fill=(88, 98, 62, 255))
        offset = rng.randrange(0, w)
        for x in range(-offset, width, w + 30 + row * 12):
            tall = w * 0.45
            draw.chord(
                (x, y - tall, x + w, y + tall),
                180,
                360,
                fill=(232, 236, 232, 235),
                outline=(168, 176, 178, 255),
                width=2,
            )
            draw.chord(
                (x + w * 0.3, y - tall * 0.55, x + w * 0.7, y + tall * 0.55),
                180,
                360,
                fill=(120, 128, 110, 255),
            )
            for rib in (0.18, 0.82):
                draw.line(
                    (x + w * rib, y - tall * 0.55, x + w * rib, y),
                    fill=(178, 186, 186, 220),
                    width=2,
                )
    add_layer(image, houses)
    alt = (
        f"Drawing of farmland under {SKY_WORDS[when]}: {rows} rows of arched "
        "plastic greenhouses in the fields, wooded hills behind."
    )
    return image, alt, "Rows of greenhouses in farm country."


SCENES: dict[str, Callable[[random.Random], tuple[Image.Image, str, str]]] = {
    "skyline": skyline,
    "harbour": harbour,
    "podium": podium,
    "map": route_map,
    "press": press_table,
    "wafer": wafer,
    "platform": platform,
    "greenhouses": greenhouses,
}


@functools.cache
def draw_scene(scene: str, seed: str) -> Drawing:
    """One lead picture: ``scene`` drawn from ``seed`` (the same seed, the
    same picture, so a process draws it once). ``scene`` may carry an option
    after a colon: ``"podium:2"`` (two flags), ``"harbour:bay"``."""
    rng = random.Random(seed)
    name, _, option = scene.partition(":")
    draw = SCENES[name]
    image, alt, caption = draw(rng, option) if option else draw(rng)
    return Drawing(jpeg=finish(image, rng), alt=alt, caption=caption)


# Portraits -------------------------------------------------------------------

MUTED = ["#5b6c7d", "#6d5f73", "#56705f", "#7a6452", "#4f6275", "#6f5a5a", "#5f6b52"]


def initials(name: str) -> str:
    words = name.replace("-", " ").split()
    return (words[0][0] + words[-1][0]).upper() if len(words) > 1 else name[:2].upper()


@functools.cache
def draw_portrait(name: str, seed: str) -> bytes:
    """A monogram placeholder for an author's photo: initials on a muted
    colour, softly lit; JPEG bytes."""
    rng = random.Random(seed)
    base = rgb(rng.choice(MUTED))
    image = vertical_gradient(
        PORTRAIT_SIZE, [(0, shade(base, 1.15)), (1, shade(base, 0.8))]
    )
    glow(image, (180, 150), 300, shade(base, 1.6), 0.35)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=180)
    text = initials(name)
    draw.text((243, 246), text, font=font, anchor="mm", fill=shade(base, 0.6))
    draw.text((240, 240), text, font=font, anchor="mm", fill=(245, 242, 236))
    draw.line((150, 360, 330, 360), fill=(245, 242, 236), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=QUALITY, optimize=True)
    return buffer.getvalue()
