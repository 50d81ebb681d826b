"""Demo listing photos, drawn here (no downloads): a simple still life per category — a dress on a
hanger, a kimono, a denim jacket, a clasp bag, a mug, a teapot, a figure on its stand, pin badges,
tea leaves with their tin, a tie-dyed scarf — in the listing's colours, on a wall and a table.

Shapes are drawn on a 1000 × 1000 grid, twice the output size, then scaled down (smooth edges).
The second view of a listing is a closer look from a little to the side.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Sequence

from PIL import Image, ImageDraw

SIZE = 900
SUPERSAMPLE = 2
Point = tuple[float, float]
Color = tuple[int, int, int]


def _rgb(color: str) -> Color:
    value = color.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def shade(color: str | Color, factor: float) -> Color:
    """Darker below 1, lighter (towards white) above 1."""
    r, g, b = _rgb(color) if isinstance(color, str) else color
    if factor <= 1:
        return (int(r * factor), int(g * factor), int(b * factor))
    mix = min(factor - 1, 1)
    return (int(r + (255 - r) * mix), int(g + (255 - g) * mix), int(b + (255 - b) * mix))


class Canvas:
    """ImageDraw on a 1000-unit grid, with the view's zoom and shift applied."""

    def __init__(self, image: Image.Image, *, zoom: float = 1.0, shift: Point = (0, 0)) -> None:
        self.draw = ImageDraw.Draw(image)
        self.unit = image.width / 1000
        self.zoom = zoom
        self.shift = shift

    def p(self, x: float, y: float) -> Point:
        cx = 500 + (x - 500) * self.zoom + self.shift[0]
        cy = 560 + (y - 560) * self.zoom + self.shift[1]
        return (cx * self.unit, cy * self.unit)

    def w(self, width: float) -> int:
        return max(1, round(width * self.zoom * self.unit))

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        (a, b), (c, d) = self.p(x0, y0), self.p(x1, y1)
        return [min(a, c), min(b, d), max(a, c), max(b, d)]

    def ellipse(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        fill: Color | None = None,
        outline: Color | None = None,
        width: float = 0,
    ) -> None:
        self.draw.ellipse(self.box(x0, y0, x1, y1), fill=fill, outline=outline, width=self.w(width) if width else 0)

    def rect(self, x0: float, y0: float, x1: float, y1: float, fill: Color, radius: float = 0) -> None:
        self.draw.rounded_rectangle(self.box(x0, y0, x1, y1), radius=self.w(radius) if radius else 0, fill=fill)

    def polygon(self, points: Sequence[Point], fill: Color, outline: Color | None = None, width: float = 0) -> None:
        self.draw.polygon(
            [self.p(x, y) for x, y in points], fill=fill, outline=outline, width=self.w(width) if width else 0
        )

    def line(self, points: Sequence[Point], fill: Color, width: float) -> None:
        self.draw.line([self.p(x, y) for x, y in points], fill=fill, width=self.w(width), joint="curve")

    def arc(
        self, x0: float, y0: float, x1: float, y1: float, start: float, end: float, fill: Color, width: float
    ) -> None:
        self.draw.arc(self.box(x0, y0, x1, y1), start, end, fill=fill, width=self.w(width))


def _curve(points: Sequence[Point], steps: int = 12) -> list[Point]:
    """A smooth path through ``points`` (Catmull-Rom), for hems and bellies."""
    out: list[Point] = []
    padded = [points[0], *points, points[-1]]
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for step in range(steps):
            t = step / steps
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[k]
                        + (-p0[k] + p2[k]) * t
                        + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * t * t
                        + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * t * t * t
                    )
                    for k in (0, 1)
                )
            )
    out.append(points[-1])
    return out


# --- the objects -----------------------------------------------------------------------------


