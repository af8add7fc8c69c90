"""Image and PDF inputs of a Responses request: find them, sniff the real bytes, enforce the documented limits.

What the docs say (seeds 000/001/004): up to 100 images per request, each under 50 MB and all together
under 50 MB; PNG, JPEG, WebP and non-animated GIF only; a corrupt or unreadable image fails the request;
`detail` is low / high / auto (auto by default). PDFs come as base64 `file_data` or a `file_id`; only
models that take both text and images accept them; up to 100 pages and 32 MB of content per request
(seed 004; seed 000 says "each file under 50 MB, combined 50 MB" - both are enforced, the stricter wins,
and `InputLimits` lets a profile pick the other reading).

Edges, byte-exact: "under 50 MB" is exclusive (an image, or all images together, of exactly 50 MiB is
refused; one byte less is accepted); "up to ... 32 MB" is inclusive (PDFs of exactly 32 MiB together are
accepted, one byte more is refused). MB is read as MiB; the suites record which reading a target follows.

Why sniff: the MIME type in a data URI is the client's claim; the service decodes the bytes, so the
reference does too (pillow for images, pypdf for PDFs): a BMP labelled image/png is still a BMP. Why
faults: each documented limit can be switched off, moved by one byte, judged by the label instead of the
bytes (or turned into a 500) so the conformance suites can prove they notice a deviating target.
pillow/pypdf are imported inside functions: `respcheck serve` must start fast.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from respcheck.server.errors import ApiError, bad_request

MiB = 1024 * 1024
DETAIL_VALUES = ("low", "high", "auto")
IMAGE_TOKENS = {"low": 85, "high": 255, "auto": 255}
"""Input tokens one image costs by `detail` (docs: low "uses the fewest tokens", high "uses more tokens"; auto,
the default, picks high here). Figures of the tile scheme for a one-tile image (85 base + 170 per tile)."""
PAGE_IMAGE_TOKENS = 85
"""Input tokens of the image of one PDF page (docs: "both the extracted text and an image of each page")."""
SUPPORTED_IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class InputLimits:
    """The documented limits; MB is read as MiB (the docs do not say which)."""

    max_images: int = 100
    max_image_bytes: int = 50 * MiB
    """Each image must be *under* this."""
    max_total_image_bytes: int = 50 * MiB
    """All images of a request together must be *under* this."""
    max_pdf_pages: int = 100
    """Pages across all PDFs of a request: up to this many."""
    max_pdf_total_bytes: int = 32 * MiB
    """PDF bytes across a request: up to this many (seed 004)."""
    max_file_bytes: int = 50 * MiB
    """Each file must be *under* this (seed 000)."""


DEFAULT_LIMITS = InputLimits()

_REJECTION_IDS: tuple[str, ...] = (
    "limits.images.max_count_100",
    "limits.images.mime_unsupported_rejected",
    "limits.images.gif_animated_rejected",
    "limits.images.corrupt_fails",
    "limits.images.mislabelled_type_rejected",
    "limits.images.max_file_size_50mb",
    "limits.images.max_total_size_50mb",
    "limits.pdf.max_pages_100",
    "limits.pdf.max_total_size_32mb",
)
"""Every documented rejection is a 400; a 500 in its place breaks each of them."""

INPUT_FAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "images.accept_over_100": (
        "accept more than 100 images in one request",
        ("limits.images.max_count_100",),
    ),
    "images.accept_animated_gif": (
        "accept an animated GIF as image input",
        ("limits.images.gif_animated_rejected", "limits.images.mislabelled_type_rejected"),
    ),
    "images.accept_unsupported_type": (
        "accept image types the docs do not list (BMP, TIFF, ...)",
        ("limits.images.mime_unsupported_rejected", "limits.images.mime_types", "limits.images.mislabelled_type_rejected"),
    ),
    "images.accept_corrupt": (
        "accept image bytes that cannot be decoded",
        ("limits.images.corrupt_fails",),
    ),
    "images.ignore_total_size": (
        "do not enforce the 50 MB combined image size",
        ("limits.images.max_total_size_50mb",),
    ),
    "images.accept_on_text_only_model": (
        "accept image input on a deployment without vision",
        ("limits.images.vision_models_only",),
    ),
    "images.reject_file_id": (
        "refuse images referenced by file_id (the 'can't be uploaded and referenced' doc reading)",
        ("limits.images.input.file_id_vision", "limits.images.file_upload_unsupported"),
    ),
    "images.ignore_detail": (
        "accept any `detail` value instead of low/high/auto",
        ("limits.images.detail.values",),
    ),
    "pdf.ignore_page_limit": (
        "do not enforce the 100-page PDF limit",
        ("limits.pdf.max_pages_100",),
    ),
    "pdf.ignore_size_limit": (
        "do not enforce the PDF size limits (32 MB per request, 50 MB per file)",
        ("limits.pdf.max_total_size_32mb", "limits.pdf.max_file_size_50mb"),
    ),
    "pdf.accept_on_text_only_model": (
        "accept PDF input on a deployment without vision",
        ("limits.pdf.vision_models_only",),
    ),
    "images.accept_at_size_limit": (
        "accept images of exactly 50 MB (per image and combined): the limit read as 'at most', not 'under'",
        ("limits.images.max_file_size_50mb", "limits.images.max_total_size_50mb"),
    ),
    "images.refuse_under_size_limit": (
        "refuse images one byte under 50 MB (per image and combined): the limit off by one byte",
        ("limits.images.max_file_size_50mb", "limits.images.max_total_size_50mb"),
    ),
    "images.trust_mime_label": (
        "judge an image's type and animation by the data URI's MIME label instead of its bytes",
        ("limits.images.mislabelled_type_rejected",),
    ),
    "pdf.accept_over_size_limit": (
        "accept PDFs one byte over the 32 MB per request ('up to 32 MB' read one byte too loosely)",
        ("limits.pdf.max_total_size_32mb", "limits.pdf.max_total_size_50mb"),
    ),
    "pdf.refuse_at_size_limit": (
        "refuse PDFs of exactly 32 MB per request ('up to 32 MB' read as 'under')",
        ("limits.pdf.max_total_size_32mb", "limits.pdf.max_total_size_50mb"),
    ),
    "pdf.file_id_skips_vision_check": (
        "accept a PDF referenced by file_id on a deployment without vision (only inline file_data is checked)",
        ("limits.pdf.vision_models_only",),
    ),
    "limits.500_instead_of_400": (
        "answer a broken input limit with 500 server_error instead of 400",
        _REJECTION_IDS,
    ),
}


class FileLookup(Protocol):
    def get(self, file_id: str) -> Any: ...


@dataclass
class InputSummary:
    """What the request carried, for the rule-based model to answer from ("I see 2 images")."""

    image_count: int = 0
    image_bytes: int = 0
    image_details: list[str] = field(default_factory=list)
    image_mimes: list[str] = field(default_factory=list)
    """Sniffed type of each image whose bytes were seen ("" when a fault let undecodable bytes through)."""
    remote_image_urls: list[str] = field(default_factory=list)
    """http(s) image URLs: counted, never fetched (the reference has no network), so no size or type."""
    file_ids: list[str] = field(default_factory=list)
    pdf_count: int = 0
    pdf_pages: int = 0
    pdf_bytes: int = 0
    pdf_filenames: list[str] = field(default_factory=list)
    pdf_texts: list[str] = field(default_factory=list)
    """Extracted text of each PDF (pypdf), pages joined by newlines."""
    remote_file_urls: list[str] = field(default_factory=list)
    text_parts: int = 0
    notes: list[str] = field(default_factory=list)
    faults_applied: list[str] = field(default_factory=list)
    """Faults that changed the outcome of this request (a limit that would have failed was let through)."""

    def media_tokens(self, count_tokens: Any) -> int:
        """Input tokens the images and PDFs cost: per image by detail, per PDF its text plus one image a page."""
        images = sum(IMAGE_TOKENS.get(d, IMAGE_TOKENS["high"]) for d in self.image_details)
        pdfs = PAGE_IMAGE_TOKENS * self.pdf_pages + sum(count_tokens(t) for t in self.pdf_texts)
        return images + pdfs

    def describe(self) -> str:
        """One deterministic sentence about the inputs, e.g. "I see 2 images (png, jpeg) and 1 PDF (3 pages)."."""
        bits = []
        if self.image_count:
            kinds = ", ".join(m.split("/")[-1] for m in self.image_mimes if m) or "remote"
            noun = "image" if self.image_count == 1 else "images"
            bits.append(f"{self.image_count} {noun} ({kinds})")
        if self.pdf_count or self.remote_file_urls:
            n = self.pdf_count + len(self.remote_file_urls)
            noun = "PDF" if n == 1 else "PDFs"
            bits.append(f"{n} {noun} ({self.pdf_pages} {'page' if self.pdf_pages == 1 else 'pages'})")
        if not bits:
            return "I see no images or files."
        return "I see " + " and ".join(bits) + "."


class _Check:
    """One request's walk: collects the summary and decides each limit (or records the fault that skipped it)."""

    def __init__(self, deployment: Any, files: FileLookup | None, faults: frozenset[str], limits: InputLimits):
        self.deployment = deployment
        self.files = files
        self.faults = faults
        self.limits = limits
        self.summary = InputSummary()

    def enforce(self, fault: str, error: ApiError) -> None:
        """Raise `error` unless `fault` is on; then remember that the fault decided the outcome."""
        if fault in self.faults:
            self.applied(fault)
            return
        raise error

    def applied(self, fault: str) -> None:
        """Remember that `fault` decided this request's outcome (once)."""
        if fault not in self.summary.faults_applied:
            self.summary.faults_applied.append(fault)


