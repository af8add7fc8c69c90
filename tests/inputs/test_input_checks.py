"""check_request_inputs enforces the documented image/PDF limits, names the limit, and its faults switch them off."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from respcheck.payloads import images, pdfs
from respcheck.server.errors import ApiError
from respcheck.server.files import FileStore
from respcheck.server.inputs import INPUT_FAULTS, InputLimits, check_request_inputs

MiB = 1024 * 1024


@dataclass(frozen=True)
class Dep:
    name: str
    vision: bool


VISION, TEXT = Dep("gpt-4.1", True), Dep("o3-mini", False)


def body(*parts: dict) -> dict:
    return {"model": "gpt-4.1", "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}, *parts]}]}


def img(data: bytes, mime: str = "image/png", **kw) -> dict:
    return {"type": "input_image", "image_url": images.data_uri(data, mime), **kw}


def pdf_part(data: bytes) -> dict:
    return {"type": "input_file", "filename": "a.pdf", "file_data": images.data_uri(data, "application/pdf")}


def rejects(b: dict, dep=VISION, faults=frozenset(), store=None) -> ApiError:
    with pytest.raises(ApiError) as info:
        check_request_inputs(b, dep, store, faults)
    return info.value


def test_plain_text_input_is_fine():
    s = check_request_inputs({"input": "hello"}, TEXT, None)
    assert s.image_count == 0 and s.pdf_count == 0
    assert s.describe() == "I see no images or files."


def test_two_images_summarised_with_real_types_and_details():
    # the data URI claims PNG for a JPEG: the sniffed type wins
    s = check_request_inputs(body(img(images.png()), img(images.jpeg(), "image/png", detail="low")), VISION, None)
    assert s.image_count == 2
    assert s.image_mimes == ["image/png", "image/jpeg"]
    assert s.image_details == ["auto", "low"]
    assert s.image_bytes == len(images.png()) + len(images.jpeg())
    assert s.describe() == "I see 2 images (png, jpeg)."


def test_100_images_ok_101_rejected():
    hundred = [img(images.png(seed=i)) for i in range(100)]
    assert check_request_inputs(body(*hundred), VISION, None).image_count == 100
    err = rejects(body(*hundred, img(images.png())))
    assert err.status == 400 and err.message == "Too many images: 101 > 100 per request"
    assert check_request_inputs(body(*hundred, img(images.png())), VISION, None, {"images.accept_over_100"}).image_count == 101


@pytest.mark.parametrize(("data", "mime"), [(images.bmp(), "image/bmp"), (images.tiff(), "image/tiff")])
def test_unsupported_types(data, mime):
    err = rejects(body(img(data, "image/png")))
    assert err.message.startswith(f"Unsupported image type {mime}")
    assert err.code == "invalid_image" and err.param == "input[0].content[1]"
    s = check_request_inputs(body(img(data)), VISION, None, frozenset({"images.accept_unsupported_type"}))
    assert s.image_mimes == [mime] and s.faults_applied == ["images.accept_unsupported_type"]


def test_animated_gif_rejected_still_gif_accepted():
    assert check_request_inputs(body(img(images.gif(), "image/gif")), VISION, None).image_mimes == ["image/gif"]
    err = rejects(body(img(images.gif(animated=True, frames=3), "image/gif")))
    assert err.message.startswith("Animated GIF is not supported")
    check_request_inputs(body(img(images.gif(animated=True))), VISION, None, frozenset({"images.accept_animated_gif"}))


@pytest.mark.parametrize("kind", images.CORRUPT_KINDS)
def test_corrupt_images(kind):
    err = rejects(body(img(images.corrupt(kind))))
    assert err.message.startswith("Invalid image data") and err.code == "invalid_image"
    check_request_inputs(body(img(images.corrupt(kind))), VISION, None, frozenset({"images.accept_corrupt"}))


def test_bad_base64_and_bad_scheme():
    assert rejects(body({"type": "input_image", "image_url": "data:image/png;base64,@@@"})).code == "invalid_image"
    assert rejects(body({"type": "input_image", "image_url": "ftp://x/y.png"})).param.endswith("image_url")


def test_each_image_and_total_size():
    big = images.sized_png(50 * MiB)
    err = rejects(body(img(big)))
    assert "each image must be under 52428800 bytes" in err.message
    half = images.sized_png(25 * MiB)
    err = rejects(body(img(half), img(half)))
    assert "combined size of all images must be under 52428800" in err.message
    check_request_inputs(body(img(half), img(half)), VISION, None, frozenset({"images.ignore_total_size"}))
    ok = check_request_inputs(body(img(half), img(images.sized_png(25 * MiB - 1))), VISION, None)
    assert ok.image_bytes == 50 * MiB - 1


def test_detail_values():
    assert rejects(body(img(images.png(), detail="ultra"))).param == "input[0].content[1].detail"
    s = check_request_inputs(body(*(img(images.png(), detail=d) for d in ("low", "high", "auto"))), VISION, None)
    assert s.image_details == ["low", "high", "auto"]


def test_remote_url_counted_not_fetched():
    s = check_request_inputs(body({"type": "input_image", "image_url": "https://example.com/a.png"}), VISION, None)
    assert s.image_count == 1 and s.image_bytes == 0 and s.remote_image_urls == ["https://example.com/a.png"]
    assert "not fetched" in s.notes[0]


def test_text_only_deployment_rejects_images_and_pdfs():
    err = rejects(body(img(images.png())), dep=TEXT)
    assert err.message.startswith("image input is not supported by deployment o3-mini")
    err = rejects(body(pdf_part(pdfs.pdf())), dep=TEXT)
    assert "o3-mini" in err.message and err.code == "unsupported_file"
    check_request_inputs(body(img(images.png())), TEXT, None, frozenset({"images.accept_on_text_only_model"}))
    check_request_inputs(body(pdf_part(pdfs.pdf())), TEXT, None, frozenset({"pdf.accept_on_text_only_model"}))


def test_file_id_images_and_pdfs():
    store = FileStore()
    png_id = store.add(images.png(), "a.png", "vision").id
    pdf_id = store.add(pdfs.pdf(3, text="quarterly numbers"), "r.pdf", "assistants").id
    b = body({"type": "input_image", "file_id": png_id}, {"type": "input_file", "file_id": pdf_id})
    s = check_request_inputs(b, VISION, store)
    assert s.image_count == 1 and s.pdf_count == 1 and s.pdf_pages == 3
    assert s.file_ids == [png_id, pdf_id] and s.pdf_filenames == ["r.pdf"]
    assert "quarterly numbers" in s.pdf_texts[0] and "Page 3 of 3" in s.pdf_texts[0]
    assert s.describe() == "I see 1 image (png) and 1 PDF (3 pages)."
    err = rejects(body({"type": "input_image", "file_id": "file-nope"}), store=store)
    assert err.message == "File file-nope not found"
    err = rejects(b, store=store, faults=frozenset({"images.reject_file_id"}))
    assert "can't be uploaded as a file" in err.message


def test_pdf_pages_limit_per_request():
    assert check_request_inputs(body(pdf_part(pdfs.pdf(100))), VISION, None).pdf_pages == 100
    err = rejects(body(pdf_part(pdfs.pdf(101))))
    assert err.message == "PDF has 101 pages; the limit is 100 pages per request"
    err = rejects(body(pdf_part(pdfs.pdf(60)), pdf_part(pdfs.pdf(41))))
    assert err.message.startswith("PDF has 101 pages")
    s = check_request_inputs(body(pdf_part(pdfs.pdf(101))), VISION, None, frozenset({"pdf.ignore_page_limit"}))
    assert s.pdf_pages == 101


def test_pdf_size_limit_32mb():
    ok = check_request_inputs(body(pdf_part(pdfs.pdf(1, pad_to_bytes=32 * MiB))), VISION, None)
    assert ok.pdf_bytes == 32 * MiB
    err = rejects(body(pdf_part(pdfs.pdf(1, pad_to_bytes=32 * MiB + 1))))
    assert err.message == "PDF content is 33554433 bytes; the limit is 33554432 bytes (32 MB) per request"


SMALL = InputLimits(max_image_bytes=3_000, max_total_image_bytes=3_000, max_pdf_total_bytes=5_000)
"""Limits small enough to probe byte-exact edges cheaply: images under 3000 bytes, PDFs up to 5000."""


def test_size_edges_are_byte_exact_and_the_edge_faults_move_them_by_one_byte():
    def check(*parts, faults=frozenset()):
        return check_request_inputs(body(*parts), VISION, None, frozenset(faults), SMALL)

    # images: "under" - 2999 bytes accepted, 3000 refused, alone and split over two images
    assert check(img(images.sized_png(2_999))).image_bytes == 2_999
    with pytest.raises(ApiError):
        check(img(images.sized_png(3_000)))
    with pytest.raises(ApiError):
        check(img(images.sized_png(1_500)), img(images.sized_png(1_500, seed=1)))
    s = check(img(images.sized_png(3_000)), faults={"images.accept_at_size_limit"})
    assert s.faults_applied == ["images.accept_at_size_limit"]
    with pytest.raises(ApiError):
        check(img(images.sized_png(3_001)), faults={"images.accept_at_size_limit"})
    with pytest.raises(ApiError):
        check(img(images.sized_png(2_999)), faults={"images.refuse_under_size_limit"})
    assert check(img(images.sized_png(2_998)), faults={"images.refuse_under_size_limit"}).faults_applied == []
    # PDFs: "up to" - 5000 bytes accepted, 5001 refused
    assert check(pdf_part(pdfs.pdf(1, pad_to_bytes=5_000))).pdf_bytes == 5_000
    with pytest.raises(ApiError):
        check(pdf_part(pdfs.pdf(1, pad_to_bytes=5_001)))
    assert check(pdf_part(pdfs.pdf(1, pad_to_bytes=5_001)), faults={"pdf.accept_over_size_limit"}).pdf_bytes == 5_001
    with pytest.raises(ApiError):
        check(pdf_part(pdfs.pdf(1, pad_to_bytes=5_000)), faults={"pdf.refuse_at_size_limit"})


@pytest.mark.parametrize("data,label", [(images.gif(animated=True, frames=3), "image/webp"), (images.bmp(), "image/png")],
                         ids=["animated_gif_as_webp", "bmp_as_png"])
def test_mislabelled_image_judged_by_its_bytes_unless_the_label_is_trusted(data, label):
    err = rejects(body(img(data, label)))
    assert err.code == "invalid_image"
    s = check_request_inputs(body(img(data, label)), VISION, None, frozenset({"images.trust_mime_label"}))
    assert s.faults_applied == ["images.trust_mime_label"] and s.image_mimes == [label]
    # a correctly labelled supported image is not changed by the fault
    assert check_request_inputs(body(img(images.png())), VISION, None, frozenset({"images.trust_mime_label"})).faults_applied == []


def test_pdf_by_file_id_on_text_only_deployment():
    store = FileStore()
    pdf_id = store.add(pdfs.pdf(1), "r.pdf", "assistants").id
    by_id = body({"type": "input_file", "file_id": pdf_id})
    err = rejects(by_id, dep=TEXT, store=store)
    assert err.code == "unsupported_file"
    s = check_request_inputs(by_id, TEXT, store, frozenset({"pdf.file_id_skips_vision_check"}))
    assert s.faults_applied == ["pdf.file_id_skips_vision_check"]
    rejects(body(pdf_part(pdfs.pdf())), dep=TEXT, faults=frozenset({"pdf.file_id_skips_vision_check"}))  # inline still checked


def test_non_pdf_and_broken_pdf():
    err = rejects(body({"type": "input_file", "file_data": images.data_uri(images.png(), "application/pdf")}))
    assert err.code == "unsupported_file" and "image/png" in err.message
    err = rejects(body(pdf_part(b"%PDF-1.4\n garbage")))
    assert err.code == "invalid_file"


def test_500_instead_of_400_fault():
    err = rejects(body(img(images.bmp())), faults=frozenset({"limits.500_instead_of_400"}))
    assert err.status == 500 and err.type == "server_error"


def test_fault_table_uses_catalogue_ids():
    import yaml

    from respcheck.paths import schemas_dir

    path = schemas_dir() / "behaviours.yaml"
    if not path.exists():
        pytest.skip("schemas/behaviours.yaml not written yet")
    ids = {b["id"] for b in yaml.safe_load(path.read_text(encoding="utf-8"))}
    for name, (desc, behaviours) in INPUT_FAULTS.items():
        assert desc and behaviours, name
        assert set(behaviours) <= ids, (name, set(behaviours) - ids)
