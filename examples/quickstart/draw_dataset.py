#!/usr/bin/env python3
"""Draws the quickstart dataset: eight small pictures of "lathecat", a cartoon cat face.

The PNGs in dataset/10_lathecat/ were made with this script (Python 3 standard library only) and
are committed; run it again to re-create them byte for byte:

    python3 examples/quickstart/draw_dataset.py

Each picture is a flat drawing (head, ears, eyes, nose, whiskers) varied in size, position,
background and details, and each has a Danbooru-style caption file beside it.
"""
import math
import os
import struct
import zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dataset", "10_lathecat")
SUPERSAMPLE = 4  # samples per pixel along each axis, for smooth edges

ORANGE = (235, 140, 52)
DARK_ORANGE = (190, 95, 30)
GREEN = (60, 170, 80)
PINK = (240, 150, 170)
BLACK = (30, 30, 30)
WHITE = (250, 250, 250)


def cat(cx, cy, r, eyes="open", collar=None, bow=None, stripes=False):
    """Shapes (inside-test, colour) of a cat face centred at (cx, cy) with head radius r, back to front."""
    shapes = []

    def circle(x, y, rad, colour):
        shapes.append((lambda px, py: (px - x) ** 2 + (py - y) ** 2 <= rad * rad, colour))

    def triangle(a, b, c, colour):
        def inside(px, py):
            def side(p, q):
                return (q[0] - p[0]) * (py - p[1]) - (q[1] - p[1]) * (px - p[0])
            d1, d2, d3 = side(a, b), side(b, c), side(c, a)
            return (d1 >= 0 and d2 >= 0 and d3 >= 0) or (d1 <= 0 and d2 <= 0 and d3 <= 0)
        shapes.append((inside, colour))

    def line(a, b, width, colour):
        def inside(px, py):
            ax, ay = a
            bx, by = b
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
            return (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2 <= (width / 2) ** 2
        shapes.append((inside, colour))

    for side in (-1, 1):  # ears
        triangle((cx + side * 0.95 * r, cy - 0.2 * r), (cx + side * 0.75 * r, cy - 1.25 * r),
                 (cx + side * 0.15 * r, cy - 0.85 * r), ORANGE)
        triangle((cx + side * 0.78 * r, cy - 0.45 * r), (cx + side * 0.70 * r, cy - 1.0 * r),
                 (cx + side * 0.35 * r, cy - 0.80 * r), PINK)
    circle(cx, cy, r, ORANGE)
    if collar:
        line((cx - 0.5 * r, cy + 0.86 * r), (cx + 0.5 * r, cy + 0.86 * r), 0.2 * r, collar)
        circle(cx, cy + 1.02 * r, 0.14 * r, (240, 200, 40))
    if stripes:
        for dx in (-0.3, 0.0, 0.3):
            line((cx + dx * r, cy - 0.95 * r), (cx + dx * 0.8 * r, cy - 0.55 * r), 0.12 * r, DARK_ORANGE)
    for side in (-1, 1):  # eyes
        ex, ey = cx + side * 0.38 * r, cy - 0.1 * r
        if eyes == "open":
            circle(ex, ey, 0.2 * r, WHITE)
            circle(ex, ey, 0.15 * r, GREEN)
            circle(ex, ey, 0.07 * r, BLACK)
        else:
            line((ex - 0.18 * r, ey), (ex + 0.18 * r, ey), 0.07 * r, BLACK)
    triangle((cx - 0.1 * r, cy + 0.15 * r), (cx + 0.1 * r, cy + 0.15 * r), (cx, cy + 0.28 * r), PINK)
    for side in (-1, 1):  # whiskers
        for dy in (-0.06, 0.08):
            line((cx + side * 0.2 * r, cy + 0.3 * r + dy * r), (cx + side * 0.95 * r, cy + 0.25 * r + 2 * dy * r),
                 0.035 * r, BLACK)
    if bow:
        triangle((cx + 0.45 * r, cy - 0.95 * r), (cx + 0.8 * r, cy - 1.15 * r), (cx + 0.8 * r, cy - 0.75 * r), bow)
        triangle((cx + 0.45 * r, cy - 0.95 * r), (cx + 0.1 * r, cy - 1.15 * r), (cx + 0.1 * r, cy - 0.75 * r), bow)
    return shapes


def render(width, height, background, shapes):
    rows = []
    n = SUPERSAMPLE
    for y in range(height):
        row = bytearray()
        for x in range(width):
            total = [0, 0, 0]
            for sy in range(n):
                for sx in range(n):
                    px, py = x + (sx + 0.5) / n, y + (sy + 0.5) / n
                    colour = background
                    for inside, c in shapes:
                        if inside(px, py):
                            colour = c
                    for i in range(3):
                        total[i] += colour[i]
            row.extend(round(t / (n * n)) for t in total)
        rows.append(bytes(row))
    return rows


def write_png(path, width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 (none) on every row
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


PICTURES = [
    # name, width, height, background, cat arguments, caption
    ("01", 64, 64, WHITE, dict(cx=32, cy=36, r=20),
     "lathecat, cat, orange fur, green eyes, white background, looking at viewer"),
    ("02", 80, 80, (120, 170, 230), dict(cx=40, cy=44, r=16),
     "lathecat, cat, orange fur, green eyes, blue background, looking at viewer, small"),
    ("03", 96, 96, (110, 190, 100), dict(cx=34, cy=40, r=22),
     "lathecat, cat, orange fur, green eyes, green background, grass"),
    ("04", 64, 80, WHITE, dict(cx=32, cy=36, r=19, collar=(210, 40, 40)),
     "lathecat, cat, orange fur, green eyes, red collar, bell, white background"),
    ("05", 80, 64, (245, 220, 90), dict(cx=44, cy=36, r=18, eyes="closed"),
     "lathecat, cat, orange fur, closed eyes, sleeping, yellow background"),
    ("06", 96, 96, (150, 150, 150), dict(cx=48, cy=54, r=36),
     "lathecat, cat, orange fur, green eyes, grey background, close up"),
    ("07", 72, 72, (245, 190, 210), dict(cx=36, cy=40, r=20, bow=(60, 90, 220)),
     "lathecat, cat, orange fur, green eyes, blue bow, pink background"),
    ("08", 88, 88, WHITE, dict(cx=46, cy=48, r=26, stripes=True),
     "lathecat, cat, orange fur, striped fur, green eyes, white background"),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, width, height, background, args, caption in PICTURES:
        rows = render(width, height, background, cat(**args))
        write_png(os.path.join(OUT, "lathecat_" + name + ".png"), width, height, rows)
        with open(os.path.join(OUT, "lathecat_" + name + ".txt"), "w", encoding="utf-8") as f:
            f.write(caption + "\n")


if __name__ == "__main__":
    main()