def _too_big(size: int, limit: int, *, inclusive: bool, check: _Check, loose: str, strict: str) -> bool:
    """Whether `size` bytes break a size limit. Why a helper: the docs word the limits two ways - "under
    50 MB" (exclusive: the limit itself is refused) and "up to 32 MB" (inclusive: the limit itself is
    allowed) - and the boundary faults move the edge by one byte: `loose` lets the first refused size
    through, `strict` refuses the last allowed one (each recorded when it decided the outcome)."""
    largest = limit if inclusive else limit - 1
    if size == largest + 1 and loose in check.faults:
        check.applied(loose)
        return False
    if size == largest and strict in check.faults:
        check.applied(strict)
        return True
    return size > largest


def _image_too_big(size: int, limit: int, check: _Check) -> bool:
    """The image limits: each image and all of them together "under 50 MB" (exclusive)."""
    return _too_big(size, limit, inclusive=False, check=check, loose="images.accept_at_size_limit",
                    strict="images.refuse_under_size_limit")


def check_request_inputs(
    body: dict,
    deployment: Any,
    files: FileLookup | None,
    faults: frozenset[str] = frozenset(),
    limits: InputLimits = DEFAULT_LIMITS,
) -> InputSummary:
    """Validate the image/PDF parts of `body["input"]` and summarise them; raise `ApiError` (400) on a broken limit.

    `deployment` needs `.name` and `.vision`; `files` resolves `file_id` (`.get(id)` -> object with `.data`,
    `.purpose`, `.mime`, `.filename`, or None). The shape of `input` beyond the content parts is the core's
    business: anything this walk does not recognise is left alone.
    """
    check = _Check(deployment, files, frozenset(faults), limits)
    try:
        _check(body, check)
    except ApiError as exc:
        if exc.status == 400 and "limits.500_instead_of_400" in check.faults:
            raise ApiError(
                500,
                "The server had an error while processing your request. Sorry about that!",
                code="server_error",
                type="server_error",
            ) from exc
        raise
    return check.summary


