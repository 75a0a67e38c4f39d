"""Upload size limits enforced while the request streams in, for every upload field.

Django writes an upload to memory or a temporary file in full before a form
can look at its size, so a 1 GB body used to land on disk before "文件过大".
Here the limit is applied before that:

- :class:`UploadLimitMiddleware` (before CSRF, which is the first to read a
  POST) decides the limit of the request from its URL name (``LIMITS``, e.g.
  the importers' ``YANXIU_IMPORT_MAX_MB``) or the site-wide
  ``YANXIU_MAX_UPLOAD_MB``, refuses at once a body whose ``Content-Length``
  already says it is too large (nothing is read), and otherwise has the body
  parsed through :class:`LimitedUploadHandler`;
- :class:`LimitedUploadHandler`, first in ``FILE_UPLOAD_HANDLERS``, counts the
  file bytes as they stream and stops the upload (``StopUpload``, connection
  reset: the rest is not read) as soon as they pass the limit.

A refused upload gets a Chinese message: as JSON ``{"detail": ...}`` with
status 413 on the API, otherwise as an error message on the page the form was
sent from (a redirect back to it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Room for the form's other fields and the multipart framing beside the files.
FORM_OVERHEAD = 256 * 1024


def _import_limit() -> int:
    from yanxiu.core import sheets

    return sheets.limits().max_bytes


def default_limit() -> int:
    """The site-wide ceiling of one request's uploads: the largest file any form takes
    (a session video, ``YANXIU_MAX_MATERIAL_VIDEO_MB``) unless ``YANXIU_MAX_UPLOAD_MB`` says otherwise."""
    configured = getattr(settings, "YANXIU_MAX_UPLOAD_MB", None)
    if configured is not None:
        return int(configured) * MB
    from yanxiu.core import uploads

    return max(uploads.max_material_bytes("mp4"), uploads.max_material_bytes("pdf"), uploads.max_evidence_bytes(), _import_limit())


#: URL name -> the limit of that page's uploads, when tighter than the site-wide one.
LIMITS: dict[str, Callable[[], int]] = {
    "org:roster_import": _import_limit,
    "credits:import": _import_limit,
    "growth:import": _import_limit,
    "routine:scores_import": _import_limit,
}


def limit_for(request: HttpRequest) -> int:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in LIMITS:
        return LIMITS[match.view_name]()
    return default_limit()


class LimitedUploadHandler(FileUploadHandler):
    """Counts the bytes of all files of a request and stops the upload past the limit."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = getattr(request, "upload_limit", None) or default_limit()
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + FORM_OVERHEAD:
            _refuse(self.request, content_length, self.limit, name="")
            return QueryDict(encoding=encoding), MultiValueDict()  # nothing read
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            _refuse(self.request, self.received, self.limit, name=self.file_name or "")
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def _refuse(request: HttpRequest | None, size: int, limit: int, *, name: str) -> None:
    if request is not None and not hasattr(request, "upload_refused"):
        request.upload_refused = {"size": size, "limit": limit, "name": name}


def refusal_message(refused: dict) -> str:
    limit = max(1, refused["limit"] // MB)
    if refused["name"]:
        return _("文件“%(name)s”超过 %(limit)d MB 的上限，未被接收。请压缩、删除无关内容或拆分后重新上传。") % {
            "name": refused["name"],
            "limit": limit,
        }
    return _("上传的内容有 %(size)s MB，超过 %(limit)d MB 的上限，未被接收。请压缩、删除无关内容或拆分后重新上传。") % {
        "size": f"{refused['size'] / MB:.1f}",
        "limit": limit,
    }


class UploadLimitMiddleware:
    """Sets the request's upload limit and answers a refused upload (see the module doc)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        request.upload_limit = limit_for(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request.upload_limit + FORM_OVERHEAD:
            _refuse(request, length, request.upload_limit, name="")
            request._post, request._files = QueryDict(), MultiValueDict()  # never read the body
            return self._answer(request)
        if request.content_type == "multipart/form-data":
            request.POST  # parse now, through LimitedUploadHandler  # noqa: B018
            if hasattr(request, "upload_refused"):
                return self._answer(request)
        return None

    def _answer(self, request):
        message = refusal_message(request.upload_refused)
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"detail": message}, status=413)
        messages.error(request, message)
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            back = request.get_full_path()
        response = HttpResponseRedirect(back)
        response.status_code = 303
        return response
