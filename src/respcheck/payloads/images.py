"""Byte-stable test images: every supported type, the unsupported ones, corrupt ones and exact-size ones.

Why these choices: the limit probes must send the *same* bytes on every machine so that recorded cassettes
match on body and a report can cite the sha256 of what was sent. Pixels come from SHAKE-256 of the
arguments (not `random`, whose streams are an implementation detail); PNG is written with
`compress_level=0` so the output does not depend on which zlib build (zlib or zlib-ng) pillow links; the
GIF is built directly in palette mode so no quantizer version can change it; WebP is lossless.
"""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import zlib

SUPPORTED_IMAGE_MIMES: tuple[str, ...] = ("image/png", "image/jpeg", "image/webp", "image/gif")
"""The types the docs list for image input (GIF only when not animated)."""

UNSUPPORTED_IMAGE_MIMES: tuple[str, ...] = ("image/bmp", "image/tiff")

CORRUPT_KINDS: tuple[str, ...] = ("truncated_png", "png_garbage", "jpeg_garbage", "empty", "text")
"""Kinds accepted by `corrupt()`: each is something the service must refuse as unreadable."""

PAD_CHUNK = b"rcPd"
"""Private, ancillary, safe-to-copy PNG chunk type that `sized_png` pads with (decoders skip it)."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _pixels(width: int, height: int, seed: int, channels: int = 3, salt: str = "") -> bytes:
    """Deterministic pseudo-random pixel bytes (stable across Python versions and platforms)."""
    if width < 1 or height < 1:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    key = f"respcheck-pixels:{salt}:{seed}:{width}x{height}x{channels}".encode()
    return hashlib.shake_256(key).digest(width * height * channels)


def _rgb(width: int, height: int, seed: int, salt: str = ""):
    from PIL import Image

    return Image.frombytes("RGB", (width, height), _pixels(width, height, seed, 3, salt))


def _save(img, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def png(width: int = 8, height: int = 8, seed: int = 0) -> bytes:
    """A valid RGB PNG (uncompressed deflate, so independent of the zlib build)."""
    return _save(_rgb(width, height, seed, "png"), "PNG", compress_level=0)


def jpeg(width: int = 8, height: int = 8, seed: int = 0, quality: int = 90) -> bytes:
    """A valid baseline JPEG without EXIF or JFIF timestamps."""
    return _save(_rgb(width, height, seed, "jpeg"), "JPEG", quality=quality, optimize=False, progressive=False)


def webp(width: int = 8, height: int = 8, seed: int = 0) -> bytes:
    """A valid lossless WebP (lossless: no encoder tuning can change the pixels)."""
    return _save(_rgb(width, height, seed, "webp"), "WEBP", lossless=True, quality=100, method=0, exact=True)


def _palette(seed: int) -> list[int]:
    return list(hashlib.shake_256(f"respcheck-palette:{seed}".encode()).digest(256 * 3))


def gif(animated: bool = False, frames: int = 2, width: int = 8, height: int = 8, seed: int = 0) -> bytes:
    """A GIF: one frame when `animated` is False, else `frames` distinct frames (looping).

    Frames differ on purpose: pillow merges identical consecutive frames, which would silently turn an
    "animated" probe into a still image.
    """
    from PIL import Image

    if animated and frames < 2:
        raise ValueError("an animated GIF needs at least 2 frames")
    count = frames if animated else 1
    palette = _palette(seed)
    images = []
    for i in range(count):
        frame = Image.frombytes("P", (width, height), _pixels(width, height, seed, 1, f"gif{i}"))
        frame.putpalette(palette)
        images.append(frame)
    if count == 1:
        return _save(images[0], "GIF")
    return _save(images[0], "GIF", save_all=True, append_images=images[1:], duration=100, loop=0, disposal=1)


def bmp(width: int = 8, height: int = 8, seed: int = 0) -> bytes:
    """A valid BMP: a real image of a type the docs do not list (must be refused)."""
    return _save(_rgb(width, height, seed, "bmp"), "BMP")


def tiff(width: int = 8, height: int = 8, seed: int = 0) -> bytes:
    """A valid uncompressed TIFF: a real image of a type the docs do not list (must be refused)."""
    return _save(_rgb(width, height, seed, "tiff"), "TIFF", compression="raw")


def corrupt(kind: str = "truncated_png") -> bytes:
    """Bytes that claim to be an image but cannot be decoded (see `CORRUPT_KINDS`)."""
    if kind == "truncated_png":
        whole = png(16, 16, seed=7)
        return whole[: len(whole) // 2]
    if kind == "png_garbage":
        return _PNG_SIGNATURE + hashlib.shake_256(b"respcheck-garbage:png").digest(256)
    if kind == "jpeg_garbage":
        return b"\xff\xd8\xff\xe0" + hashlib.shake_256(b"respcheck-garbage:jpeg").digest(256)
    if kind == "empty":
        return b""
    if kind == "text":
        return b"this is not an image\n"
    raise ValueError(f"unknown corrupt kind {kind!r}; expected one of {', '.join(CORRUPT_KINDS)}")


def _chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(ctype)))


def sized_png(n_bytes: int, width: int = 8, height: int = 8, seed: int = 0) -> bytes:
    """A valid PNG of exactly `n_bytes`, padded with a private ancillary chunk before IEND.

    Cheap even near 50 MB: the padding is zero bytes and only its CRC is computed. Decoders skip the chunk,
    so the image still opens and verifies; only its size changes.
    """
    base = png(width, height, seed)
    iend = base.rindex(b"IEND") - 4  # the IEND chunk starts with its 4-byte length
    overhead = 12  # length + type + crc
    smallest = len(base) + overhead
    if n_bytes < smallest:
        raise ValueError(f"sized_png: {n_bytes} bytes is below the smallest padded PNG ({smallest} bytes)")
    pad = bytes(n_bytes - smallest)
    out = b"".join((base[:iend], _chunk(PAD_CHUNK, pad), base[iend:]))
    assert len(out) == n_bytes
    return out


def data_uri(data: bytes, mime: str) -> str:
    """`data:<mime>;base64,<...>` as the docs show for `image_url` and `file_data`."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


IMAGE_KINDS: dict[str, str] = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "gif_animated": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
}
"""Kind name -> the MIME type its bytes really are (used by strategies and probes)."""


def make(kind: str, seed: int = 0, size: int | None = None) -> bytes:
    """One image of `kind` (see `IMAGE_KINDS`, or `corrupt:<kind>`); `size` pads a PNG to exactly that."""
    if kind.startswith("corrupt:"):
        return corrupt(kind.split(":", 1)[1])
    if size is not None:
        if kind != "png":
            raise ValueError("only png images can be padded to a size")
        return sized_png(size, seed=seed)
    makers = {
        "png": lambda: png(seed=seed),
        "jpeg": lambda: jpeg(seed=seed),
        "webp": lambda: webp(seed=seed),
        "gif": lambda: gif(animated=False, seed=seed),
        "gif_animated": lambda: gif(animated=True, seed=seed),
        "bmp": lambda: bmp(seed=seed),
        "tiff": lambda: tiff(seed=seed),
    }
    if kind not in makers:
        raise ValueError(f"unknown image kind {kind!r}; expected one of {', '.join(IMAGE_KINDS)}")
    return makers[kind]()
