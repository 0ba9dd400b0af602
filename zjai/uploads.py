"""Checks for uploaded files: evidence of figures and register imports.

A file's kind is read from its content (its first bytes, and for Office files the parts inside
the zip), not from its name alone: a renamed executable is refused even when called .pdf.
"""

from __future__ import annotations

import codecs
import secrets
import unicodedata
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Extension → the kind its content must show.
EVIDENCE_KINDS = {
    "pdf": "pdf",
    "png": "png",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "xlsx": "xlsx",
    "csv": "csv",
    "docx": "docx",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}
HEAD_BYTES = 8192


def _text_like(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    # A full head is the start of a longer file and may end inside a multi-byte character:
    # an incremental decoder keeps such an unfinished character for later instead of failing.
    # (Cutting a fixed number of bytes off the end does not help: the cut lands anywhere.)
    complete = len(head) < HEAD_BYTES
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return True
    return False


def sniff(upload) -> str | None:
    """The kind of file the content shows: pdf, png, jpeg, xlsx, docx, csv, or None."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        if head.startswith(b"%PDF-"):
            return "pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        if head.startswith(b"PK\x03\x04"):
            upload.seek(0)
            try:
                with zipfile.ZipFile(upload) as archive:
                    names = set(archive.namelist())
            except (zipfile.BadZipFile, OSError, ValueError):
                return None
            if "[Content_Types].xml" in names:
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "word/document.xml" in names:
                    return "docx"
            return None
        if head and _text_like(head):
            return "csv"
        return None
    finally:
        upload.seek(position)


def extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def validate_evidence(upload) -> None:
    """At most ZJAI_EVIDENCE_MAX_BYTES, one of the allowed kinds, content matching the name."""
    limit = settings.ZJAI_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; evidence files may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    ext = extension(upload.name)
    if ext not in EVIDENCE_KINDS:
        raise ValidationError(
            _("Evidence must be a PDF, PNG, JPG, XLSX, CSV or DOCX file, not “%(name)s”.")
            % {"name": PurePath(upload.name).name},
            code="bad_type",
        )
    found = sniff(upload)
    if found != EVIDENCE_KINDS[ext]:
        raise ValidationError(
            _("The file is called .%(ext)s but its content is not a %(kind)s file.")
            % {"ext": ext, "kind": ext.upper()},
            code="content_mismatch",
        )


def content_type_for(name: str) -> str:
    kind = EVIDENCE_KINDS.get(extension(name))
    if kind is None:
        return "application/octet-stream"
    return CONTENT_TYPES.get(kind, "application/octet-stream")


@deconstructible
class RandomName:
    """A FileField's `upload_to`: the file is stored in `folder` (a strftime pattern, as
    upload_to takes) under a random name keeping only its extension. The name the user
    uploaded is kept in a field of its own and used to show and download the file: stored
    names never collide (no "robots_wYe3xMo.pdf" for a second "robots.pdf") and carry nothing
    a user typed."""

    def __init__(self, folder: str) -> None:
        self.folder = folder.rstrip("/")

    def __call__(self, instance, filename: str) -> str:
        ext = extension(filename)
        folder = timezone.now().strftime(self.folder)
        suffix = f".{ext}" if ext.isalnum() else ""
        return f"{folder}/{secrets.token_hex(16)}{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


# Characters no file name may hold on Windows, where most uploads come from; dropped from the
# name kept for showing and downloading (with control characters), so a name is never markup
# or a path, whatever a client sends.
FORBIDDEN_IN_NAMES = set('<>:"/\\|?*')


def uploaded_name(upload) -> str:
    """The name a user gave an uploaded file, without any folder, without the characters a
    file name cannot hold, at most 255 characters (what the models' name fields keep): shown
    and used to download it."""
    raw = str(getattr(upload, "name", "") or "").replace("\\", "/")
    name = "".join(
        c
        for c in PurePath(raw).name
        if c not in FORBIDDEN_IN_NAMES and unicodedata.category(c) != "Cc"
    ).strip()
    if len(name) > 255:
        stem, ext = PurePath(name).stem, PurePath(name).suffix[:20]
        name = stem[: 255 - len(ext)] + ext
    return name or "evidence"
