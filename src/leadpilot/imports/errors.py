"""Errors of the import domain.

BadRequest (400) ── ImportFileInvalid   the upload cannot be read (encoding, header, JSON, mapping)
NotFound (404)   ── ImportNotFound      missing and foreign job ids alike
"""

from __future__ import annotations

from leadpilot.errors import BadRequest, not_found_error

ImportNotFound = not_found_error("Import")


class ImportFileInvalid(BadRequest):
    default_detail = "The file cannot be imported"
