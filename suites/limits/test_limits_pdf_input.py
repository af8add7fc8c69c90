"""PDF input: base64 file_data and file_id, several files in one request, vision-only, and what a PDF costs.

The PDFs are small byte-stable documents from `respcheck.payloads.pdfs` (300x200 pt pages with one line
of text and "Page i of N"), so a live run sends a few kilobytes and a few page images.
"""

from __future__ import annotations

import io

import pytest
from _limits_helpers import (
    assert_accepted,
    assert_rejected,
    media_body,
    pdf_part,
    require_file_input,
    sdk_accepted,
    sdk_rejected,
    tokens,
    upload,
)

from respcheck.payloads import pdf

DOC_TEXT = "The respcheck probe word is tangerine."


def _assert_read(typed, what: str) -> None:
    """A completed answer to "what is the probe word" names it (the PDF's text reached the model)."""
    if typed.status == "completed":
        assert "tangerine" in typed.output_text.lower(), (
            f"{what}: the answer does not use the PDF's text (expected the probe word 'tangerine'): "
            f"{typed.output_text[:160]!r}")


def _extracted(data: bytes) -> str:
    """The PDF's text as a text extractor sees it (pypdf, deterministic)."""
    from pypdf import PdfReader

    return "\n".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.behaviour("limits.pdf.input.base64", "limits.pdf.vision_models_only")
def test_pdf_as_base64_file_data_is_accepted(client, target):
    """'PDF files can be provided either as Base64-encoded data or as file IDs.'
    ('"file_data": f"data:application/pdf;base64,{base64_string}"' with a filename)"""
    require_file_input(target)
    body = media_body(client, pdf_part(pdf(1, DOC_TEXT), "probe.pdf"),
                      text="What is the probe word in the PDF? Answer with one word.")
    _assert_read(sdk_accepted(client, body, "a PDF as base64 file_data (SDK)"), "a PDF as base64 file_data (SDK)")
    data = assert_accepted(client.http_post("responses", body), "a PDF as base64 file_data (HTTP)")
    assert data["usage"]["input_tokens"] > 0, f"usage.input_tokens is {data['usage']['input_tokens']}"


@pytest.mark.behaviour("limits.pdf.input.file_id")
def test_pdf_uploaded_is_usable_by_file_id(client, target, observe):
    """'PDF files can be provided either as Base64-encoded data or as file IDs.'
    ('A purpose of user_data is currently not supported. As a temporary workaround you will need to set
    purpose to assistants.')"""
    require_file_input(target)
    up = upload(client, pdf(1, DOC_TEXT), "respcheck-probe.pdf", "application/pdf", "assistants")
    assert up.status_code == 200, f"PDF upload with purpose=assistants: expected HTTP 200, saw {up.status_code}: {up.text[:200]}"
    file_id = up.json().get("id")
    assert isinstance(file_id, str) and file_id, f"upload answered no file id: {up.text[:200]}"
    body = media_body(client, {"type": "input_file", "file_id": file_id},
                      text="What is the probe word in the PDF? Answer with one word.")
    _assert_read(sdk_accepted(client, body, "a PDF by file_id (SDK)"), "a PDF by file_id (SDK)")
    assert_accepted(client.http_post("responses", body), "a PDF by file_id (HTTP)")


@pytest.mark.behaviour("limits.pdf.vision_models_only")
def test_pdf_on_text_only_deployment_is_rejected(client, target):
    """'Only models that support both text and image inputs can accept PDF files as input.'"""
    model = target.deployment_for("text_only")
    body = media_body(client, pdf_part(pdf(1, DOC_TEXT)), model=model, max_output_tokens=64)
    assert_rejected(client.http_post("responses", body, retry=False), f"a PDF sent to text-only {model} (HTTP)")
    sdk_rejected(client, body, f"a PDF sent to text-only {model} (SDK)")


@pytest.mark.behaviour("limits.pdf.multiple_files")
def test_several_pdfs_in_one_request_are_accepted(client, target):
    """'In a single API request, you can include more than one file, but each file must be under 50 MB.'"""
    require_file_input(target)
    body = media_body(client, pdf_part(pdf(1, "First respcheck document."), "first.pdf"),
                      pdf_part(pdf(2, "Second respcheck document."), "second.pdf"),
                      text="How many PDF files did I send? Answer with a number.")
    sdk_accepted(client, body, "two PDFs in one request (SDK)")
    assert_accepted(client.http_post("responses", body), "two PDFs in one request (HTTP)")


@pytest.mark.behaviour("limits.pdf.text_and_page_images")
def test_pdf_costs_its_text_plus_an_image_per_page(client, target, observe):
    """'To help models interpret PDF content, both the extracted text and an image of each page are included in
    the model's context.' / 'All extracted text and images are put into the model's context.'"""
    require_file_input(target)
    pages = 3
    doc = pdf(pages, DOC_TEXT)
    prompt = "Reply with OK."
    with_pdf = media_body(client, pdf_part(doc, "three-pages.pdf"), text=prompt, max_output_tokens=16)
    text_only = media_body(client, {"type": "input_text", "text": _extracted(doc)}, text=prompt, max_output_tokens=16)

    pdf_tokens = tokens(assert_accepted(client.http_post("responses", with_pdf), "a 3-page PDF (HTTP)"))
    text_tokens = tokens(client.create(text_only))  # SDK channel: the same text, sent as plain text
    extra = pdf_tokens - text_tokens
    observe("limits.pdf.input_tokens", {"pdf": pdf_tokens, "text_alone": text_tokens, "pages": pages})
    observe("limits.pdf.tokens_per_page_image", round(extra / pages, 1))
    # a page image costs tens of tokens at the very least (85 for a low-detail image), so 3 pages must show
    assert extra >= 30 * pages, (f"a {pages}-page PDF should cost its extracted text plus an image of each page; "
                                 f"saw input_tokens {pdf_tokens} with the PDF vs {text_tokens} for its text alone "
                                 f"(+{extra}, expected at least +{30 * pages})")