def _hanger(c: Canvas, top: float) -> None:
    metal = (150, 150, 155)
    c.arc(470, top - 70, 530, top - 10, 180, 40, metal, 8)
    c.line([(500, top - 12), (500, top)], metal, 8)
    c.line([(330, top + 60), (500, top), (670, top + 60)], (120, 86, 60), 14)


def dress(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    _hanger(c, 190)
    cloth, dark = _rgb(main), shade(main, 0.75)
    c.polygon([(430, 230), (470, 230), (500, 270), (530, 230), (570, 230), (600, 330), (400, 330)], cloth)
    c.polygon([(400, 330), (600, 330), (590, 470), (410, 470)], cloth)
    hem = _curve([(230, 860), (330, 885), (500, 900), (670, 885), (770, 860)])
    c.polygon([(410, 470), (590, 470), *reversed(hem)], cloth)
    c.rect(405, 462, 595, 486, dark, radius=6)
    for _ in range(70):  # the flower print
        x, y = rng.uniform(300, 700), rng.uniform(340, 860)
        if abs(x - 500) < (y - 250) * 0.48:
            r = rng.uniform(7, 12)
            c.ellipse(x - r, y - r, x + r, y + r, shade(light, 1.0))
            c.ellipse(x - r / 3, y - r / 3, x + r / 3, y + r / 3, (250, 220, 90))


def kimono(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    _hanger(c, 200)
    cloth, dark, white = _rgb(main), shade(main, 0.7), (245, 242, 235)
    c.polygon([(170, 270), (830, 270), (830, 560), (650, 560), (650, 880), (350, 880), (350, 560), (170, 560)], cloth)
    c.polygon([(440, 262), (500, 262), (560, 262), (520, 520), (480, 520)], dark)
    c.line([(445, 262), (500, 520), (555, 262)], white, 18)
    c.rect(350, 520, 650, 610, (196, 160, 60))
    c.line([(350, 565), (650, 565)], (150, 110, 40), 6)
    for _ in range(160):  # the small komon pattern
        x, y = rng.uniform(180, 820), rng.uniform(280, 870)
        inside = (270 < y < 555) or (355 < x < 645)
        if inside and not (350 < x < 650 and 515 < y < 615):
            c.ellipse(x - 5, y - 5, x + 5, y + 5, shade(light, 1.2))


def jacket(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    _hanger(c, 200)
    denim, dark, seam = _rgb(main), shade(main, 0.72), (214, 150, 60)
    c.polygon([(330, 260), (250, 320), (200, 760), (275, 770), (320, 420), (330, 420)], dark)
    c.polygon([(670, 260), (750, 320), (800, 760), (725, 770), (680, 420), (670, 420)], dark)
    c.polygon([(330, 260), (670, 260), (690, 800), (310, 800)], denim)
    c.polygon([(430, 255), (500, 330), (570, 255), (600, 300), (500, 420), (400, 300)], dark)
    c.line([(500, 420), (500, 800)], seam, 5)
    for y in (470, 560, 650, 740):
        c.ellipse(510, y - 12, 534, y + 12, (190, 190, 196))
    for x0 in (360, 560):
        c.rect(x0, 440, x0 + 90, 510, dark, radius=8)
        c.line([(x0, 515), (x0 + 90, 515)], seam, 4)
    c.rect(310, 760, 690, 800, dark)


def _table(c: Canvas, wall: Color) -> None:
    c.rect(-400, 640, 1400, 1400, shade(wall, 0.9))
    c.line([(-400, 640), (1400, 640)], shade(wall, 0.8), 4)


def _shadow(c: Canvas, x0: float, x1: float, y: float) -> None:
    c.ellipse(x0, y - 22, x1, y + 22, (170, 165, 160))


def bag(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    leather, dark, metal = _rgb(main), shade(main, 0.7), (205, 175, 95)
    _shadow(c, 300, 700, 800)
    c.arc(360, 230, 640, 560, 180, 360, dark, 22)
    belly = _curve([(330, 430), (300, 620), (360, 780), (500, 805), (640, 780), (700, 620), (670, 430)])
    c.polygon(belly, leather)
    c.rect(325, 410, 675, 450, metal, radius=12)
    for x in (470, 530):
        c.ellipse(x - 22, 372, x + 22, 416, metal)
    c.line([(360, 520), (640, 520)], dark, 4)


def mug(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    glaze, cream, dark = _rgb(main), (232, 222, 196), shade(main, 0.7)
    _shadow(c, 300, 720, 805)
    c.ellipse(590, 470, 730, 690, None, outline=cream, width=34)
    c.rect(340, 420, 620, 800, cream, radius=24)
    c.polygon(_curve([(340, 420), (340, 560), (400, 600), (470, 560), (540, 620), (620, 560), (620, 420)]), glaze)
    c.ellipse(340, 390, 620, 450, shade(main, 0.9))
    c.ellipse(358, 398, 602, 442, dark)


def teapot(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    clay, dark, hi = _rgb(main), shade(main, 0.7), shade(main, 1.25)
    _shadow(c, 280, 740, 800)
    c.polygon([(330, 560), (200, 420), (180, 430), (300, 640)], clay)
    c.ellipse(560, 430, 760, 690, None, outline=clay, width=36)
    c.ellipse(290, 420, 710, 800, clay)
    c.ellipse(360, 470, 450, 560, hi)
    c.ellipse(400, 395, 600, 450, dark)
    c.ellipse(470, 350, 530, 410, clay)


def figure(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    hair, skin, dress_color = _rgb(main), (250, 224, 205), (60, 60, 70)
    c.ellipse(340, 770, 660, 830, (40, 40, 50))
    c.polygon([(330, 300), (290, 700), (360, 700), (400, 330)], hair)
    c.polygon([(670, 300), (710, 700), (640, 700), (600, 330)], hair)
    c.rect(470, 620, 490, 790, skin)
    c.rect(510, 620, 530, 790, skin)
    c.polygon([(440, 440), (560, 440), (600, 640), (400, 640)], dress_color)
    c.line([(500, 450), (500, 540)], hair, 14)
    c.ellipse(400, 230, 600, 440, skin)
    c.polygon([(395, 320), (420, 220), (580, 220), (605, 320), (560, 270), (440, 270)], hair)
    for x in (455, 545):
        c.ellipse(x - 16, 330, x + 16, 372, hair)


def badges(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    colors = [_rgb(main), shade(main, 1.4), (230, 80, 60), (250, 200, 60), (60, 150, 220), (80, 180, 110)]
    spots = [(300, 600), (500, 570), (700, 600), (390, 780), (610, 780)]
    invader = ["..X.....X..", "...X...X...", "..XXXXXXX..", ".XX.XXX.XX.", "XXXXXXXXXXX", "X.XXXXXXX.X", "X.X.....X.X"]
    for (x, y), color in zip(spots, colors, strict=False):
        _shadow(c, x - 95, x + 105, y + 90)
        c.ellipse(x - 100, y - 100, x + 100, y + 100, (200, 200, 205))
        c.ellipse(x - 88, y - 88, x + 88, y + 88, color)
        cell = 11
        for row, pattern in enumerate(invader):
            for col, mark in enumerate(pattern):
                if mark == "X":
                    cx, cy = x - 60 + col * cell, y - 40 + row * cell
                    c.rect(cx, cy, cx + cell, cy + cell, (250, 250, 250))


def tea(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    leaf, dark, tin = _rgb(main), shade(main, 0.7), (180, 60, 50)
    _shadow(c, 520, 800, 800)
    c.rect(560, 420, 760, 800, tin, radius=10)
    c.ellipse(560, 395, 760, 445, shade(tin, 1.2))
    c.rect(590, 540, 730, 680, (245, 235, 210))
    c.polygon(_curve([(660, 660), (615, 610), (660, 560), (705, 610), (660, 660)], 6), leaf)
    c.line([(660, 655), (660, 570)], dark, 4)
    _shadow(c, 180, 540, 810)
    c.polygon(_curve([(190, 640), (230, 760), (360, 810), (490, 760), (530, 640)]), (240, 238, 230))
    for _ in range(60):
        x, y = rng.uniform(220, 500), rng.uniform(600, 650)
        angle = rng.uniform(0, math.pi)
        dx, dy = 26 * math.cos(angle), 10 * math.sin(angle)
        c.polygon(
            [(x - dx, y - dy), (x + dy, y - dx / 3), (x + dx, y + dy), (x - dy, y + dx / 3)], rng.choice((leaf, dark))
        )
    c.ellipse(190, 615, 530, 665, None, outline=(220, 216, 205), width=6)


def scarf(c: Canvas, main: str, light: str, rng: random.Random) -> None:
    indigo, white = _rgb(main), (236, 240, 248)
    _shadow(c, 180, 820, 800)
    top = _curve([(170, 470), (330, 430), (500, 470), (670, 430), (830, 470)])
    bottom = _curve([(170, 780), (330, 740), (500, 780), (670, 740), (830, 780)])
    c.polygon([*top, *reversed(bottom)], indigo)
    for x, y in ((300, 600), (500, 620), (700, 600)):
        for r, color in ((90, white), (70, indigo), (45, white), (25, indigo)):
            c.ellipse(x - r, y - r * 0.7, x + r, y + r * 0.7, color)
    for x in range(180, 830, 22):
        c.line([(x, 780 + 10 * math.sin(x / 40)), (x + 4, 820)], indigo, 5)


DRAWINGS: dict[str, Callable[[Canvas, str, str, random.Random], None]] = {
    "dresses": dress,
    "kimono": kimono,
    "jackets-coats": jacket,
    "bags": bag,
    "ceramics": mug,
    "tea-ware": teapot,
    "figures": figure,
    "anime-goods": badges,
    "tea": tea,
    "textile-crafts": scarf,
}
HANGING = {"dresses", "kimono", "jackets-coats"}


def still_life(category: str, palette: tuple[str, str], *, view: int = 0, seed: int = 0) -> io.BytesIO:
    """A PNG of the category's object in ``palette`` (main, light); ``view`` 1 is a closer look."""
    main, light = palette
    side = SIZE * SUPERSAMPLE
    wall = _rgb(light) if view == 0 else shade(light, 0.94)
    image = Image.new("RGB", (side, side), wall)
    canvas = Canvas(image, zoom=1.0 if view == 0 else 1.3, shift=(0, 0) if view == 0 else (-70, -40))
    if category not in HANGING:
        _table(canvas, wall)
    draw = DRAWINGS.get(category)
    rng = random.Random(seed)  # noqa: S311  # nosec B311  # demo pictures, not secrets
    if draw is None:
        for _ in range(3):
            x, y, r = rng.randint(250, 750), rng.randint(250, 750), rng.randint(90, 200)
            canvas.ellipse(x - r, y - r, x + r, y + r, _rgb(main))
    else:
        draw(canvas, main, light, rng)
    out = io.BytesIO()
    image.reduce(SUPERSAMPLE).save(out, "PNG", compress_level=1)
    out.seek(0)
    return out


def frayed_cuff() -> io.BytesIO:
    """A close-up of a worn denim cuff with the hole circled: a buyer's evidence in a dispute."""
    image = Image.new("RGB", (800, 600), "#d9dee8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 140, 680, 460), fill="#3f51b5", outline="#283593", width=8)
    for x in range(140, 680, 24):
        draw.line((x, 440, x + 10, 470), fill="#c5cae9", width=4)
    draw.ellipse((470, 300, 560, 370), fill="#e8eaf6", outline="#9fa8da", width=4)
    draw.ellipse((450, 280, 580, 390), outline="#b71c1c", width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return out
