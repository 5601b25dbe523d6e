"""Time to validate one built overlay: the pinned kubeconform against the builtin (jsonschema) validator.

Usage: python3 benchmarks/validate.py [--overlay openshift-minimal] [--runs 7]

The overlay is built once (pinned kustomize); only validation is timed, in-process, through the same
`validate_documents` API `rosgit check` uses, with a warm schema cache. Also prints the cold-cache cost
(first run after the cache is emptied: Kubernetes schemas and vendored CRDs converted) for each validator.
Prints medians and the builtin/kubeconform ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rosgit.build import build_objects  # noqa: E402
from rosgit.validate import validate_documents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", default="openshift-minimal")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    objects = build_objects(REPO / "overlays" / args.overlay, engine="kustomize")
    source = f"overlays/{args.overlay}"
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ROSGIT_CACHE_DIR"] = cache
        cold: dict[str, float] = {}
        for validator in ("kubeconform", "builtin"):
            os.environ["ROSGIT_CACHE_DIR"] = str(Path(cache) / validator)
            start = time.perf_counter()
            report = validate_documents(objects, source=source, validator=validator)
            cold[validator] = time.perf_counter() - start
            if not report.ok:
                raise SystemExit(f"{source} is not valid with {validator}")
        warm: dict[str, list[float]] = {"kubeconform": [], "builtin": []}
        for _ in range(args.runs):
            for validator in warm:  # interleaved, so machine noise hits both alike
                os.environ["ROSGIT_CACHE_DIR"] = str(Path(cache) / validator)
                start = time.perf_counter()
                validate_documents(objects, source=source, validator=validator)
                warm[validator].append(time.perf_counter() - start)
    kube, builtin = (statistics.median(warm[v]) for v in ("kubeconform", "builtin"))
    print(f"overlay {args.overlay}: {len(objects)} objects, {args.runs} warm runs each")
    print(f"  kubeconform  warm median {kube * 1000:7.1f} ms   cold {cold['kubeconform'] * 1000:7.1f} ms")
    print(f"  builtin      warm median {builtin * 1000:7.1f} ms   cold {cold['builtin'] * 1000:7.1f} ms")
    print(f"  ratio builtin/kubeconform (warm): {builtin / kube:.2f}")


if __name__ == "__main__":
    main()
