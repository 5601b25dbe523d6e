"""The rehearsal's cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, Redis, a git
daemon, Argo CD's repo-server and application controller, and the sealed-secrets controller, each a process in
one conformance Sandbox (a network namespace with only `lo`, so nothing listens outside it, and a private mount
namespace). Every process is registered by PID with the sandbox and stopped by `stop()`, which the context
manager calls on any exit (a failure, Ctrl-C)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from rosgit.conformance.redis import installed_bin
from rosgit.conformance.result import WaitTimeout
from rosgit.conformance.sandbox import BASE_PATH, Sandbox, last_line
from rosgit.k8s.objects import Obj
from rosgit.rehearsal import objects as O
from rosgit.rehearsal.pki import Pki, kubeconfig, make_pki
from rosgit.tools import BackgroundProcess, ProcessResult, require_program

# Every pin a rehearsal runs (scripts/install-tools.sh installs them), kustomize for Argo CD's repo-server.
CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok")
PROGRAMS = (*CONTROL_PLANE, "argocd", "sealed-secrets-controller", "kustomize", "redis-server", "redis-tools",
            "libjemalloc2", "liblzf1")
APISERVER = "https://127.0.0.1:6443"
GIT_PORT = 9418
SEALED_SECRETS_NAMESPACE = "kube-system"
SEALING_KEY_LABEL = "sealedsecrets.bitnami.com/sealed-secrets-key"
# rest.InClusterConfig's fixed paths: the sealed-secrets controller knows no kubeconfig
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def require_programs(names: tuple[str, ...] = PROGRAMS) -> dict[str, Path]:
    """Each program's path; NotInstalled (one line naming it and the install command) for the first missing."""
    return {name: require_program(name) for name in names}


class KubectlFailed(WaitTimeout):
    """kubectl exited non-zero: the message is its last line of stderr (the API server's rejection)."""


@dataclass
class Timings:
    """Seconds from the start of `Cluster.start` to each step."""

    steps: dict[str, float]

    def line(self) -> str:
        return ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.steps.items())


