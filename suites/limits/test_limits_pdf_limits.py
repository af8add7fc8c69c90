"""The per-request PDF limits, where the docs disagree: settled by measurement.

Seed 000 (English how-to): "each file must be under 50 MB. The combined limit across all files in the
request is 50 MB." (no page limit). Seed 004 (Japanese how-to): "up to 100 pages and 32 MB of total content
across multiple file inputs" per request. The tests assert what both readings agree on (a request under
32 MB is accepted, one over 50 MB is refused with 400) and what only one seed states where the other is
silent (100 pages), and they probe between 32 and 50 MB to record which size limit the target enforces
(observe: `limits.pdf.max_total_bytes`). "MB" is not defined by the docs; the fixed probes are on the same
side of a limit under both readings (10^6 and 2^20 bytes), and the edge probe (`_limits_edges`) finds the
byte-exact edge among all four: "up to 32 MB" (seed 004) is inclusive - exactly the limit accepted, one
byte more refused - and "under 50 MB" (seed 000) exclusive.

Big probes are marked expensive (live only with --allow-expensive); payloads are byte-stable PDFs padded
with an attachment of zeros, so only their size (not their pages or text) grows; the recorder stores the
big base64 strings as digests. Only the raw channel carries the tens-of-megabytes bodies; the 60 + 41 pages
probe is one request seen through both channels (`create_both`). A size refusal may be 400 or 413 (Payload
Too Large), always with the error envelope; never a 5xx. A page-limit refusal is 400.
"""

from __future__ import annotations

import pytest
from _limits_edges import find_edge, under, up_to
from _limits_helpers import (
    MB,
    SIZE_REJECTION,
    MiB,
    assert_accepted,
    assert_rejected,
    media_body,
    pdf_part,
    rejected_both,
    require_file_input,
    sized_pdf_part,
)

from respcheck.payloads import pdf


@pytest.mark.expensive
@pytest.mark.behaviour("limits.pdf.max_pages_100")
def test_100_pages_are_accepted_and_101_rejected(client, target, observe):
    """'API への 1 回の要求で、複数のファイル入力に対して最大 100 ページと合計コンテンツの 32 MB をアップロードできます。'
    (In one API request you can upload up to 100 pages and 32 MB of total content across multiple file
    inputs.) Seed 000 names no page limit, so 100 pages are accepted under both readings."""
    require_file_input(target)
    prompt = "How many pages are there in total? Answer with a number."
    hundred = media_body(client, pdf_part(pdf(100), "hundred.pdf"), text=prompt)
    ok = client.http_post("responses", hundred, retry=False)
    observe("limits.pdf.pages.100_in_one_file", ok.status_code)
    assert_accepted(ok, "one PDF of 100 pages (HTTP)")

    one_file = media_body(client, pdf_part(pdf(101), "hundred-and-one.pdf"), text=prompt)
    raw_one = client.http_post("responses", one_file, retry=False)
    split = media_body(client, pdf_part(pdf(60), "sixty.pdf"), pdf_part(pdf(41), "forty-one.pdf"), text=prompt)
    ex_split = client.create_both(split, retry=False)  # one request, both views
    observe("limits.pdf.pages.101_in_one_file", raw_one.status_code)
    observe("limits.pdf.pages.101_over_two_files", ex_split.status)
    observe("limits.pdf.max_pages", 100 if raw_one.status_code == 400 and ex_split.status == 400
            else f"not enforced at 101 (one file: HTTP {raw_one.status_code}, two files: HTTP {ex_split.status})")
    assert_rejected(raw_one, "one PDF of 101 pages (HTTP)")
    rejected_both(ex_split, "two PDFs of 60 + 41 = 101 pages")


@pytest.mark.expensive
@pytest.mark.behaviour("limits.pdf.max_file_size_50mb", "limits.pdf.max_total_size_50mb")
def test_single_pdf_over_50mb_is_rejected(client, target, observe):
    """'In a single API request, you can include more than one file, but each file must be under 50 MB.'
    (over 50 MB also breaks seed 004's 32 MB per request: both readings refuse it)"""
    require_file_input(target)
    size = 50 * MiB + 1
    body = media_body(client, sized_pdf_part(client, size, "big.pdf"))
    raw = client.http_post("responses", body, retry=False)
    observe("limits.pdf.single_file_over_50mb", raw.status_code)
    assert_rejected(raw, f"one 1-page PDF of {size} bytes (HTTP)", SIZE_REJECTION)


