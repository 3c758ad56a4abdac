"""Error bodies: one language (Chinese) and a stable, machine-readable ``code`` on every error.

Every error is JSON ``{"code": …, "detail": …}``; a 400 also names each invalid parameter with its
messages at the top level (``{"code": "invalid_parameter", "detail": …, "theme": ["…"]}``), as it always
has, so a client can read ``body[parameter]``.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

# code -> the Chinese message shown when the exception carries DRF's default (English) text
MESSAGES = {
    "not_found": "没有找到这条记录（或它尚未发布）。",
    "method_not_allowed": "本接口只读，不支持 {method} 方法。",
    "not_acceptable": "无法按请求的格式返回：请用 JSON（默认）或 ?format=csv。",
    "unsupported_media_type": "不支持请求体的格式。",
    "parse_error": "请求体无法解析。",
    "permission_denied": "没有权限。",
    "not_authenticated": "需要登录。",
    "authentication_failed": "认证失败。",
}
ALWAYS_OURS = {"method_not_allowed", "not_acceptable"}  # DRF's texts name no way out
CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid_parameter",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_406_NOT_ACCEPTABLE: "not_acceptable",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
    status.HTTP_503_SERVICE_UNAVAILABLE: "unavailable",
}


def _invalid_detail(names: list[str]) -> str:
    return f"参数无效：{'、'.join(names)}。" if names else "请求无效。"


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"code": "invalid_parameter", "detail": _invalid_detail(list(errors)), **errors}
        return response
    if isinstance(exc, exceptions.Throttled):
        seconds = getattr(exc, "wait", None)
        wait = f"请在 {seconds:.0f} 秒后重试。" if seconds is not None else "请稍后重试。"
        response.data = {"code": "throttled", "detail": f"请求过于频繁，{wait}"}
        return response
    if isinstance(exc, exceptions.APIException):
        code = exc.default_code if exc.default_code not in ("error", "invalid") else code
        detail = str(exc.detail) if not isinstance(exc.detail, list | dict) else ""
        if code in MESSAGES and (
            detail == str(exc.default_detail) or code in ALWAYS_OURS or not detail.strip()
        ):
            request = context.get("request")
            detail = MESSAGES[code].format(method=getattr(request, "method", ""))
        response.data = {"code": code, "detail": detail or "请求出错。"}
    return response
