"""Images from respcheck.payloads are byte-stable and are what they claim to be."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys

import pytest
from PIL import Image

from respcheck.payloads import images

# Computed once (pillow 13.0.0). A change here means a library upgrade changed the bytes we send:
# recorded cassettes (matched on body) and reported sha256s would no longer line up.
PINNED = {
    "png": "e004290d53eef5a97f16a1c612e71172c3a6a11fe27facb0cce11d9d55d1667f",
    "jpeg": "ff9d16591b8b76e2d6daad97e94037f7fd363b1ed4669e6fec735f10ec3c42d5",
    "webp": "c5f6ee5ca53192d3f69f0b94e332c869b5abb7f18ce3e51a79107221dcfa0552",
    "gif": "f3c5c05ac47ec3a63833f52d985fbeca08adb32be77e1fde914645f3fa32b44e",
    "gif_animated": "9ec5c4cb2878b7376ff4339e7680dfe792c953c431450f18854f0d433478d30b",
    "bmp": "5dbc7eebb92a6adf76e4df7c529a313bfa538ff4d99b163bfdef0fc765d1a0e2",
    "tiff": "278a00bd8c6785b86090da1a02dad0e56ca3e67c645a6610f28f3906ad71b4a2",
    "sized_png_4096": "c0715474fc08a9a3f5bf0a81a202a61cc76addde7da9b2a2b19fd89f2795c0cb",
}

MAKERS = {
    "png": lambda: images.png(),
    "jpeg": lambda: images.jpeg(),
    "webp": lambda: images.webp(),
    "gif": lambda: images.gif(),
    "gif_animated": lambda: images.gif(animated=True, frames=3),
    "bmp": lambda: images.bmp(),
    "tiff": lambda: images.tiff(),
    "sized_png_4096": lambda: images.sized_png(4096),
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_pinned_sha256(name):
    first, second = MAKERS[name](), MAKERS[name]()
    assert sha(first) == sha(second), "two calls in one process differ"
    assert sha(first) == PINNED[name], f"{name} bytes changed (library upgrade?)"


def test_stable_across_processes():
    """A fresh interpreter with another hash seed makes the same bytes (no dict-order or seed leaks)."""
    code = (
        "import hashlib; from respcheck.payloads import images as I;"
        "print(hashlib.sha256(I.png(5, 7, seed=3) + I.gif(True, 3) + I.jpeg(seed=2)).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == sha(images.png(5, 7, seed=3) + images.gif(True, 3) + images.jpeg(seed=2))


def test_seeds_and_sizes_change_bytes():
    assert images.png(seed=0) != images.png(seed=1)
    assert images.png(8, 8) != images.png(9, 8)


@pytest.mark.parametrize(
    ("data", "fmt", "mime"),
    [
        (images.png(12, 10), "PNG", "image/png"),
        (images.jpeg(12, 10), "JPEG", "image/jpeg"),
        (images.webp(12, 10), "WEBP", "image/webp"),
        (images.gif(False, width=12, height=10), "GIF", "image/gif"),
        (images.bmp(12, 10), "BMP", "image/bmp"),
        (images.tiff(12, 10), "TIFF", "image/tiff"),
    ],
)
def test_each_image_is_what_it_claims(data, fmt, mime):
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == fmt
        assert im.size == (12, 10)
        assert Image.MIME[im.format] == mime
        im.load()


@pytest.mark.parametrize("frames", [2, 3, 5])
def test_animated_gif_frame_count(frames):
    with Image.open(io.BytesIO(images.gif(animated=True, frames=frames))) as im:
        assert im.is_animated
        assert im.n_frames == frames


def test_still_gif_is_not_animated():
    with Image.open(io.BytesIO(images.gif(animated=False))) as im:
        assert not getattr(im, "is_animated", False)
        assert im.n_frames == 1


def test_animated_gif_needs_two_frames():
    with pytest.raises(ValueError):
        images.gif(animated=True, frames=1)


@pytest.mark.parametrize("kind", images.CORRUPT_KINDS)
def test_corrupt_images_do_not_decode(kind):
    data = images.corrupt(kind)
    with pytest.raises(Exception):  # noqa: B017 - pillow raises several types; any failure is the point
        with Image.open(io.BytesIO(data)) as im:
            im.load()


def test_corrupt_png_garbage_keeps_the_png_magic():
    assert images.corrupt("png_garbage").startswith(b"\x89PNG\r\n\x1a\n")
    assert images.png().startswith(images.corrupt("truncated_png")[:16])


def test_unknown_corrupt_kind():
    with pytest.raises(ValueError, match="unknown corrupt kind"):
        images.corrupt("nope")


@pytest.mark.parametrize("n", [300, 4096, 1_000_001])
def test_sized_png_exact_and_valid(n):
    data = images.sized_png(n)
    assert len(data) == n
    with Image.open(io.BytesIO(data)) as im:
        im.verify()  # walks every chunk and checks CRCs, padding included
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        assert im.size == (8, 8)


def test_sized_png_near_50_mib_is_exact():
    n = 50 * 1024 * 1024 - 1
    data = images.sized_png(n)
    assert len(data) == n
    assert data.find(images.PAD_CHUNK, 0, 400) != -1  # the padding chunk sits right after the pixel data
    assert data.endswith(b"IEND\xaeB`\x82")
    with Image.open(io.BytesIO(data)) as im:
        im.verify()


def test_sized_png_too_small():
    with pytest.raises(ValueError, match="below the smallest"):
        images.sized_png(10)


def test_data_uri_round_trip():
    import base64

    uri = images.data_uri(images.png(), "image/png")
    head, payload = uri.split(",", 1)
    assert head == "data:image/png;base64"
    assert base64.b64decode(payload) == images.png()


def test_make_dispatch():
    assert images.make("png") == images.png()
    assert images.make("gif_animated") == images.gif(animated=True)
    assert images.make("corrupt:empty") == b""
    assert len(images.make("png", size=5000)) == 5000
    with pytest.raises(ValueError):
        images.make("svg")
