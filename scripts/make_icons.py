"""Draw the app icons (PNG, no image library needed): the favicon's card on the accent colour.

Run once after changing the design: python scripts/make_icons.py
The artwork sits inside the central 80% so the same file works as a maskable icon.
"""

import struct
import zlib
from pathlib import Path

ACCENT = (0x33, 0x46, 0xC9)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parent.parent / "static" / "icons"


def _inside_card(x: float, y: float) -> bool:
    """The favicon's drawing on a 32-unit grid: a card outline and a line across it."""
    stroke = 1.25
    outline = 9 - stroke <= x <= 23 + stroke and 10 - stroke <= y <= 22 + stroke
    hollow = 9 + stroke < x < 23 - stroke and 10 + stroke < y < 22 - stroke
    line = 13 <= x <= 19 and 16 - stroke <= y <= 16 + stroke
    return (outline and not hollow) or line


def png(size: int) -> bytes:
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter: none
        for px in range(size):
            x, y = (px + 0.5) * 32 / size, (py + 0.5) * 32 / size
            row += bytes(WHITE if _inside_card(x, y) else ACCENT)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (180, 192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size))