@pytest.mark.expensive
@pytest.mark.behaviour("limits.pdf.max_total_size_32mb", "limits.pdf.max_total_size_50mb")
def test_pdf_total_size_limit_is_32mb_or_50mb(client, target, observe):
    """'The combined limit across all files in the request is 50 MB.' (seed 000) versus
    'API への 1 回の要求で、複数のファイル入力に対して最大 100 ページと合計コンテンツの 32 MB をアップロードできます。'
    (seed 004: 32 MB of total content across multiple file inputs). Both agree that 31 MB in two files is
    accepted and 52 MiB in two files is refused; probes at ~33.6 MB and 49 MB settle which limit holds."""
    require_file_input(target)

    def probe(total: int, label: str):
        half = total // 2
        body = media_body(client, sized_pdf_part(client, half, f"{label}-a.pdf"),
                          sized_pdf_part(client, total - half, f"{label}-b.pdf"))
        return client.http_post("responses", body, retry=False)

    small = probe(31 * MB, "31mb")  # under 32 MB (and 32 MiB) and under 50 MB: every reading accepts it
    observe("limits.pdf.total.31mb", small.status_code)
    assert_accepted(small, f"two 1-page PDFs totalling {31 * MB} bytes (HTTP)")

    big = probe(52 * MiB, "52mib")  # over 50 MB in every reading, each file under 50 MB
    observe("limits.pdf.total.52mib", big.status_code)
    assert_rejected(big, f"two 1-page PDFs totalling {52 * MiB} bytes (HTTP)", SIZE_REJECTION)

    # between the two documented limits: over 32 MiB (so over 32 MB too), under 50 MB
    mid = probe(32 * MiB + 1 * MB, "33mb")
    observe("limits.pdf.total.33_6mb", mid.status_code)
    if mid.status_code in SIZE_REJECTION:
        assert_rejected(mid, "two PDFs totalling 33.6 MB (HTTP)", SIZE_REJECTION)
        observe("limits.pdf.max_total_bytes", "32MB (seed 004)")
        return
    high = probe(49 * MB, "49mb")  # accepted at 33.6 MB: the 50 MB reading must also accept 49 MB
    observe("limits.pdf.total.49mb", high.status_code)
    if mid.status_code == 200 and high.status_code == 200:
        observe("limits.pdf.max_total_bytes", "50MB (seed 000)")
        assert_accepted(mid, "two PDFs totalling 33.6 MB (HTTP)")
        assert_accepted(high, "two PDFs totalling 49 MB (HTTP)")
        return
    observe("limits.pdf.max_total_bytes", f"neither: 33.6 MB -> HTTP {mid.status_code}, 49 MB -> HTTP {high.status_code}")
    raise AssertionError(f"the PDF size limit matches neither documented value (32 MB, 50 MB): 33.6 MB answered "
                         f"HTTP {mid.status_code}, 49 MB answered HTTP {high.status_code}: {high.text[:200]}")


PDF_READINGS = (*up_to(32, "seed 004"), *under(50, "seed 000"))
"""Seed 004's "up to 32 MB" (inclusive) and seed 000's "under 50 MB" (exclusive), MB as 10^6 or 2^20 bytes."""


@pytest.mark.expensive
@pytest.mark.behaviour("limits.pdf.max_total_size_32mb", "limits.pdf.max_total_size_50mb")
def test_pdfs_at_the_size_edge(client, target, observe):
    """'API への 1 回の要求で、複数のファイル入力に対して最大 100 ページと合計コンテンツの 32 MB をアップロードできます。'
    (seed 004: up to 32 MB of total content - inclusive, exactly 32 MB is accepted and one byte more refused)
    versus 'The combined limit across all files in the request is 50 MB.' with 'each file must be under
    50 MB' (seed 000: exclusive). Two PDFs whose total sits byte-exactly on each reading's edge settle which
    one the target follows (recorded)."""
    require_file_input(target)

    def probe(total: int):
        half = total // 2
        body = media_body(client, sized_pdf_part(client, half, "edge-a.pdf"), sized_pdf_part(client, total - half, "edge-b.pdf"))
        return client.http_post("responses", body, retry=False)

    edge = find_edge(probe, PDF_READINGS, "two 1-page PDFs together")
    observe("limits.pdf.total_size_edge", edge.observed())
