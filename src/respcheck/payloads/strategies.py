"""Hypothesis strategies for image sets near 100 images / 50 MB and PDF sets near 100 pages / 32 MB.

Strategies draw *specs* (kinds, counts, sizes), which are tiny and shrink well; bytes are made only when
a test calls `.materialise()` / `.content_parts()`. Each spec also knows which documented limits it
breaks (`violations()`), so a property test can compare a target's verdict with the docs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from respcheck.payloads import images, pdfs

MiB = 1024 * 1024
IMAGE_LIMIT_COUNT = 100
IMAGE_LIMIT_BYTES = 50 * MiB  # each and combined: "under 50 MB"
PDF_LIMIT_PAGES = 100
PDF_LIMIT_BYTES = 32 * MiB  # per request, seed 004: "up to 32 MB"

VALID_IMAGE_KINDS = ("png", "jpeg", "webp", "gif")
INVALID_IMAGE_KINDS = ("gif_animated", "bmp", "tiff", "corrupt:truncated_png", "corrupt:png_garbage")
DETAILS = (None, "low", "high", "auto")


@lru_cache(maxsize=512)
def _small_image(kind: str, seed: int) -> bytes:
    return images.make(kind, seed=seed)


@dataclass(frozen=True)
class ImageSpec:
    kind: str
    seed: int = 0
    size: int | None = None
    """Exact byte size (png only, padded); None: the small natural image."""
    detail: str | None = None

    def materialise(self) -> bytes:
        if self.size is None:
            return _small_image(self.kind, self.seed)
        return images.make(self.kind, seed=self.seed, size=self.size)

    @property
    def mime(self) -> str:
        return images.IMAGE_KINDS.get(self.kind, "image/png")

    def nbytes(self) -> int:
        return self.size if self.size is not None else len(self.materialise())

    def content_part(self) -> dict:
        part = {"type": "input_image", "image_url": images.data_uri(self.materialise(), self.mime)}
        if self.detail is not None:
            part["detail"] = self.detail
        return part


@dataclass(frozen=True)
class ImageSetSpec:
    images: tuple[ImageSpec, ...]

    @property
    def count(self) -> int:
        return len(self.images)

    def total_bytes(self) -> int:
        return sum(i.nbytes() for i in self.images)

    def violations(self) -> list[str]:
        """Catalogue ids of the documented limits this set breaks (empty: the docs say it is accepted)."""
        out = []
        if self.count > IMAGE_LIMIT_COUNT:
            out.append("limits.images.max_count_100")
        kinds = {i.kind for i in self.images}
        if kinds & {"bmp", "tiff"}:
            out.append("limits.images.mime_unsupported_rejected")
        if "gif_animated" in kinds:
            out.append("limits.images.gif_animated_rejected")
        if any(k.startswith("corrupt:") for k in kinds):
            out.append("limits.images.corrupt_fails")
        if any(i.nbytes() >= IMAGE_LIMIT_BYTES for i in self.images):
            out.append("limits.images.max_file_size_50mb")
        if self.total_bytes() >= IMAGE_LIMIT_BYTES:
            out.append("limits.images.max_total_size_50mb")
        return out

    def content_parts(self, text: str = "How many images are there?") -> list[dict]:
        return [{"type": "input_text", "text": text}, *(i.content_part() for i in self.images)]

    def to_json(self) -> list[dict[str, Any]]:
        """The spec as JSON (what a cassette stores of a generated case: the spec, never the bytes)."""
        return [dataclasses.asdict(i) for i in self.images]

    @classmethod
    def from_json(cls, data: list[dict[str, Any]]) -> ImageSetSpec:
        """The spec `to_json` stored: the same images, made again byte for byte from kind, seed and size."""
        return cls(tuple(ImageSpec(**item) for item in data))


@st.composite
def image_sets(
    draw,
    counts=None,
    kinds: tuple[str, ...] = VALID_IMAGE_KINDS,
    invalid_kinds: tuple[str, ...] = INVALID_IMAGE_KINDS,
    invalid_probability: float = 0.2,
    near_size_limit: bool = True,
) -> ImageSetSpec:
    """A set of 1..101 images (biased to 1-3 and 99-101), mixed types and `detail` values.

    With `near_size_limit`, some sets are padded PNGs whose total lands just under, at, or just over
    50 MB (one padded image per set, the rest small, so materialising stays ~50 MB at most).
    """
    count = draw(counts if counts is not None else st.one_of(st.integers(1, 3), st.sampled_from([99, 100, 101])))
    use_invalid = bool(invalid_kinds) and draw(st.floats(0, 1)) < invalid_probability
    specs = []
    for i in range(count):
        kind = draw(st.sampled_from(kinds))
        specs.append(ImageSpec(kind=kind, seed=i, detail=draw(st.sampled_from(DETAILS))))
    if use_invalid:
        pos = draw(st.integers(0, count - 1))
        specs[pos] = ImageSpec(kind=draw(st.sampled_from(invalid_kinds)), seed=pos, detail=specs[pos].detail)
    if near_size_limit and draw(st.booleans()):
        target_total = IMAGE_LIMIT_BYTES + draw(st.sampled_from([-4096, -1, 0, 1, 4096]))
        rest = sum(s.nbytes() for j, s in enumerate(specs) if j != 0)
        specs[0] = ImageSpec(kind="png", seed=0, size=max(1024, target_total - rest), detail=specs[0].detail)
    return ImageSetSpec(tuple(specs))


@lru_cache(maxsize=64)
def _small_pdf(pages: int, text: str) -> bytes:
    return pdfs.pdf(pages, text)


@dataclass(frozen=True)
class PdfSpec:
    pages: int = 1
    pad_to_bytes: int | None = None
    text: str = pdfs.DEFAULT_TEXT

    def materialise(self) -> bytes:
        if self.pad_to_bytes is None:
            return _small_pdf(self.pages, self.text)
        return pdfs.pdf(self.pages, self.text, pad_to_bytes=self.pad_to_bytes)

    def nbytes(self) -> int:
        return self.pad_to_bytes if self.pad_to_bytes is not None else len(self.materialise())

    def content_part(self, index: int = 0) -> dict:
        return {
            "type": "input_file",
            "filename": f"respcheck-{index}.pdf",
            "file_data": images.data_uri(self.materialise(), "application/pdf"),
        }


@dataclass(frozen=True)
class PdfSetSpec:
    pdfs: tuple[PdfSpec, ...]

    @property
    def total_pages(self) -> int:
        return sum(p.pages for p in self.pdfs)

    def total_bytes(self) -> int:
        return sum(p.nbytes() for p in self.pdfs)

    def violations(self) -> list[str]:
        out = []
        if self.total_pages > PDF_LIMIT_PAGES:
            out.append("limits.pdf.max_pages_100")
        if self.total_bytes() > PDF_LIMIT_BYTES:
            out.append("limits.pdf.max_total_size_32mb")
        return out

    def content_parts(self, text: str = "Summarize these PDFs") -> list[dict]:
        return [{"type": "input_text", "text": text}, *(p.content_part(i) for i, p in enumerate(self.pdfs))]


@st.composite
def pdf_sets(draw, max_files: int = 3, near_size_limit: bool = True) -> PdfSetSpec:
    """1..max_files PDFs whose pages total near 100 (99, 100, 101 or few), optionally padded near 32 MB."""
    n = draw(st.integers(1, max_files))
    total_pages = draw(st.one_of(st.sampled_from([99, 100, 101]), st.integers(n, n + 4)))
    total_pages = max(total_pages, n)
    cuts = sorted(draw(st.lists(st.integers(1, max(1, total_pages - 1)), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, total_pages] if total_pages > 1 else [0, total_pages]
    pages = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
    specs = [PdfSpec(pages=p) for p in pages if p > 0]
    if near_size_limit and draw(st.booleans()):
        target = PDF_LIMIT_BYTES + draw(st.sampled_from([-4096, 0, 1, 4096]))
        rest = sum(s.nbytes() for s in specs[1:])
        specs[0] = PdfSpec(pages=specs[0].pages, pad_to_bytes=max(target - rest, 200_000))
    return PdfSetSpec(tuple(specs))
