"""Byte-stable PDFs of any page count and (optionally) an exact size, for the 100-page / 32 MB probes.

reportlab draws the pages (`invariant=1` fixes the ID and dates; `pageCompression=0` keeps the content
streams independent of the zlib build). Size padding goes through pypdf as an embedded-file attachment:
the result stays a valid PDF with the same pages and text, and padding with zero bytes keeps it cheap at
tens of megabytes.
"""

from __future__ import annotations

import io

DEFAULT_TEXT = "respcheck test document"
PAD_NAME = "respcheck-padding.bin"


def _draw(pages: int, text: str) -> bytes:
    from reportlab.pdfgen import canvas

    if pages < 1:
        raise ValueError(f"a PDF needs at least one page, got {pages}")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(300, 200), invariant=1, pageCompression=0)
    c.setTitle("respcheck payload")
    c.setAuthor("respcheck")
    for i in range(1, pages + 1):
        c.setFont("Helvetica", 12)
        c.drawString(20, 120, text)
        c.drawString(20, 90, f"Page {i} of {pages}")
        c.showPage()
    c.save()
    return buf.getvalue()


def _with_attachment(base: bytes, pad_len: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base)))
    writer.add_attachment(PAD_NAME, bytes(pad_len))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf(pages: int = 1, text: str = DEFAULT_TEXT, pad_to_bytes: int | None = None) -> bytes:
    """A valid PDF with `pages` pages, each showing `text` and "Page i of N" (extractable by pypdf).

    With `pad_to_bytes`, the file is exactly that many bytes: an attachment of zeros is sized from a small
    probe build (the overhead only depends on how many digits the pad length has), so only one large
    build is made. Raises ValueError if the target is smaller than the unpadded document plus overhead.
    """
    base = _draw(pages, text)
    if pad_to_bytes is None:
        return base
    estimate = max(0, pad_to_bytes - len(base))
    for _ in range(4):
        digits = len(str(estimate))
        probe_len = 10 ** (digits - 1) if digits > 1 else 0
        overhead = len(_with_attachment(base, probe_len)) - probe_len
        pad_len = pad_to_bytes - overhead
        if pad_len < 0:
            raise ValueError(
                f"pdf: {pad_to_bytes} bytes is below the smallest padded {pages}-page PDF ({overhead} bytes)"
            )
        if len(str(pad_len)) == digits:
            break
        estimate = pad_len
    out = _with_attachment(base, pad_len)
    if len(out) != pad_to_bytes:  # pragma: no cover - would mean pypdf's layout depends on more than digits
        raise AssertionError(f"pdf padding produced {len(out)} bytes, wanted {pad_to_bytes}")
    return out