def _parts(inp: Any) -> Iterator[tuple[str, dict]]:
    """(param path, content part) for every content part of every message in `input`."""
    if not isinstance(inp, list):
        return
    for i, item in enumerate(inp):
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind in (None, "message"):
            content, base = item.get("content"), f"input[{i}].content"
        elif kind == "function_call_output":
            content, base = item.get("output"), f"input[{i}].output"
        else:
            continue
        if isinstance(content, list):
            for j, part in enumerate(content):
                if isinstance(part, dict):
                    yield f"{base}[{j}]", part


def _check(body: dict, check: _Check) -> None:
    parts = list(_parts(body.get("input")))
    images = [(p, part) for p, part in parts if part.get("type") == "input_image"]
    pdfs = [(p, part) for p, part in parts if part.get("type") == "input_file"]
    check.summary.text_parts = sum(1 for _, part in parts if part.get("type") in ("input_text", "output_text"))
    name = getattr(check.deployment, "name", "?")
    vision = bool(getattr(check.deployment, "vision", False))
    lim = check.limits

    if images:
        if not vision:
            check.enforce(
                "images.accept_on_text_only_model",
                bad_request(
                    f"image input is not supported by deployment {name}: it does not accept images",
                    code="invalid_value",
                    param=images[0][0],
                ),
            )
        if len(images) > lim.max_images:
            check.enforce(
                "images.accept_over_100",
                bad_request(
                    f"Too many images: {len(images)} > {lim.max_images} per request",
                    code="invalid_value",
                    param="input",
                ),
            )
        total = 0
        for path, part in images:
            total += _image(path, part, check)
        if _image_too_big(total, lim.max_total_image_bytes, check):
            check.enforce(
                "images.ignore_total_size",
                bad_request(
                    f"Images total {total} bytes; the combined size of all images must be under "
                    f"{lim.max_total_image_bytes} bytes ({lim.max_total_image_bytes // MiB} MB)",
                    code="invalid_value",
                    param="input",
                ),
            )

    if pdfs:
        by_file_id = all(part.get("file_data") is None and part.get("file_id") is not None for _, part in pdfs)
        if not vision and by_file_id and "pdf.file_id_skips_vision_check" in check.faults:
            check.applied("pdf.file_id_skips_vision_check")
        elif not vision:
            check.enforce(
                "pdf.accept_on_text_only_model",
                bad_request(
                    f"PDF input is not supported by deployment {name}: only models that take both text and "
                    "image input accept PDF files",
                    code="unsupported_file",
                    param=pdfs[0][0],
                ),
            )
        readers = [r for r in (_pdf(path, part, check) for path, part in pdfs) if r is not None]
        s = check.summary
        if s.pdf_pages > lim.max_pdf_pages:
            check.enforce(
                "pdf.ignore_page_limit",
                bad_request(
                    f"PDF has {s.pdf_pages} pages; the limit is {lim.max_pdf_pages} pages per request",
                    code="invalid_value",
                    param="input",
                ),
            )
        if _too_big(s.pdf_bytes, lim.max_pdf_total_bytes, inclusive=True, check=check,
                    loose="pdf.accept_over_size_limit", strict="pdf.refuse_at_size_limit"):
            check.enforce(
                "pdf.ignore_size_limit",
                bad_request(
                    f"PDF content is {s.pdf_bytes} bytes; the limit is {lim.max_pdf_total_bytes} bytes "
                    f"({lim.max_pdf_total_bytes // MiB} MB) per request",
                    code="invalid_value",
                    param="input",
                ),
            )
        s.pdf_texts = [_text(r) for r in readers]


