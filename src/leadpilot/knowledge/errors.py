"""Errors of the knowledge domain.

BadRequest (400)       ── KnowledgeFileInvalid       empty, corrupt, or without any text
AppError (415)         ── KnowledgeFileUnsupported   a file type the knowledge base does not read
PayloadTooLarge (413)  ── KnowledgeFileTooLarge
NotFound (404)         ── KnowledgeDocumentNotFound  missing and foreign ids alike
"""

from __future__ import annotations

from leadpilot.errors import AppError, BadRequest, PayloadTooLarge, not_found_error

KnowledgeDocumentNotFound = not_found_error("KnowledgeDocument")


class KnowledgeFileInvalid(BadRequest):
    default_detail = "The file cannot be read"


class KnowledgeFileUnsupported(AppError):
    status_code = 415
    default_detail = "Unsupported file type"


class KnowledgeFileTooLarge(PayloadTooLarge):
    default_detail = "The file is too large"
