"""The gRPC scaffold: server with health and reflection, and domain errors as status codes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import DecodeError, Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from grpc_status import rpc_status

from ogi_errors import (
    DomainError,
    IllegalStep,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from ogi_platform.rpc.auth import acting_as, verify_token
from ogi_platform.rpc.limits import check_request
from ogi_platform.today import today_in_china

log = logging.getLogger(__name__)

R = TypeVar("R")
Method = Callable[[Any, Any, grpc.aio.ServicerContext], Awaitable[R]]

_CODES: list[tuple[type[DomainError], int]] = [
    (kind, code_pb2.Code.Value(kind.code))
    for kind in (InvalidInput, NotFound, IllegalStep, PermissionDenied, Unauthenticated)
]


def status_of(error: DomainError) -> status_pb2.Status:
    """The rich status for a domain error; bad input carries a BadRequest field violation."""
    code = next((c for kind, c in _CODES if isinstance(error, kind)), code_pb2.FAILED_PRECONDITION)
    status = status_pb2.Status(code=code, message=str(error))
    if isinstance(error, InvalidInput):
        detail = any_pb2.Any()
        detail.Pack(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=error.field, description=error.message
                    )
                ]
            )
        )
        status.details.append(detail)
    return status


async def abort_with(error: DomainError, context: grpc.aio.ServicerContext) -> None:
    """End the call with the status of ``error`` (abort raises)."""
    await context.abort_with_status(rpc_status.to_status(status_of(error)))


def handles_domain_errors(method: Method[R]) -> Method[R]:
    """Turn a DomainError raised by a servicer method into its gRPC status."""

    @functools.wraps(method)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> R:
        try:
            return await method(self, request, context)
        except DomainError as error:
            await abort_with(error, context)
            raise  # unreachable: abort raises

    return wrapper


def field_of(error: grpc.aio.AioRpcError | grpc.RpcError) -> str | None:
    """The field named by an INVALID_ARGUMENT status, on the client side."""
    status = rpc_status.from_call(error)
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            for violation in bad_request.field_violations:
                return str(violation.field)
    return None


#: Served without a token: load balancers and tools must be able to probe and discover.
OPEN_SERVICES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


class Undecodable:
    """A request whose bytes are not a message of its type (e.g. a string field that is not
    UTF-8): the deserializer returns it instead of raising, so the call can answer
    INVALID_ARGUMENT rather than UNKNOWN."""

    def __init__(self, error: DecodeError) -> None:
        self.error = error


def _tolerant(deserialize: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def tolerant(raw: bytes) -> Any:
        try:
            return deserialize(raw)
        except DecodeError as error:
            return Undecodable(error)

    return tolerant


def check_input(request: Message | Undecodable) -> None:
    """Refuse a request that did not decode, or whose fields break their limits
    (``ogi_platform.rpc.limits``), with ``InvalidInput``."""
    if isinstance(request, Undecodable):
        raise InvalidInput(
            "request", f"is not a valid message (is every string field UTF-8?): {request.error}"
        )
    check_request(request)


class TokenCheck(grpc.aio.ServerInterceptor):
    """Every call but health and reflection carries a valid token; the servicer runs as its
    principal (``ogi_platform.rpc.auth.caller()``), and only with a request within the field limits
    (``check_input``)."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None or details.method.startswith(OPEN_SERVICES):
            return handler
        if handler.unary_unary is None:
            raise TypeError(f"{details.method}: only unary calls are served")
        metadata = dict(details.invocation_metadata or ())
        inner = handler.unary_unary
        try:
            principal = verify_token(
                self.secret, str(metadata.get("authorization", "")), today_in_china()
            )
        except Unauthenticated as error:
            refusal = str(error)

            async def refuse(request: Any, context: grpc.aio.ServicerContext) -> Any:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, refusal)

            call = refuse
        else:

            async def as_principal(request: Any, context: grpc.aio.ServicerContext) -> Any:
                try:
                    check_input(request)
                except InvalidInput as error:
                    await abort_with(error, context)
                with acting_as(principal):
                    return await inner(request, context)

            call = as_principal
        return grpc.unary_unary_rpc_method_handler(
            call,
            request_deserializer=_tolerant(handler.request_deserializer),
            response_serializer=handler.response_serializer,
        )


Registration = tuple[Callable[[Any, grpc.aio.Server], None], Any, str]


def _bind(server: grpc.aio.Server, host: str, port: int, any_port: bool) -> int:
    """Bind the port (never shared: SO_REUSEPORT is off), or any free one if allowed."""
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError:
        bound = 0
    if bound == 0 and any_port:
        bound = server.add_insecure_port(f"{host}:0")
    if bound == 0:
        raise OSError(f"cannot listen on {host}:{port}: the port is taken")
    return bound


async def start_server(
    host: str,
    port: int,
    registrations: Iterable[Registration],
    secret: bytes,
    any_port: bool = False,
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """Start a grpc.aio server with the given servicers, health checking and reflection; every
    other call needs a token signed with ``secret``."""
    server = grpc.aio.server(options=[("grpc.so_reuseport", 0)], interceptors=[TokenCheck(secret)])
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [health.SERVICE_NAME, reflection.SERVICE_NAME]
    for add, servicer, full_name in registrations:
        add(servicer, server)
        names.append(full_name)
    reflection.enable_server_reflection(names, server)
    bound = _bind(server, host, port, any_port)
    await server.start()
    for name in names:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    return server, bound, health_servicer
