"""YAML input and output exactly as kustomize v5 reads resources and prints `kustomize build`.

Reading follows kyaml (go-yaml v3 scalar resolution) followed by the JSON round trip kustomize
performs on output, so loaded values already hold what would be printed (0755 -> 493, 1.0 -> 1).
Printing follows sigs.k8s.io/yaml's JSONToYAML, i.e. go-yaml v2's encoder and libyaml-style
emitter: natural key order, indentless sequences, YAML 1.1 quoting, 80-column folding.

Public API (the rest of the engine imports these names from here):
- `load_resource_documents(text, source)`: resource files (kyaml rules, List expansion, checks).
- `load_yaml_documents(text, source)`: any kyaml-read YAML (patch files), no resource checks.
- `load_kustomization(text, source)`: kustomization files (sigs.k8s.io/yaml, YAML 1.1 scalars).
- `load_yaml11_value(text, source)`: a snippet decoded like a kustomization (any shape).
- `dump_documents(objs)` / `dump_document(obj)`: the exact `kustomize build` text.
- `kyaml_plain_is_string(text)`: whether a key kustomize writes as plain YAML reads back as a string.
- `natural_key_sort(keys)`, `go_key_less(a, b)`: go-yaml v2's key order and its comparison.
All errors are one-line `UsageError`s naming the file.

Modules, lowest first: `gonumbers` (Go's strconv parsing) and `timestamps`, `scalars` (plain-scalar
resolution, v3 and v2), `compose` (libyaml nodes, kyaml's document split), `construct` (nodes to data),
`resources` and `kustomization` (the two readers), `style` and `keyorder`, `emitter` (the printer).
Go's float and JSON text is `rosgit.kustomize.gojson`.
"""

from __future__ import annotations

from rosgit.kustomize.yamlio.emitter import dump_document, dump_documents
from rosgit.kustomize.yamlio.keyorder import go_key_less, natural_key_sort
from rosgit.kustomize.yamlio.kustomization import load_kustomization, load_yaml11_value
from rosgit.kustomize.yamlio.resources import load_resource_documents, load_yaml_documents
from rosgit.kustomize.yamlio.scalars import kyaml_plain_is_string

__all__ = [
    "dump_document",
    "dump_documents",
    "go_key_less",
    "kyaml_plain_is_string",
    "load_kustomization",
    "load_resource_documents",
    "load_yaml11_value",
    "load_yaml_documents",
    "natural_key_sort",
]
