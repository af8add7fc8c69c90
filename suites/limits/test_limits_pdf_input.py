"""PDF input: base64 file_data and file_id, several files in one request, vision-only, and what a PDF costs.

The PDFs are small byte-stable documents from `respcheck.payloads.pdfs` (300x200 pt pages with one line
of text and "Page i of N"), so a live run sends a few kilobytes and a few page images. What the docs say is
accepted goes out in **one** request (`pdfs`: two PDFs as base64 file_data and one by the file_id of an
upload, each base64 and file_id PDF with its own probe word, so the answer shows which of them the model
read), and one more request sends the PDFs' extracted text alone with the same prompt: the difference is
what the PDFs cost beyond their text. Only when the together-request is refused do the base64 and file_id
PDFs go again apart, so each test judges the answer to its own part. Nothing is stored; the upload is deleted
when the module ends.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from _limits_helpers import (
    Probes,
    accepted_both,
    media_body,
    pdf_part,
    rejected_both,
    require_file_input,
    together_or_apart,
    tokens,
    upload,
    uploaded_id,
)

from respcheck.payloads import pdf
from respcheck.verdicts import inconclusive

DOC_TEXT = "The respcheck probe word is tangerine."
FILE_ID_TEXT = "The respcheck probe word is marigold."
PROMPT = "List the probe words in the PDFs, comma-separated."
BASE64_DOCS = (("probe.pdf", pdf(1, DOC_TEXT)), ("second.pdf", pdf(2, "Second respcheck document.")))
"""The base64 file_data PDFs (filename, bytes): the probe word, and a second file of two pages."""
FILE_ID_DOC = pdf(1, FILE_ID_TEXT)
GROUPS = {"base64": "two PDFs (1 + 2 pages) as base64 file_data", "file_id": "a 1-page PDF by file_id"}


def _extracted(data: bytes) -> str:
    """The PDF's text as a text extractor sees it (pypdf, deterministic)."""
    from pypdf import PdfReader

    return "\n".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages)


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


@dataclass(frozen=True)
class Pdfs:
    probes: Probes
    """Per group (`GROUPS`) the exchange that carried it; the upload behind the `file_id` group."""
    costed: tuple[Any, str, int]
    """(the exchange with PDFs, what it held, their pages) that the text-alone request is compared with."""
    text_alone: Any
    """The same prompt with the extracted text of those PDFs as input_text (None when they were refused)."""


@pytest.fixture(scope="module")
def pdfs(shared, target) -> Pdfs:
    """One request with every accepted PDF (`GROUPS`), when it is refused each group again alone; then the
    text-alone request for the one that carried the base64 PDFs. Nothing stored; the upload is deleted when
    the module ends."""
    require_file_input(target)

    def make(c) -> Pdfs:
        def send(group):
            return c.create_both(media_body(c, *group, text=PROMPT, max_output_tokens=64, store=False), retry=False)

        up = upload(c, FILE_ID_DOC, "respcheck-probe.pdf", "application/pdf", "assistants")
        parts = {"base64": [pdf_part(data, name) for name, data in BASE64_DOCS]}
        docs = {"base64": [data for _name, data in BASE64_DOCS]}
        if file_id := uploaded_id(up):
            parts["file_id"], docs["file_id"] = [{"type": "input_file", "file_id": file_id}], [FILE_ID_DOC]
        answers = together_or_apart(send, parts, GROUPS)
        ex, what = answers["base64"]
        costed = [d for g, (other, _) in answers.items() if other is ex for d in docs[g]]
        text = {"type": "input_text", "text": "\n".join(_extracted(d) for d in costed)}
        alone = send([text]) if ex.status == 200 else None
        return Pdfs(Probes(up, answers, GROUPS), (ex, what, sum(_pages(d) for d in costed)), alone)

    return shared("pdfs", make)


def _assert_read(typed, word: str, what: str) -> None:
    """A completed answer to "list the probe words" names this PDF's word (its text reached the model)."""
    if typed.status == "completed":
        assert word in typed.output_text.lower(), (
            f"{what}: the answer does not use the PDF's text (expected the probe word {word!r}): "
            f"{typed.output_text[:160]!r}")


