"""Reading the emitted kinds and the injected ConfigMaps straight from the generated tree."""

from __future__ import annotations

from rosgit.argocd.kinds import emitted_kinds, group_of, injected_config_maps
from rosgit.fileset.text import yaml_file


def _tree() -> dict[str, str]:
    return {
        "base/a/kustomization.yaml": yaml_file(
            {
                "kind": "Kustomization",
                "resources": ["deployment.yaml"],
                "configMapGenerator": [{"name": "cfg", "literals": ["a=b"]}],
            }
        ),
        "base/a/deployment.yaml": yaml_file(
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"}}
        ),
        "overlays/o/kustomization.yaml": yaml_file(
            {
                "kind": "Kustomization",
                "resources": ["../../base/a", "extra.yaml"],
                "patches": [{"path": "p.yaml"}],
            }
        ),
        "overlays/o/extra.yaml": yaml_file(
            {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "a"}}
        ),
        # a patch is never an object of its own
        "overlays/o/p.yaml": yaml_file({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "a"}}),
        "components/openshift/ca.yaml": yaml_file(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": "ca",
                    "annotations": {"service.beta.openshift.io/inject-cabundle": "true"},
                },
            },
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}},
        ),
    }


def test_emitted_kinds_follow_resources_and_generators() -> None:
    assert emitted_kinds(_tree()) == {
        ("apps", "Deployment"),
        ("", "ConfigMap"),
        ("policy", "PodDisruptionBudget"),
    }


def test_injected_config_maps() -> None:
    assert injected_config_maps(_tree(), "components/openshift/") == ["ca"]
    assert injected_config_maps(_tree(), "components/kubernetes/") == []


def test_group_of() -> None:
    assert (
        group_of("v1") == ""
        and group_of("apps/v1") == "apps"
        and group_of("route.openshift.io/v1") == ("route.openshift.io")
    )
