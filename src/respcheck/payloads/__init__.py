"""Byte-stable images and PDFs for the limit probes (100 images / 50 MB, 100 pages / 32 MB).

Every generator is a pure function of its arguments: the same call gives the same bytes on every run and
machine (pinned sha256 values in tests/payloads catch a library upgrade that changes them). Heavy libraries
(pillow, reportlab, pypdf, hypothesis) are imported inside the functions so that importing this package is
cheap for `respcheck serve`.
"""

from respcheck.payloads.images import (
    SUPPORTED_IMAGE_MIMES,
    bmp,
    corrupt,
    data_uri,
    gif,
    jpeg,
    png,
    sized_png,
    tiff,
    webp,
)
from respcheck.payloads.pdfs import pdf

__all__ = [
    "SUPPORTED_IMAGE_MIMES",
    "bmp",
    "corrupt",
    "data_uri",
    "gif",
    "jpeg",
    "pdf",
    "png",
    "sized_png",
    "tiff",
    "webp",
]