def _decode_b64(payload: str) -> bytes:
    return base64.b64decode("".join(payload.split()), validate=True)


def _data_uri(uri: str) -> tuple[str, bytes]:
    """(claimed mime, bytes) of a base64 data URI; ValueError if it is not one."""
    header, sep, payload = uri.partition(",")
    if not sep or not header.startswith("data:") or not header.endswith(";base64"):
        raise ValueError("not a base64 data URI")
    try:
        return header[5:].split(";", 1)[0], _decode_b64(payload)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the base64 payload could not be decoded") from exc


def _stored(file_id: Any, path: str, check: _Check) -> Any:
    if not isinstance(file_id, str) or not file_id:
        raise bad_request("file_id must be a non-empty string", code="invalid_value", param=f"{path}.file_id")
    found = check.files.get(file_id) if check.files is not None else None
    if found is None:
        raise bad_request(f"File {file_id} not found", code="invalid_value", param=f"{path}.file_id")
    check.summary.file_ids.append(file_id)
    return found


def _image(path: str, part: dict, check: _Check) -> int:
    """Validate one input_image; return its byte size (0 when remote)."""
    s, lim = check.summary, check.limits
    detail = part.get("detail")
    detail = "auto" if detail is None else detail
    if detail not in DETAIL_VALUES:
        check.enforce(
            "images.ignore_detail",
            bad_request(
                f"Invalid value: {detail!r}. Supported values are: 'low', 'high', and 'auto'.",
                code="invalid_value",
                param=f"{path}.detail",
            ),
        )
    s.image_count += 1
    s.image_details.append(str(detail))
    url, file_id = part.get("image_url"), part.get("file_id")
    if url is not None:
        if not isinstance(url, str):
            raise bad_request("image_url must be a string", code="invalid_value", param=f"{path}.image_url")
        if url.startswith(("http://", "https://")):
            s.remote_image_urls.append(url)
            s.notes.append(f"{path}: remote image URL not fetched (no network); counted without size or type")
            return 0
        if not url.startswith("data:"):
            raise bad_request(
                "image_url must be a base64 data URI or an http(s) URL",
                code="invalid_value",
                param=f"{path}.image_url",
            )
        try:
            claimed, data = _data_uri(url)
        except ValueError as exc:
            raise bad_request(f"Invalid image data: {exc}", code="invalid_image", param=f"{path}.image_url") from exc
    elif file_id is not None:
        if "images.reject_file_id" in check.faults:
            s.faults_applied.append("images.reject_file_id")
            raise bad_request(
                "Images can't be uploaded as a file and then referenced as input",
                code="invalid_value",
                param=f"{path}.file_id",
            )
        data = _stored(file_id, path, check).data
    else:
        raise bad_request(
            "input_image needs either image_url or file_id",
            code="missing_required_parameter",
            param=f"{path}.image_url",
        )

    size = len(data)
    if _image_too_big(size, lim.max_image_bytes, check):
        # No fault turns this off (the boundary faults only move its edge by a byte): with both documented
        # limits at 50 MB, an image over the per-image limit also breaks the total, so a server that skipped
        # this check would answer the same 400.
        raise bad_request(
            f"Image is {size} bytes; each image must be under {lim.max_image_bytes} bytes "
            f"({lim.max_image_bytes // MiB} MB)",
            code="invalid_value",
            param=path,
        )
    s.image_bytes += size
    s.image_mimes.append(_sniff_image(data, path, check, claimed if url is not None else None))
    return size


