"""PDFs from respcheck.payloads are byte-stable, have the pages they claim and the exact padded size."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from respcheck.payloads import pdfs

# Computed once (reportlab 5.1.0, pypdf 7.1.0); a change means an upgrade changed the bytes.
PINNED = {
    "pdf_1": "f669369941a1fcaef2de0e2db2715061165d8c1878be73f0851d53abb6c91ced",
    "pdf_3_pad": "ba7fdb7474b5cb14b989ab26a6a7c371b825aa642665b4c7386cf76aa7033a9c",
}
MiB = 1024 * 1024


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def test_pinned():
    assert sha(pdfs.pdf()) == sha(pdfs.pdf()) == PINNED["pdf_1"]
    assert sha(pdfs.pdf(3, pad_to_bytes=100_000)) == PINNED["pdf_3_pad"]


@pytest.mark.parametrize("pages", [1, 2, 100, 101])
def test_page_count_and_text(pages):
    reader = PdfReader(io.BytesIO(pdfs.pdf(pages, text="hello respcheck")))
    assert len(reader.pages) == pages
    last = reader.pages[-1].extract_text()
    assert "hello respcheck" in last
    assert f"Page {pages} of {pages}" in last


@pytest.mark.parametrize(("pages", "target"), [(1, 99_999), (1, 100_000), (100, 32 * MiB), (101, 32 * MiB + 1)])
def test_padded_size_is_exact_and_valid(pages, target):
    data = pdfs.pdf(pages, pad_to_bytes=target)
    assert len(data) == target
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages
    assert f"Page 1 of {pages}" in reader.pages[0].extract_text()
    assert pdfs.PAD_NAME in reader.attachments


def test_padding_near_50_mib():
    target = 50 * MiB - 1
    data = pdfs.pdf(100, pad_to_bytes=target)
    assert len(data) == target
    assert len(PdfReader(io.BytesIO(data)).pages) == 100


def test_pad_too_small_is_an_error():
    with pytest.raises(ValueError, match="below the smallest"):
        pdfs.pdf(100, pad_to_bytes=1000)


def test_zero_pages_is_an_error():
    with pytest.raises(ValueError):
        pdfs.pdf(0)