@pytest.mark.behaviour("limits.pdf.input.base64", "limits.pdf.vision_models_only")
def test_pdf_as_base64_file_data_is_accepted(pdfs, target):
    """'PDF files can be provided either as Base64-encoded data or as file IDs.'
    ('"file_data": f"data:application/pdf;base64,{base64_string}"' with a filename)"""
    require_file_input(target)
    ex, sent = pdfs.probes.answer("base64")
    data = accepted_both(ex, f"a PDF as base64 file_data ({sent})")
    _assert_read(ex.sdk, "tangerine", f"a PDF as base64 file_data ({sent})")
    assert data["usage"]["input_tokens"] > 0, f"usage.input_tokens is {data['usage']['input_tokens']}"


@pytest.mark.behaviour("limits.pdf.input.file_id")
def test_pdf_uploaded_is_usable_by_file_id(pdfs, target, observe):
    """'PDF files can be provided either as Base64-encoded data or as file IDs.'
    ('A purpose of user_data is currently not supported. As a temporary workaround you will need to set
    purpose to assistants.')"""
    require_file_input(target)
    ex, sent = pdfs.probes.file_answer("PDF (purpose=assistants)")
    accepted_both(ex, f"a PDF by file_id ({sent})")
    _assert_read(ex.sdk, "marigold", f"a PDF by file_id ({sent})")


@pytest.mark.behaviour("limits.pdf.vision_models_only")
def test_pdf_on_text_only_deployment_is_rejected(client, target):
    """'Only models that support both text and image inputs can accept PDF files as input.'"""
    model = target.deployment_for("text_only")
    body = media_body(client, pdf_part(pdf(1, DOC_TEXT)), model=model, max_output_tokens=64)
    rejected_both(client.create_both(body, retry=False), f"a PDF sent to text-only {model}")


@pytest.mark.behaviour("limits.pdf.vision_models_only")
def test_pdf_by_file_id_on_text_only_deployment_is_rejected(client, target):
    """'Only models that support both text and image inputs can accept PDF files as input.' - also when the
    PDF comes as a file ID ('PDF files can be provided either as Base64-encoded data or as file IDs.'),
    uploaded as the docs say: 'A purpose of user_data is currently not supported. As a temporary workaround
    you will need to set purpose to assistants.'"""
    model = target.deployment_for("text_only")
    up = upload(client, FILE_ID_DOC, "respcheck-text-only.pdf", "application/pdf", "assistants")
    file_id = uploaded_id(up)
    if file_id is None:  # the upload is a step, not the claim: files.* judge it
        inconclusive(f"the PDF upload (purpose=assistants) answered HTTP {up.status_code}: {up.text[:200]}")
    body = media_body(client, {"type": "input_file", "file_id": file_id}, model=model, max_output_tokens=64)
    rejected_both(client.create_both(body, retry=False), f"a PDF by file_id sent to text-only {model}")


@pytest.mark.behaviour("limits.pdf.multiple_files")
def test_several_pdfs_in_one_request_are_accepted(pdfs, target):
    """'In a single API request, you can include more than one file, but each file must be under 50 MB.'"""
    require_file_input(target)
    ex, sent = pdfs.probes.answer("base64")
    accepted_both(ex, f"several PDFs in one request ({sent})")


@pytest.mark.behaviour("limits.pdf.text_and_page_images")
def test_pdf_costs_its_text_plus_an_image_per_page(pdfs, target, observe):
    """'To help models interpret PDF content, both the extracted text and an image of each page are included in
    the model's context.' / 'All extracted text and images are put into the model's context.'"""
    require_file_input(target)
    ex, sent, pages = pdfs.costed
    pdf_tokens = tokens(accepted_both(ex, f"PDFs whose cost is measured ({sent})"))
    assert pdfs.text_alone is not None, "the PDFs were refused, so their text alone was not sent"
    text_tokens = tokens(accepted_both(pdfs.text_alone, "the PDFs' extracted text alone, as input_text"))
    assert tokens(ex.sdk) == pdf_tokens, f"the SDK's usage.input_tokens {tokens(ex.sdk)} differs from the wire's {pdf_tokens}"
    extra = pdf_tokens - text_tokens
    observe("limits.pdf.input_tokens", {"pdf": pdf_tokens, "text_alone": text_tokens, "pages": pages})
    observe("limits.pdf.tokens_per_page_image", round(extra / pages, 1))
    # a page image costs tens of tokens at the very least (85 for a low-detail image), so every page must show
    assert extra >= 30 * pages, (f"PDFs of {pages} pages should cost their extracted text plus an image of each "
                                 f"page; saw input_tokens {pdf_tokens} with the PDFs vs {text_tokens} for their text "
                                 f"alone (+{extra}, expected at least +{30 * pages})")