def _labelled_format(fmt: str, frames: int, claimed: str | None, check: _Check) -> tuple[str, int]:
    """(format, frames) the type checks judge: the sniffed ones, or under the `images.trust_mime_label`
    fault those the data URI's label claims (an animated GIF labelled image/webp then passes as a WebP, a
    BMP labelled image/png as a PNG; the fault is recorded when the label hid what the bytes are)."""
    if "images.trust_mime_label" not in check.faults or claimed is None:
        return fmt, frames
    by_label = {mime: name for name, mime in SUPPORTED_IMAGE_FORMATS.items()}
    label_fmt = by_label.get(claimed.lower(), claimed.split("/")[-1].upper())
    label_frames = frames if label_fmt == "GIF" else 1
    if (label_fmt, label_frames) != (fmt, frames):
        check.applied("images.trust_mime_label")
    return label_fmt, label_frames


def _sniff_image(data: bytes, path: str, check: _Check, claimed: str | None = None) -> str:
    """The real MIME type of `data`, after the type, animation and decodability checks. `claimed` is the
    data URI's label: never trusted (the bytes decide) unless the `images.trust_mime_label` fault is on."""
    from PIL import Image

    invalid = bad_request("Invalid image data: the image could not be decoded", code="invalid_image", param=path)
    try:
        with Image.open(io.BytesIO(data)) as im:
            fmt, frames = im.format or "", int(getattr(im, "n_frames", 1) or 1)
    except Exception:  # pillow raises many types for unreadable bytes; all mean the same here
        check.enforce("images.accept_corrupt", invalid)
        return ""
    fmt, frames = _labelled_format(fmt, frames, claimed, check)
    mime = SUPPORTED_IMAGE_FORMATS.get(fmt) or Image.MIME.get(fmt, f"image/{fmt.lower() or 'unknown'}")
    if fmt not in SUPPORTED_IMAGE_FORMATS:
        check.enforce(
            "images.accept_unsupported_type",
            bad_request(
                f"Unsupported image type {mime}; supported types are PNG, JPEG, WebP and non-animated GIF",
                code="invalid_image",
                param=path,
            ),
        )
    if fmt == "GIF" and frames > 1:
        check.enforce(
            "images.accept_animated_gif",
            bad_request(f"Animated GIF is not supported ({frames} frames)", code="invalid_image", param=path),
        )
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    except Exception:
        check.enforce("images.accept_corrupt", invalid)
    return mime


