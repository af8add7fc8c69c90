"""The hypothesis strategies draw cheap specs whose materialised bytes match what the spec says."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from PIL import Image
from pypdf import PdfReader

from respcheck.payloads import strategies as S

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(S.image_sets())
def test_image_sets_match_their_spec(spec):
    assert 1 <= spec.count <= 101
    parts = spec.content_parts()
    assert len(parts) == spec.count + 1
    total = 0
    for img in spec.images:
        data = img.materialise()
        total += len(data)
        if img.size is not None:
            assert len(data) == img.size
        if img.kind in ("png", "jpeg", "webp", "gif", "bmp", "tiff", "gif_animated"):
            with Image.open(io.BytesIO(data)) as im:
                assert Image.MIME[im.format] == img.mime
                assert (getattr(im, "n_frames", 1) > 1) == (img.kind == "gif_animated")
    assert total == spec.total_bytes()
    v = spec.violations()
    assert ("limits.images.max_count_100" in v) == (spec.count > 100)
    assert ("limits.images.max_total_size_50mb" in v) == (total >= S.IMAGE_LIMIT_BYTES)


@FAST
@given(S.image_sets(counts=S.st.just(100), invalid_kinds=(), near_size_limit=False))
def test_hundred_valid_small_images_break_nothing(spec):
    assert spec.count == 100
    assert spec.violations() == []


@settings(max_examples=8, deadline=None)
@given(S.pdf_sets())
def test_pdf_sets_match_their_spec(spec):
    pages = 0
    for p in spec.pdfs:
        data = p.materialise()
        if p.pad_to_bytes is not None:
            assert len(data) == p.pad_to_bytes
        n = len(PdfReader(io.BytesIO(data)).pages)
        assert n == p.pages
        pages += n
    assert pages == spec.total_pages
    assert ("limits.pdf.max_pages_100" in spec.violations()) == (pages > 100)
    assert ("limits.pdf.max_total_size_32mb" in spec.violations()) == (spec.total_bytes() > S.PDF_LIMIT_BYTES)
