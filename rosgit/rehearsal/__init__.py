"""`rosgit rehearse`: the overlays synced by the real Argo CD into a real control plane (kube-apiserver, etcd,
controller-manager, scheduler) whose nodes and kubelets kwok fakes, with the real sealed-secrets controller;
everything in one loopback-only network namespace (docs/rehearsal.md)."""
