"""The card as a vCard 3.0 file ("save to contacts"), built with vobject."""

from __future__ import annotations

import urllib.parse

import vobject

from schemas.cards import PublicCard


def vcard(card: PublicCard, url: str) -> str:
    v = vobject.vCard()
    v.add("fn").value = card.name
    v.add("n").value = vobject.vcard.Name(family=card.name, given="")
    if card.company:
        v.add("org").value = [card.company]
    if card.title:
        v.add("title").value = card.title
    if card.phone:
        tel = v.add("tel")
        tel.value = card.phone
        tel.type_param = "CELL"
    if card.email:
        email = v.add("email")
        email.value = card.email
        email.type_param = "INTERNET"
    if card.wechat_id:
        v.add("note").value = f"微信: {card.wechat_id}"
    v.add("url").value = url
    return v.serialize()


def filename_header(name: str) -> str:
    """A Content-Disposition that keeps a Chinese file name (RFC 6266 / 5987)."""
    quoted = urllib.parse.quote(f"{name}.vcf")
    return f"attachment; filename=\"card.vcf\"; filename*=UTF-8''{quoted}"
