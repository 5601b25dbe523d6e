"""Load the image contracts (rosgit/contracts/data/<image-key>.yaml) and check them against the catalog.

Every problem is one `FILE:LINE: reason` UsageError (exit 2), read with the catalog's typed Reader:
unknown keys, wrong types and a fact without `source:` are its errors; this module adds the rules the
types cannot say (the file name is the image key, `sources` are `owner/repo@commit`, every `source:` is
`ALIAS:path[:line[-line]]` with a declared alias, an enum lists its values) and the coverage check
(every catalog image has a contract whose repository and tag are the catalog's; no contract for an
image the catalog does not use). The whole format is in docs/contracts.md.

Conditional facts: any fact may carry `when: {env: NAME, is: VALUE, source: ALIAS:path[:line]}`, or a list
of such (all must hold). NAME must be an env fact of the fact's scope (its mode's `env` or the top-level
`env`; a top-level fact only the latter), VALUE a string that NAME's type and parser read (a django-environ
bool accepts "False", "0", "no"..., not "maybe"); otherwise the error is at the condition's line. How a
condition is judged against a container (set / unset: the default / not visible: applies) is
rosgit.contracts.conditions.

A catalog image without a contract is an error, for the packaged data and for a directory given through
ROSGIT_CONTRACTS_DIR (tests, trying out new contracts) alike.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rosgit import cache
from rosgit.catalog.loader import parse_yaml, read_yaml_bytes
from rosgit.catalog.model import Catalog
from rosgit.catalog.schema import Reader
from rosgit.contracts.conditions import Observe, Observed, applying, declared_env, judged_names
from rosgit.contracts.model import Condition, ImageContract, Write
from rosgit.contracts.parsers import value_problem
from rosgit.errors import UsageError
from rosgit.kustomize import split_image

DATA_DIR = Path(__file__).resolve().parent / "data"
DIRECTORY_VARIABLE = "ROSGIT_CONTRACTS_DIR"

_ORIGIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{7,40}$")
_MODE = re.compile(r"^contract\.modes\[(?P<index>[0-9]+)\]")
_SOURCE = re.compile(r"^(?P<alias>[A-Za-z0-9_-]+):(?P<path>[^:\s]+)(?::[0-9]+(?:-[0-9]+)?)?$")


@dataclass(frozen=True)
class ContractSet:
    """The contracts of one data directory, by image key, with the file each came from."""

    contracts: Mapping[str, ImageContract]
    files: Mapping[str, Path]
    # `applying`'s work: the variables each contract's conditions name, and the contracts pruned so far
    _judged: dict[str, tuple[str, ...]] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _pruned: dict[tuple[str, tuple[Observed, ...]], ImageContract] = dataclasses.field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def get(self, image_key: str) -> ImageContract | None:
        return self.contracts.get(image_key)

    def applying(self, image_key: str, observe: Observe) -> ImageContract:
        """The image's contract as it holds for one container (rosgit.contracts.conditions.applying).

        Pruning is the costly part, and the overlays run one image in dozens of containers (Koku's workers)
        that agree on every variable its conditions name: it is done once per image and agreement, for
        every overlay linted with this set."""
        contract = self.contracts[image_key]
        names = self._judged.get(image_key)
        if names is None:
            names = self._judged[image_key] = judged_names(contract)
        agreement = (image_key, tuple(observe(name) for name in names))
        holding = self._pruned.get(agreement)
        if holding is None:
            holding = self._pruned[agreement] = applying(contract, observe)
        return holding


def _facts(node: object, context: str) -> Iterator[tuple[object, str]]:
    """Every dataclass object under node that carries a `source` (a fact), with its dotted path."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        if hasattr(node, "source"):
            yield node, context
        for item in dataclasses.fields(node):
            yield from _facts(getattr(node, item.name), f"{context}.{item.name}")
    elif isinstance(node, tuple | list):
        for index, item in enumerate(node):
            yield from _facts(item, f"{context}[{index}]")


def load_contract(path: Path, data: bytes | None = None) -> ImageContract:
    """`data`: the file's bytes, read already."""
    tree = parse_yaml(path, data)
    reader = Reader(path)
    if not isinstance(tree, dict):
        raise reader.fail(None, "an image contract must be a mapping")
    contract = reader.read(ImageContract, tree, 0, "contract")
    if contract.image != path.stem:
        raise reader.fail(
            reader.line_at("contract.image"), f"image {contract.image!r} must equal the file name {path.stem!r}"
        )
    for alias, origin in contract.sources.items():
        if not _ORIGIN.match(origin):
            raise reader.fail(
                reader.line_at(f"contract.sources.{alias}"),
                f"sources.{alias}: {origin!r} is not owner/repo@<7-40 hex commit>",
            )
    for fact, where in _facts(contract, "contract"):
        line = reader.line_of(fact)
        _check_source(reader, contract, str(getattr(fact, "source", "")), f"{where}.source", line)
        if getattr(fact, "type", None) == "enum" and not getattr(fact, "values", None):
            raise reader.fail(line, f"{where}: type enum needs `values`")
        if isinstance(fact, Condition):
            _check_condition(reader, contract, fact, where, line)
        if isinstance(fact, Write):
            _check_writable(reader, contract, fact, where, line)
    return contract


def _check_source(reader: Reader, contract: ImageContract, source: str, where: str, line: int | None) -> None:
    match = _SOURCE.match(source)
    if match is None:
        raise reader.fail(line, f"{where}: {source!r} is not ALIAS:path[:line[-line]]")
    if match.group("alias") not in contract.sources:
        declared = ", ".join(sorted(contract.sources)) or "none"
        raise reader.fail(line, f"{where}: alias {match.group('alias')!r} is not declared in sources ({declared})")


def _check_writable(reader: Reader, contract: ImageContract, write: Write, where: str, line: int | None) -> None:
    """Who may write a path is a fact about the image's build, so it carries its own source; `unknown`
    has nothing to cite."""
    if write.writable_by == "unknown":
        if write.writable_source is not None:
            raise reader.fail(line, f"{where}.writable_source: given, but writable_by is unknown (say who may write)")
        return
    if write.writable_source is None:
        raise reader.fail(
            line, f"{where}: writable_by {write.writable_by} needs writable_source (the build line setting owner/mode)"
        )
    if write.writable_by == "owner" and contract.user is None:
        raise reader.fail(line, f"{where}: writable_by owner needs the contract's `user` (the owner)")
    _check_source(reader, contract, write.writable_source, f"{where}.writable_source", line)


def _check_condition(
    reader: Reader, contract: ImageContract, condition: Condition, where: str, line: int | None
) -> None:
    """A condition names an env fact of its scope (its mode's env or the contract's) and a value that
    variable's parser reads."""
    in_mode = _MODE.match(where)
    mode = contract.modes[int(in_mode.group("index"))] if in_mode else None
    env = declared_env(contract, mode)
    fact = env.get(condition.env)
    if fact is None:
        scope = f"mode {mode.name}'s or the contract's" if mode else "the contract's top-level"
        raise reader.fail(line, f"{where}.env: {condition.env!r} is not declared in {scope} env")
    problem = value_problem(fact, condition.is_)
    if problem:
        raise reader.fail(
            line, f"{where}.is: {condition.is_!r} for {fact.name} ({fact.type}, {fact.parser}): {problem}"
        )


def load_contracts(directory: Path) -> ContractSet:
    """Every `*.yaml` contract of a directory (none when it does not exist)."""
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    # each contract's result is reused for the same bytes (rosgit.cache): ruamel's parse is slow
    contracts = {path.stem: _remembered_contract(path) for path in files}
    return ContractSet(contracts, {path.stem: path for path in files})


def _remembered_contract(path: Path) -> ImageContract:
    data = read_yaml_bytes(path)
    return cache.file_memo("contract", path, data, partial(load_contract, path, data))


def _image_lines(catalog_path: Path) -> dict[str, int]:
    images = parse_yaml(catalog_path).get("images")
    lines: dict[str, int] = {}
    for key in images if isinstance(images, dict) else ():
        try:
            lines[str(key)] = int(images.lc.key(key)[0]) + 1
        except (AttributeError, KeyError, TypeError):
            continue
    return lines


def check_coverage(contracts: ContractSet, catalog: Catalog, catalog_path: Path, *, complete: bool) -> None:
    """Raises on the first catalog image whose contract is missing (when `complete`), names another
    repository or was read for another tag, and on a contract for an image the catalog does not have."""
    for key, contract in sorted(contracts.contracts.items()):
        path = contracts.files[key]
        if key not in catalog.images:
            raise UsageError(
                f"contract for image {key!r}, which the catalog does not have "
                f"(catalog images: {', '.join(catalog.images)})",
                location=f"{path}:{_line_of_key(path, 'image')}",
            )
        repository, tag, _ = split_image(catalog.images[key])
        for field, want, have in (("repository", repository, contract.repository), ("tag", tag, contract.tag)):
            if want != have:
                raise UsageError(
                    f"{field} {have!r} is not the catalog's {want!r} ({catalog.images[key]}); "
                    "re-read the program for the catalog's image and update the contract",
                    location=f"{path}:{_line_of_key(path, field)}",
                )
    if not complete:
        return
    missing = [key for key in catalog.images if key not in contracts.contracts]
    if missing:
        lines = _image_lines(catalog_path)
        key = missing[0]
        raise UsageError(
            f"image {key!r} has no contract (expected {DATA_DIR.name}/{key}.yaml in the contracts directory)",
            location=f"{catalog_path}:{lines.get(key, 1)}",
        )


def _line_of_key(path: Path, key: str) -> int:
    tree = parse_yaml(path)
    try:
        return int(tree.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return 1


def contracts_for(catalog: Catalog, catalog_path: Path) -> ContractSet:
    """The contracts lint and check use: ROSGIT_CONTRACTS_DIR if set, else the packaged data, checked
    against the catalog (see the module docstring for coverage)."""
    chosen = os.environ.get(DIRECTORY_VARIABLE)
    directory = Path(chosen) if chosen else DATA_DIR
    if chosen and not directory.is_dir():
        raise UsageError(f"{DIRECTORY_VARIABLE}={chosen}: not a directory")
    contracts = load_contracts(directory)
    check_coverage(contracts, catalog, catalog_path, complete=True)
    return contracts
