"""The knowledge-base admin API over real HTTP: upload (md, csv, docx, pdf), list, read, delete,
search, clear 4xx errors, and tenant scoping of API tokens."""

from __future__ import annotations

import io

import pytest

MD = "# XT-300 储能柜：消防\nkind: selling_point\nproduct: XT-300 储能柜\n\n全氟己酮喷淋加气溶胶双重灭火，通过 UL9540A 测试。\n"


def _pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica, built by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture
async def tenant(factory):
    return await factory.tenant()


def _url(slug: str, rest: str = "documents") -> str:
    return f"/admin/v1/tenants/{slug}/kb/{rest}"


async def test_upload_list_read_search_delete(client, admin_headers, tenant):
    t, _ = tenant
    r = await client.post(_url(t.slug), files={"file": ("sp_fire.md", MD.encode(), "text/markdown")},
                          headers=admin_headers)
    assert r.status_code == 201, r.text
    assert r.json() == [{"doc_id": "sp_fire", "source": "sp_fire.md", "status": "created", "chunks": 1,
                         "version": 1, "detail": None}]
    again = await client.post(_url(t.slug), files={"file": ("sp_fire.md", MD.encode())}, headers=admin_headers)
    assert again.json()[0]["status"] == "unchanged"
    listed = (await client.get(_url(t.slug), headers=admin_headers)).json()
    assert [(d["doc_id"], d["kind"], d["product"], d["chunks"]) for d in listed] == [
        ("sp_fire", "selling_point", "XT-300 储能柜", 1)]
    one = await client.get(_url(t.slug, "documents/sp_fire"), headers=admin_headers)
    assert one.json()["title"] == "XT-300 储能柜：消防"
    found = await client.get(_url(t.slug, "search"), params={"q": "UL9540A"}, headers=admin_headers)
    assert [p["doc_id"] for p in found.json()] == ["sp_fire"]
    gone = await client.delete(_url(t.slug, "documents/sp_fire"), headers=admin_headers)
    assert gone.status_code == 204
    assert (await client.get(_url(t.slug, "documents/sp_fire"), headers=admin_headers)).status_code == 404
    assert (await client.delete(_url(t.slug, "documents/sp_fire"), headers=admin_headers)).status_code == 404


async def test_csv_docx_pdf_and_json_documents(client, admin_headers, tenant):
    import docx

    t, _ = tenant
    csv = "id,title,body,kind,competitor\n1,蓝峰电气价格,报价比我们低 10%。,competitor,蓝峰电气\n".encode()
    r = await client.post(_url(t.slug), files={"file": ("notes.csv", csv)}, headers=admin_headers)
    assert r.status_code == 201 and r.json()[0]["doc_id"] == "notes:1"
    document = docx.Document()
    document.add_heading("SM-9 智能电表", level=0)
    document.add_paragraph("SM-9 支持 RS485 与 4G 通讯。")
    buf = io.BytesIO()
    document.save(buf)
    r = await client.post(_url(t.slug), files={"file": ("meter.docx", buf.getvalue())},
                          data={"kind": "selling_point"}, headers=admin_headers)
    assert r.status_code == 201 and r.json()[0]["doc_id"] == "meter"
    r = await client.post(_url(t.slug), files={"file": ("brochure.pdf", _pdf("Lead time is six weeks from order."))},
                          headers=admin_headers)
    assert r.status_code == 201, r.text
    body = {"doc_id": "other_party", "title": "年会", "kind": "other", "source": "hr", "body": "年会定在 1 月 20 日。"}
    r = await client.put(_url(t.slug, "documents/other_party"), json=body, headers=admin_headers)
    assert r.status_code == 200 and r.json()["status"] == "created"
    listed = {d["doc_id"]: d for d in (await client.get(_url(t.slug), headers=admin_headers)).json()}
    assert set(listed) == {"notes:1", "meter", "brochure", "other_party"}
    assert listed["meter"]["kind"] == "selling_point" and listed["meter"]["title"] == "SM-9 智能电表"
    only = (await client.get(_url(t.slug), params={"kind": "competitor"}, headers=admin_headers)).json()
    assert [d["doc_id"] for d in only] == ["notes:1"]
    found = (await client.get(_url(t.slug, "search"), params={"q": "lead time"}, headers=admin_headers)).json()
    assert found[0]["doc_id"] == "brochure"


async def test_bad_uploads_get_a_reason(client, admin_headers, tenant):
    t, _ = tenant
    cases = [
        ({"file": ("slides.pptx", b"x")}, {}, "file"),
        ({"file": ("empty.md", b"# title only\n")}, {}, "body"),
        ({"file": ("bad.csv", b"name,text\nx,y\n")}, {}, "file"),
        ({"file": ("broken.docx", b"not a zip")}, {}, "file"),
        ({"file": ("a.md", MD.encode())}, {"kind": "brochure"}, "kind"),
    ]
    for files, data, field in cases:
        r = await client.post(_url(t.slug), files=files, data=data, headers=admin_headers)
        assert r.status_code == 400, (files, r.text)
        assert r.json()["error"] == "invalid" and r.json().get("field") == field, r.text
    r = await client.put(_url(t.slug, "documents/x"), json={"doc_id": "y", "title": "t", "source": "s", "body": "b"},
                         headers=admin_headers)
    assert r.status_code == 400 and r.json()["field"] == "doc_id"
    r = await client.get(_url(t.slug, "search"), params={"q": ""}, headers=admin_headers)
    assert r.status_code == 400
    assert (await client.get(_url(t.slug), params={"kind": "x"}, headers=admin_headers)).status_code == 400
    assert (await client.get(_url(t.slug), headers=admin_headers)).json() == []  # nothing half-written


async def test_a_tenant_token_sees_only_its_own_knowledge_base(client, admin_headers, factory):
    a, token_a = await factory.tenant()
    b, _ = await factory.tenant()
    r = await client.post(_url(b.slug), files={"file": ("sp_fire.md", MD.encode())}, headers=admin_headers)
    assert r.status_code == 201
    mine = {"Authorization": f"Bearer {token_a}"}
    assert (await client.get(_url(b.slug), headers=mine)).status_code == 404
    assert (await client.get(_url(b.slug, "search"), params={"q": "UL9540A"}, headers=mine)).status_code == 404
    assert (await client.delete(_url(b.slug, "documents/sp_fire"), headers=mine)).status_code == 404
    assert (await client.get(_url(a.slug, "search"), params={"q": "UL9540A"}, headers=mine)).json() == []
    assert (await client.get(_url(a.slug))).status_code == 401
