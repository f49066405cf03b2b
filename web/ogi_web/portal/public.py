"""What every public form does first: count the post against the rate limit, check its CSRF
token."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

from ogi_web.errors import PageError
from ogi_web.session import posted
from ogi_web.state import shared


async def public_post(request: Request, form_name: str) -> FormData:
    """The posted public form, within the rate limit of its sender's address."""
    address = request.client.host if request.client else "unknown"
    if not shared(request).limits.allow(address, form_name):
        raise PageError(429, "提交过于频繁", "同一地址短时间内提交的次数已达上限，请稍后再试。")
    return await posted(request)