def _pdf(path: str, part: dict, check: _Check) -> Any:
    """Validate one input_file (a PDF); return its pypdf reader, or None when remote/unreadable-but-faulted."""
    s, lim = check.summary, check.limits
    file_data, file_id, file_url = part.get("file_data"), part.get("file_id"), part.get("file_url")
    filename = part.get("filename")
    if file_data is not None:
        if not isinstance(file_data, str):
            raise bad_request("file_data must be a string", code="invalid_value", param=f"{path}.file_data")
        try:
            data = _data_uri(file_data)[1] if file_data.startswith("data:") else _decode_b64(file_data)
        except (ValueError, binascii.Error) as exc:
            raise bad_request(
                "file_data must be base64 data (data:application/pdf;base64,...)",
                code="invalid_value",
                param=f"{path}.file_data",
            ) from exc
    elif file_id is not None:
        stored = _stored(file_id, path, check)
        data, filename = stored.data, filename or getattr(stored, "filename", None)
    elif isinstance(file_url, str) and file_url.startswith(("http://", "https://")):
        s.remote_file_urls.append(file_url)
        s.notes.append(f"{path}: remote file URL not fetched (no network); counted without pages or size")
        return None
    else:
        raise bad_request(
            "input_file needs file_data or file_id", code="missing_required_parameter", param=f"{path}.file_data"
        )

    size = len(data)
    if size >= lim.max_file_bytes:
        check.enforce(
            "pdf.ignore_size_limit",
            bad_request(
                f"File is {size} bytes; each file must be under {lim.max_file_bytes} bytes "
                f"({lim.max_file_bytes // MiB} MB)",
                code="invalid_value",
                param=path,
            ),
        )
    if not data.startswith(b"%PDF-"):
        from respcheck.server.files import sniff_mime

        raise bad_request(
            f"Unsupported file type {sniff_mime(data, filename)}: input_file accepts PDF files",
            code="unsupported_file",
            param=path,
        )
    reader, pages = _open_pdf(data)
    if reader is None:
        raise bad_request("Invalid PDF data: the file could not be parsed", code="invalid_file", param=path)
    s.pdf_count += 1
    s.pdf_pages += pages
    s.pdf_bytes += size
    s.pdf_filenames.append(filename if isinstance(filename, str) else "")
    return reader


def _open_pdf(data: bytes) -> tuple[Any, int]:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed probes are expected; keep logs quiet
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        return reader, len(reader.pages)
    except Exception:  # pypdf raises PdfReadError, ValueError, KeyError... for broken files
        return None, 0


def _text(reader: Any) -> str:
    out = []
    for page in reader.pages:
        try:
            out.append(page.extract_text() or "")
        except Exception:  # a page whose text cannot be extracted still counts as a page
            out.append("")
    return "\n".join(out)
