"""Offline checks of the deployment files: Dockerfile, Compose, NATS server config, Kubernetes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from kustomize_lite import Document, UnsupportedKustomization, render

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
NATS_CONF = ROOT / "deploy" / "nats" / "nats-server.conf"
OVERLAYS = ROOT / "deploy" / "k8s" / "overlays"
SERVICES = ("intake", "routing", "review", "reply", "complaint", "report", "query")
AGENCIES = ("municipal-office", "archives-bureau", "natural-resources-bureau", "supervision-bureau")
GRPC_PORT = 50051
KUBERNETES_VERSION = "1.30"


def _venv_tool(name: str) -> Path:
    return Path(sys.executable).parent / name


# --- Dockerfile -----------------------------------------------------------------------------


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    instructions = []
    for line in "\n".join(lines).replace("\\\n", " ").splitlines():
        if line:
            instruction, _, arguments = line.partition(" ")
            instructions.append((instruction.upper(), " ".join(arguments.split())))
    return instructions


def _dockerfile_uid() -> int:
    users = [args for instruction, args in _dockerfile_instructions() if instruction == "USER"]
    return int(users[-1].split(":")[0])


def test_dockerfile_installs_with_make_and_runs_as_non_root() -> None:
    instructions = _dockerfile_instructions()
    runs = [args for instruction, args in instructions if instruction == "RUN"]
    assert instructions[0] == ("FROM", "python:3.11-slim")
    assert any("apt-get install -y --no-install-recommends make" in run for run in runs)
    assert any(run == "make install-prod" for run in runs)
    assert _dockerfile_uid() > 0


def test_dockerignore_keeps_environments_history_and_data_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".venv", ".git", "data", ".ogi-data", "**/__pycache__", ".pytest_cache"} <= set(ignored)


# --- Docker Compose ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> Document:
    document: Document = yaml.safe_load(COMPOSE_FILE.read_text())
    return document


def test_compose_file_follows_the_compose_spec() -> None:
    result = subprocess.run(
        [
            str(_venv_tool("check-jsonschema")),
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE_FILE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_compose_service_runs_the_built_image_against_nats_and_postgres(
    compose: Document, service: str
) -> None:
    spec = compose["services"][service]
    assert spec["build"] == {"context": ".", "dockerfile": "Dockerfile"}
    assert spec["image"] == "ogi:latest"
    assert spec["command"] == [f"ogi-{service}"]
    environment = spec["environment"]
    assert environment["OGI_AGENCIES"].split(",") == list(AGENCIES)
    assert environment["OGI_NATS_URL"] == "nats://nats:4222"
    database_url = r"postgresql://ogi:\$\{OGI_DB_PASSWORD:\?[^}]+\}@postgres:5432/ogi"
    assert re.fullmatch(database_url, environment["OGI_DATABASE_URL"])
    assert spec["depends_on"] == {
        "nats": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }
    health = f"ogi health --service {service} --address 127.0.0.1:{GRPC_PORT}"
    assert spec["healthcheck"]["test"] == ["CMD", *health.split()]
    assert spec["restart"] == "unless-stopped"


def test_compose_publishes_grpc_ports_on_loopback_only(compose: Document) -> None:
    published = [compose["services"][service]["ports"] for service in SERVICES]
    assert published == [[f"127.0.0.1:{50051 + i}:{GRPC_PORT}"] for i in range(len(SERVICES))]
    assert "ports" not in compose["services"]["nats"]
    assert "ports" not in compose["services"]["postgres"]


def test_compose_backing_services_are_healthchecked_and_persistent(compose: Document) -> None:
    nats, postgres = compose["services"]["nats"], compose["services"]["postgres"]
    assert nats["image"] == "nats:2.10-alpine"
    assert "./deploy/nats/nats-server.conf:/etc/nats/nats-server.conf:ro" in nats["volumes"]
    assert "nats-data:/data" in nats["volumes"]
    assert nats["command"][:3] == ["nats-server", "--config", "/etc/nats/nats-server.conf"]
    assert nats["healthcheck"]["test"][1] == "wget"
    assert postgres["image"] == "postgres:16-alpine"
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert postgres["healthcheck"]["test"][1] == "pg_isready"
    assert set(compose["volumes"]) == {"nats-data", "postgres-data"}


def test_compose_gives_nats_every_password_of_its_config(
    compose: Document, nats_users: dict[str, Document]
) -> None:
    nats_environment = compose["services"]["nats"]["environment"]
    assert set(nats_environment) == set(_password_variables(nats_users))
    # A service process serving several agencies uses the admin identity.
    intake_environment = compose["services"]["intake"]["environment"]
    assert intake_environment["OGI_NATS_USER"] == "admin"
    assert intake_environment["OGI_NATS_PASSWORD"] == nats_environment["ADMIN_NATS_PASSWORD"]


_SUBSTITUTION = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?+])?[^}]*\}")
SECRETS = {"OGI_DB_PASSWORD", "OGI_TOKEN_SECRET"}


def test_compose_starts_only_with_its_secrets(
    compose: Document, nats_users: dict[str, Document]
) -> None:
    """Every secret is ``${VAR:?message}``: no default in the file, compose refuses to start
    without it; only settings that are not secret (the log level) have defaults."""
    substitutions = {
        (m.group(1), m.group(2)) for m in _SUBSTITUTION.finditer(COMPOSE_FILE.read_text())
    }
    secrets = SECRETS | set(_password_variables(nats_users))
    assert {name for name, _ in substitutions} >= secrets
    assert {(name, how) for name, how in substitutions if name in secrets} == {
        (name, ":?") for name in secrets
    }
    assert {name for name, how in substitutions if how != ":?"} == {"OGI_LOG_LEVEL"}
    for service in compose["services"].values():
        for value in service.get("environment", {}).values():
            assert "trial" not in str(value) and "change-me" not in str(value), value


# --- NATS server configuration -----------------------------------------------------------------

_NATS_TOKEN = re.compile(r'\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|[{}\[\]:=,]|[^\s{}\[\]:=,#"]+')


def _parse_nats_conf(text: str) -> Document:
    """Parse the subset of the NATS config syntax the file uses: maps, arrays, strings, words."""
    tokens = [t for t in _NATS_TOKEN.findall(text) if not t.isspace() and not t.startswith("#")]
    tokens.reverse()
    return _parse_nats_map(tokens, closing=None)


def _parse_nats_map(tokens: list[str], closing: str | None) -> Document:
    result: Document = {}
    while tokens and tokens[-1] != closing:
        key = _nats_scalar(tokens.pop())
        if tokens[-1] in (":", "="):
            tokens.pop()
        result[key] = _parse_nats_value(tokens)
        if tokens and tokens[-1] == ",":
            tokens.pop()
    if closing is not None:
        assert tokens.pop() == closing
    return result


def _parse_nats_value(tokens: list[str]) -> Any:
    token = tokens.pop()
    if token == "{":
        return _parse_nats_map(tokens, closing="}")
    if token == "[":
        items = []
        while tokens[-1] != "]":
            items.append(_parse_nats_value(tokens))
            if tokens[-1] == ",":
                tokens.pop()
        tokens.pop()
        return items
    return _nats_scalar(token)


def _nats_scalar(token: str) -> str:
    return str(json.loads(token)) if token.startswith('"') else token


@pytest.fixture(scope="module")
def nats_conf() -> Document:
    return _parse_nats_conf(NATS_CONF.read_text())


@pytest.fixture(scope="module")
def nats_users(nats_conf: Document) -> dict[str, Document]:
    return {user["user"]: user for user in nats_conf["authorization"]["users"]}


def _password_variables(nats_users: dict[str, Document]) -> dict[str, str]:
    """Every environment variable the config reads, with a test value."""
    return {user["password"].removeprefix("$"): f"test-{name}" for name, user in nats_users.items()}


def _agency_publish_allow(code: str) -> set[str]:
    consumers = [f"{code}__{service}" for service in SERVICES]
    return {
        f"ogi.{code}.>",
        f"ogidlq.{code}.>",
        "$JS.API.STREAM.INFO.OGI",
        "$JS.API.STREAM.INFO.OGI_DLQ",
        *(f"$JS.API.CONSUMER.INFO.OGI.{consumer}" for consumer in consumers),
        *(f"$JS.API.CONSUMER.MSG.NEXT.OGI.{consumer}" for consumer in consumers),
        *(f"$JS.ACK.OGI.{consumer}.>" for consumer in consumers),
    }


def test_nats_runs_jetstream(nats_conf: Document) -> None:
    assert nats_conf["jetstream"] == "enabled"


def test_nats_has_one_user_per_agency_and_admin(nats_users: dict[str, Document]) -> None:
    assert set(nats_users) == {"admin", *AGENCIES}
    for name, user in nats_users.items():
        assert user["password"] == "$" + name.upper().replace("-", "_") + "_NATS_PASSWORD"


@pytest.mark.parametrize("code", AGENCIES)
def test_nats_agency_publishes_only_under_its_own_name(
    nats_users: dict[str, Document], code: str
) -> None:
    permissions = nats_users[code]["permissions"]
    publish = permissions["publish"]["allow"]
    assert sorted(publish) == sorted(_agency_publish_allow(code))
    assert len(publish) == len(set(publish))
    assert permissions["subscribe"] == {"allow": [f"_INBOX_{code}.>"]}
    assert set(permissions) == {"publish", "subscribe"}


def test_nats_only_admin_has_the_jetstream_api(nats_users: dict[str, Document]) -> None:
    assert "$JS.>" in nats_users["admin"]["permissions"]["publish"]["allow"]
    for name in AGENCIES:
        permissions = nats_users[name]["permissions"]
        subjects = permissions["publish"]["allow"] + permissions["subscribe"]["allow"]
        assert not {">", "$JS.>", "$JS.API.>"} & set(subjects), name


def test_nats_permission_wildcards_are_whole_tokens(nats_users: dict[str, Document]) -> None:
    # NATS matches * and > only as a whole token: "code__*" would be a literal consumer name.
    for user in nats_users.values():
        for direction in user["permissions"].values():
            for subject in direction["allow"]:
                for token in subject.split("."):
                    assert token in ("*", ">") or not set(token) & {"*", ">"}, subject


@pytest.mark.nats
def test_nats_server_accepts_the_config(nats_users: dict[str, Document]) -> None:
    binary = _venv_tool("nats-server")
    if not binary.exists():
        found = shutil.which("nats-server")
        if found is None:
            pytest.skip("no nats-server binary")
        binary = Path(found)
    result = subprocess.run(
        [str(binary), "-t", "-c", str(NATS_CONF)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **_password_variables(nats_users)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Kubernetes -------------------------------------------------------------------------------


def _by_kind(documents: list[Document], kind: str) -> dict[str, Document]:
    return {d["metadata"]["name"]: d for d in documents if d["kind"] == kind}


def test_there_is_one_overlay_per_default_agency() -> None:
    assert sorted(path.name for path in OVERLAYS.iterdir()) == sorted(AGENCIES)


@pytest.mark.parametrize("code", AGENCIES)
def test_overlay_renders_valid_kubernetes_objects(code: str) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    documents = render(OVERLAYS / code)
    assert Counter(d["kind"] for d in documents) == {
        "ConfigMap": 1,
        "Deployment": len(SERVICES) + 1,  # and the web front end
        "Service": len(SERVICES) + 1,
    }
    failures = []
    for document in documents:
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as e:
            failures.append(f"{document['kind']}/{document['metadata']['name']}: {e.message}")
    assert not failures


@pytest.mark.parametrize("code", AGENCIES)
def test_overlay_configures_its_own_agency(code: str) -> None:
    documents = render(OVERLAYS / code)
    for document in documents:
        metadata = document["metadata"]
        assert metadata["namespace"] == f"ogi-{code}"
        assert metadata["name"].startswith(f"{code}-")
        assert metadata["labels"]["app.kubernetes.io/instance"] == code
    config = _by_kind(documents, "ConfigMap")[f"{code}-ogi-config"]["data"]
    assert config["OGI_AGENCIES"] == code
    assert config["OGI_NATS_USER"] == code
    assert config["OGI_GRPC_PORT"] == str(GRPC_PORT)
    assert config["OGI_NATS_URL"].startswith("nats://")
    assert not {"OGI_DATABASE_URL", "OGI_NATS_PASSWORD"} & set(config)


@pytest.mark.parametrize("code", AGENCIES)
def test_overlay_deployments_are_probed_confined_and_served(code: str) -> None:
    documents = render(OVERLAYS / code)
    deployments = _by_kind(documents, "Deployment")
    services = _by_kind(documents, "Service")
    for service in SERVICES:
        name = f"{code}-{service}"
        template = deployments[name]["spec"]["template"]
        pod = template["spec"]
        [container] = pod["containers"]
        assert container["command"] == [f"ogi-{service}"]
        assert container["envFrom"] == [
            {"configMapRef": {"name": f"{code}-ogi-config"}},
            {"secretRef": {"name": "ogi-secrets"}},
        ]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"] == {"port": GRPC_PORT}
        assert container["resources"]["limits"]["memory"] == "256Mi"
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == _dockerfile_uid()
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]]
        assert template["metadata"]["labels"]["app.kubernetes.io/instance"] == code
        selector = services[name]["spec"]["selector"]
        assert selector.items() <= template["metadata"]["labels"].items()
        assert selector == deployments[name]["spec"]["selector"]["matchLabels"]
        assert services[name]["spec"]["ports"][0]["port"] == GRPC_PORT


@pytest.mark.parametrize("code", AGENCIES)
def test_overlay_web_front_end_is_probed_over_http_and_finds_its_services(code: str) -> None:
    documents = render(OVERLAYS / code)
    [container] = _by_kind(documents, "Deployment")[f"{code}-web"]["spec"]["template"]["spec"][
        "containers"
    ]
    assert container["command"] == ["ogi-web"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    config = _by_kind(documents, "ConfigMap")[f"{code}-ogi-config"]["data"]
    endpoints = dict(pair.split("=") for pair in config["OGI_ENDPOINTS"].split(","))
    services = _by_kind(documents, "Service")
    assert endpoints == {s: f"{code}-{s}:{GRPC_PORT}" for s in SERVICES}
    assert all(address.split(":")[0] in services for address in endpoints.values())


def test_renderer_refuses_kustomize_features_it_does_not_implement(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\npatches: []\n"
    )
    with pytest.raises(UnsupportedKustomization, match="patches"):
        render(tmp_path)
