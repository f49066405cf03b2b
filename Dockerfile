# One image for every OGI process: the five services (ogi-intake, ogi-routing, ogi-review,
# ogi-reply, ogi-complaint), the read models (ogi-report, ogi-query), the web front end (ogi-web,
# HTTP on OGI_WEB_PORT) and the ogi CLI. Pick one with the container command, e.g.
#   docker build -t ogi:latest .
#   docker run --rm ogi:latest ogi --help
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# make runs the install target; nothing else is needed at build or run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
# Generates the protobuf code and installs libs/* (ogiproto, ogi_errors, ogi_platform, ogi_law, ogi_report), services/* and cli.
RUN make install-prod

# A fixed numeric uid, so Kubernetes can check runAsNonRoot.
RUN groupadd --system --gid 10001 ogi \
    && useradd --system --uid 10001 --gid ogi --no-create-home --home-dir /tmp \
        --shell /usr/sbin/nologin ogi
USER 10001:10001
WORKDIR /tmp

ENV OGI_GRPC_PORT=50051
EXPOSE 50051 8080

CMD ["ogi", "--help"]