class Cluster:
    """`gitops=False`: the control plane and kwok only (no Argo CD, no sealed-secrets controller)."""

    def __init__(self, root: Path, *, gitops: bool = True) -> None:
        self.root = root
        self.gitops = gitops
        self.programs = require_programs(PROGRAMS if gitops else CONTROL_PLANE)
        self.bin = self.programs["kubectl"].parent
        self.sandbox = Sandbox(root / "sandbox", hosts=[])
        self.pki: Pki | None = None
        self.timings = Timings({})
        self._started = 0.0

    # --- lifetime -------------------------------------------------------------------------------------------
    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def stop(self) -> None:
        self.sandbox.stop()

    def leftovers(self) -> list[int]:
        return self.sandbox.leftovers()

    def _mark(self, step: str) -> None:
        self.timings.steps[step] = time.monotonic() - self._started

    def start(self) -> None:
        self._started = time.monotonic()
        self.sandbox.start()
        self.pki = make_pki()
        pki_dir = self.root / "pki"
        pki_dir.mkdir(parents=True, exist_ok=True)
        pki_dir.chmod(0o700)
        for name, data in self.pki.files.items():
            (pki_dir / name).write_bytes(data)
            (pki_dir / name).chmod(0o600)
        (self.root / "kubeconfig").write_text(kubeconfig(self.pki, APISERVER), encoding="utf-8")
        (self.root / "kubeconfig").chmod(0o600)
        (self.root / "argocd.kubeconfig").write_text(kubeconfig(self.pki, APISERVER, O.ARGOCD_NAMESPACE),
                                                     encoding="utf-8")
        (self.root / "argocd.kubeconfig").chmod(0o600)
        self._start_control_plane(pki_dir)
        self._mark("control plane")
        self._start_kwok()
        self._mark("kwok")
        if not self.gitops:
            return
        self._start_argocd()
        self._mark("argocd")
        self._start_sealed_secrets(pki_dir)
        self._mark("sealed-secrets")

    # --- programs -------------------------------------------------------------------------------------------
    def _env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        # kustomize (a pin of its own, maybe elsewhere) for Argo CD's repo-server
        path = dict.fromkeys([str(self.bin), *(str(p.parent) for n, p in self.programs.items() if n == "kustomize")])
        env = {"HOME": str(self.root / "home"), "KUBECONFIG": str(self.root / "kubeconfig"), "LANG": "C.UTF-8",
               "PATH": ":".join([*path, BASE_PATH])}
        env.update(extra or {})
        return env

    def _spawn(self, label: str, argv: list[str], env: Mapping[str, str] | None = None) -> BackgroundProcess:
        return self.sandbox.spawn(label, argv, self._env(env))

    def _start_control_plane(self, pki: Path) -> None:
        etcd = self._spawn("etcd", [
            str(self.programs["etcd"]), "--data-dir", str(self.root / "etcd"), "--log-level", "warn",
            "--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls", "http://127.0.0.1:2379",
            "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
            "--initial-cluster", "default=http://127.0.0.1:2380",
            # a rehearsal's data is thrown away: no fsync (the writes still go through etcd's raft and storage)
            "--unsafe-no-fsync",
        ])
        self.sandbox.wait_port("127.0.0.1", 2379, 30, etcd)
        apiserver = self._spawn("kube-apiserver", [
            str(self.programs["kube-apiserver"]), "--etcd-servers", "http://127.0.0.1:2379",
            "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", "6443",
            "--tls-cert-file", str(pki / "apiserver.crt"), "--tls-private-key-file", str(pki / "apiserver.key"),
            "--client-ca-file", str(pki / "ca.crt"), "--token-auth-file", str(pki / "tokens.csv"),
            "--service-account-key-file", str(pki / "sa.pub"),
            "--service-account-signing-key-file", str(pki / "sa.key"),
            "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
            "--service-cluster-ip-range", "10.0.0.0/24", "--authorization-mode", "RBAC",
            "--cert-dir", str(self.root / "apiserver-certs"), "--profiling=false",
            # as kubeadm's clusters: privileged pods are Pod Security's to refuse, per namespace
            "--allow-privileged=true",
            # 127.0.0.1 cannot be an Endpoints address; nothing in-cluster dials `kubernetes` here
            "--endpoint-reconciler-type", "none",
        ])
        self.wait_for("kube-apiserver /readyz", lambda: self.kubectl(["get", "--raw", "/readyz"], check=False)
                      .returncode == 0, 90, apiserver)
        kubeconfig_path = str(self.root / "kubeconfig")
        common = ["--kubeconfig", kubeconfig_path, "--authentication-kubeconfig", kubeconfig_path,
                  "--authorization-kubeconfig", kubeconfig_path, "--leader-elect=false", "--bind-address",
                  "127.0.0.1"]
        kcm = self._spawn("kube-controller-manager", [
            str(self.programs["kube-controller-manager"]), *common,
            "--service-account-private-key-file", str(pki / "sa.key"), "--root-ca-file", str(pki / "ca.crt"),
            "--use-service-account-credentials=false", "--controllers", "*",
        ])
        scheduler = self._spawn("kube-scheduler", [str(self.programs["kube-scheduler"]), *common])
        self.sandbox.wait_port("127.0.0.1", 10257, 60, kcm)
        self.sandbox.wait_port("127.0.0.1", 10259, 60, scheduler)

    def _start_kwok(self) -> None:
        stages = self.programs["kwok"].parent.parent / "share" / "kwok" / "stage"
        config = self.root / "kwok.yaml"
        config.write_text(O.kwok_configuration(stages), encoding="utf-8")
        self._spawn("kwok", [str(self.programs["kwok"]), "--kubeconfig", str(self.root / "kubeconfig"),
                             "--config", str(config)])

    def add_nodes(self, nodes: list[Obj], timeout: float = 60) -> None:
        self.apply(nodes)
        names = {str(n["metadata"]["name"]) for n in nodes}

        def ready() -> bool:
            listed = self.get_json(["get", "nodes"])
            up = {str(n["metadata"]["name"]) for n in listed.get("items", [])
                  if any(c.get("type") == "Ready" and c.get("status") == "True"
                         for c in n.get("status", {}).get("conditions", []))}
            return names <= up
        self.wait_for(f"the {len(names)} fake node(s) to be Ready (kwok)", ready, timeout,
                      self._process("kwok"))

    def _start_argocd(self) -> None:
        argocd = self.programs["argocd"]
        share = argocd.parent.parent / "share" / "argocd" / "crds"
        self.install_crds(O.crd_objects(share.glob("*-crd.yaml"), set()))
        self.apply(O.argocd_settings())
        redis_bin, libraries = installed_bin(self.root / "redis", "redis-server")
        redis = self._spawn("redis", [str(redis_bin / "redis-server"), "--bind", "127.0.0.1", "--port", "6379",
                                      "--save", "", "--appendonly", "no"], {"LD_LIBRARY_PATH": libraries})
        self.sandbox.wait_port("127.0.0.1", 6379, 30, redis)
        repos = self.root / "git"
        repos.mkdir(exist_ok=True)
        git = self._spawn("git-daemon", ["git", "daemon", "--listen=127.0.0.1", f"--port={GIT_PORT}",
                                         f"--base-path={repos}", "--export-all", "--reuseaddr", str(repos)])
        self.sandbox.wait_port("127.0.0.1", GIT_PORT, 30, git)
        data = self.root / "argocd"
        for sub in ("tls", "ssh", "gnupg", "tmp"):
            (data / sub).mkdir(parents=True, exist_ok=True)
        env = {"KUBECONFIG": str(self.root / "argocd.kubeconfig"), "ARGOCD_FAKE_IN_CLUSTER": "true",
               "ARGOCD_GPG_ENABLED": "false", "ARGOCD_TLS_DATA_PATH": str(data / "tls"),
               "ARGOCD_SSH_DATA_PATH": str(data / "ssh"), "ARGOCD_GNUPGHOME": str(data / "gnupg"),
               "TMPDIR": str(data / "tmp")}
        repo_server = self._spawn("argocd-repo-server", [
            str(argocd), "--address", "127.0.0.1", "--port", "8081", "--metrics-address", "127.0.0.1",
            "--metrics-port", "8084", "--redis", "127.0.0.1:6379", "--disable-tls", "--client-ca-path=",
        ], {**env, "ARGOCD_BINARY_NAME": "argocd-repo-server"})
        controller = self._spawn("argocd-application-controller", [
            str(argocd), "--repo-server", "127.0.0.1:8081", "--repo-server-plaintext", "--redis",
            "127.0.0.1:6379", "--metrics-port", "8082", "--app-resync", "30",
            # Argo CD 3 keeps each resource's health out of the Application unless asked: the report reads it
            "--persist-resource-health",
        ], {**env, "ARGOCD_BINARY_NAME": "argocd-application-controller"})
        self.sandbox.wait_port("127.0.0.1", 8081, 60, repo_server)
        self.sandbox.wait_port("127.0.0.1", 8082, 60, controller)

    def _start_sealed_secrets(self, pki: Path) -> None:
        account = self.root / "serviceaccount"
        account.mkdir(exist_ok=True)
        (account / "token").write_text(self.pki.token if self.pki else "", encoding="utf-8")
        (account / "ca.crt").write_bytes((pki / "ca.crt").read_bytes())
        (account / "namespace").write_text(SEALED_SECRETS_NAMESPACE, encoding="utf-8")
        # the sandbox's own mount namespace: a tmpfs over /run hides nothing outside it
        mounted = self.sandbox.run(["sh", "-c", 'mount -t tmpfs rehearsal /run && mkdir -p "$1" && '
                                    'mount --bind "$2" "$1"', "-", SERVICE_ACCOUNT_DIR, str(account)],
                                   env={"PATH": BASE_PATH})
        if mounted.returncode != 0:
            raise WaitTimeout(f"could not mount the service account directory: {mounted.stderr.strip()}")
        controller = self._spawn("sealed-secrets-controller", [
            str(self.programs["sealed-secrets-controller"]), "--listen-addr", "127.0.0.1:8090",
            "--listen-metrics-addr", "127.0.0.1:8091", "--key-renew-period", "0",
        ], {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "6443",
            "POD_NAMESPACE": SEALED_SECRETS_NAMESPACE})
        self.wait_for("the sealed-secrets controller's sealing key", lambda: bool(self.sealing_certificate()),
                      120, controller)

    def sealing_certificate(self) -> bytes:
        """The controller's active certificate (PEM), read from its key Secret; empty until it made one."""
        import base64

        listed = self.get_json(["get", "secrets", "-n", SEALED_SECRETS_NAMESPACE, "-l", f"{SEALING_KEY_LABEL}=active"])
        for item in listed.get("items", []):
            cert = item.get("data", {}).get("tls.crt")
            if cert:
                return base64.b64decode(cert)
        return b""

    def _process(self, label: str) -> BackgroundProcess | None:
        return self.sandbox.process(label)

    # --- clients --------------------------------------------------------------------------------------------
    def kubectl(self, args: list[str], *, input_text: str | None = None, check: bool = True,
                timeout: float = 60) -> ProcessResult:
        result = self.sandbox.run([str(self.programs["kubectl"]), *args], env=self._env(), timeout=timeout,
                                  input_text=input_text)
        if check and result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise KubectlFailed(f"kubectl {args[0]}: {lines[-1] if lines else 'exit ' + str(result.returncode)}")
        return result

    def run(self, argv: list[str], env: Mapping[str, str] | None = None, *, timeout: float = 60) -> ProcessResult:
        """A client program (helm) to completion inside the sandbox, with the cluster's kubeconfig."""
        return self.sandbox.run(argv, env=self._env(env), timeout=timeout)

    def watch(self, label: str, args: list[str]) -> BackgroundProcess:
        """`kubectl get ARGS -w -o json` in the background, every version of the objects into LABEL.log."""
        return self._spawn(label, [str(self.programs["kubectl"]), "get", *args, "--watch", "-o", "json"])

    def get_json(self, args: list[str]) -> dict[str, Any]:
        result = self.kubectl([*args, "-o", "json"])
        loaded: dict[str, Any] = json.loads(result.stdout or "{}")
        return loaded

    def apply(self, objects: Iterable[Obj], *, server_side: bool = False, namespace: str | None = None) -> str:
        items = list(objects)
        if not items:
            return ""
        # server-side apply: the API server validates (kubectl's own client-side check chokes on the null an
        # upstream CRD's enum lists, as the route.openshift.io CRD's tls enum does)
        args = ["apply", "-f", "-"]
        args += ["--server-side", "--force-conflicts", "--validate=false"] if server_side else []
        args += ["-n", namespace] if namespace else []
        text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items})
        return self.kubectl(args, input_text=text, timeout=120).stdout

    def install_crds(self, crds: list[Obj], timeout: float = 60) -> None:
        """Apply CRDs and wait until the API server serves each (`kubectl wait` fails while a new CRD has no
        conditions yet, so it is retried)."""
        self.apply(crds, server_side=True)
        names = [f"crd/{c['metadata']['name']}" for c in crds]
        self.wait_for(f"{len(names)} CRD(s) to be Established", lambda: self.kubectl(
            ["wait", "--for", "condition=Established", "--timeout", "10s", *names], check=False).returncode == 0,
            timeout)

    def wait_for(self, what: str, ready: Any, timeout: float, process: BackgroundProcess | None = None) -> None:
        self.sandbox.wait_until(what, ready, timeout, process, interval=0.25)

    def logs(self) -> dict[str, str]:
        """Each process's last log line (for a failure's report)."""
        return {label: last_line(process.log) for label, process in self.sandbox.processes()}
