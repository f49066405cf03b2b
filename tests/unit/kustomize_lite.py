"""A small kustomize renderer for the kustomizations under deploy/k8s, so tests need no binary.

It implements exactly the features those files use and refuses any other field:

- ``resources``: YAML files (one or more documents) and directories holding a kustomization;
- ``configMapGenerator`` with ``literals``, ``behavior`` ``create`` (name hash suffixes are not
  implemented: ``generatorOptions.disableNameSuffixHash`` must be true) or ``merge`` (into a
  ConfigMap of the resources, matched by its name as rendered so far);
- ``namePrefix``, with references to renamed ConfigMaps rewritten in pod templates
  (``envFrom[].configMapRef`` and ``volumes[].configMap``);
- ``namespace``;
- ``labels`` with ``pairs`` and ``includeTemplates`` (not ``includeSelectors``).

Transformations run in kustomize's order: resources, generators, then the transformers.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

Document = dict[str, Any]

_FIELDS = frozenset(
    {
        "apiVersion",
        "kind",
        "resources",
        "configMapGenerator",
        "generatorOptions",
        "namePrefix",
        "namespace",
        "labels",
    }
)


class UnsupportedKustomization(ValueError):
    """The kustomization uses a feature this renderer does not implement."""


def render(directory: Path) -> list[Document]:
    """Render the kustomization in ``directory`` into its list of documents."""
    kustomization = _load_kustomization(directory)
    documents: list[Document] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        documents.extend(render(path) if path.is_dir() else _load_documents(path))
    options = kustomization.get("generatorOptions", {})
    _check_fields("generatorOptions", options, {"disableNameSuffixHash"})
    for generator in kustomization.get("configMapGenerator", []):
        _generate_config_map(documents, generator, options)
    if "namePrefix" in kustomization:
        _add_name_prefix(documents, kustomization["namePrefix"])
    if "namespace" in kustomization:
        for document in documents:
            document["metadata"]["namespace"] = kustomization["namespace"]
    for label_set in kustomization.get("labels", []):
        _add_labels(documents, label_set)
    return documents


def _load_kustomization(directory: Path) -> Document:
    kustomization: Document = yaml.safe_load((directory / "kustomization.yaml").read_text())
    _check_fields(f"{directory}/kustomization.yaml", kustomization, _FIELDS)
    if (kustomization.get("apiVersion"), kustomization.get("kind")) != (
        "kustomize.config.k8s.io/v1beta1",
        "Kustomization",
    ):
        raise UnsupportedKustomization(f"{directory}: not a kustomize.config.k8s.io/v1beta1 file")
    return kustomization


def _load_documents(path: Path) -> list[Document]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def _check_fields(where: str, mapping: Document, supported: Collection[str]) -> None:
    unsupported = sorted(set(mapping).difference(supported))
    if unsupported:
        raise UnsupportedKustomization(f"{where}: unsupported fields {unsupported}")


def _generate_config_map(documents: list[Document], generator: Document, options: Document) -> None:
    _check_fields("configMapGenerator", generator, {"name", "behavior", "literals"})
    name = generator["name"]
    data = dict(literal.split("=", 1) for literal in generator.get("literals", []))
    existing = [d for d in documents if d["kind"] == "ConfigMap" and d["metadata"]["name"] == name]
    behavior = generator.get("behavior", "create")
    if behavior == "create":
        if not options.get("disableNameSuffixHash"):
            raise UnsupportedKustomization("name hash suffixes: set disableNameSuffixHash")
        if existing:
            raise ValueError(f"ConfigMap {name} exists; behavior must be merge")
        documents.append(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
        )
    elif behavior == "merge":
        if not existing:
            raise ValueError(f"ConfigMap {name} does not exist; cannot merge")
        existing[0].setdefault("data", {}).update(data)
    else:
        raise UnsupportedKustomization(f"configMapGenerator behavior {behavior}")


def _add_name_prefix(documents: list[Document], prefix: str) -> None:
    renamed_config_maps: dict[str, str] = {}
    for document in documents:
        metadata = document["metadata"]
        if document["kind"] == "ConfigMap":
            renamed_config_maps[metadata["name"]] = prefix + metadata["name"]
        metadata["name"] = prefix + metadata["name"]
    for document in documents:
        pod = document.get("spec", {}).get("template", {}).get("spec")
        if pod is None:
            continue
        references = [
            source["configMapRef"]
            for container in pod["containers"]
            for source in container.get("envFrom", [])
            if "configMapRef" in source
        ] + [volume["configMap"] for volume in pod.get("volumes", []) if "configMap" in volume]
        for reference in references:
            reference["name"] = renamed_config_maps.get(reference["name"], reference["name"])


def _add_labels(documents: list[Document], label_set: Document) -> None:
    _check_fields("labels", label_set, {"pairs", "includeTemplates"})
    pairs = label_set["pairs"]
    for document in documents:
        document["metadata"].setdefault("labels", {}).update(pairs)
        template = document.get("spec", {}).get("template")
        if label_set.get("includeTemplates") and template is not None:
            template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
