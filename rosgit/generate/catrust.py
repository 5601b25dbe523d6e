"""How a component trusts OpenShift's service CA (which signs the ODF S3 endpoint) beside the public CAs.

Each TLS client family takes extra CAs differently, and two of them only by REPLACING their default store:
- Go (`caTrust: go`): crypto/x509 loads the system bundle, then every file of the SSL_CERT_DIR directories
  (root_unix.go loadSystemRoots), so the service CA's ConfigMap mounted as such a directory is added to the
  system roots; no init step (upstream combines a bundle instead, insights-onprem/cost-onprem-chart
  templates/_helpers-init-containers.tpl:95-110).
- Python (`caTrust: python`): botocore's AWS_CA_BUNDLE and requests' REQUESTS_CA_BUNDLE name ONE file that
  replaces the default bundle, so pointing them at the service CA alone breaks every call to a public CA.
  An init step writes the system bundle plus the service CA into an emptyDir, as upstream's
  prepare-ca-bundle does (same image, ubi9-minimal, and path; Koku's image is built FROM ubi9-minimal,
  project-koku/koku@d8055ac2 Dockerfile:1, so the bundle is the one of its own base).
- Java (`caTrust: java`): the javax.net.ssl.trustStore keystore replaces the JDK's cacerts, so an init step in
  the component's own image (its JDK, its keytool, its cacerts) copies cacerts into an emptyDir and imports
  every certificate of service-ca.crt (it holds two while the service CA rotates); JAVA_TOOL_OPTIONS, which
  the JVM itself reads whatever launcher starts it, points the JVM at the copy.

Both init steps write only into their emptyDir, so they run under OpenShift's assigned UID and a read-only
root filesystem; they read no Secret.
"""

from __future__ import annotations

from rosgit.catalog.model import CA_TRUST_ENV, Catalog, CaTrust, Component
from rosgit.generate.workloads import RESTRICTED_CONTAINER_SECURITY, WAIT_RESOURCES, image_of
from rosgit.k8s.objects import Obj

SERVICE_CA_CONFIG = "service-ca"
SERVICE_CA_VOLUME = "service-ca"
SERVICE_CA_MOUNT = "/etc/pki/service-ca"
# the key OpenShift's service CA operator injects into an inject-cabundle ConfigMap
SERVICE_CA_FILE = f"{SERVICE_CA_MOUNT}/service-ca.crt"
TRUST_STEP = "ca-trust"
TRUST_VOLUME = "ca-trust"
TRUST_MOUNT = "/etc/pki/trust"
# RHEL/UBI's extracted PEM bundle of the system CAs (upstream's combine-ca.sh reads the same path first)
SYSTEM_CA_BUNDLE = "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"
COMBINED_BUNDLE = f"{TRUST_MOUNT}/ca-bundle.crt"
TRUSTSTORE = f"{TRUST_MOUNT}/cacerts"
# The JDK's documented default password of cacerts: public, protecting nothing (a truststore holds only
# public certificates); it is a keystore integrity password, not a secret.
TRUSTSTORE_PASSWORD = "changeit"
PYTHON_CA_ENV = CA_TRUST_ENV["python"]
(JAVA_OPTIONS_ENV,) = CA_TRUST_ENV["java"]
(GO_CA_ENV,) = CA_TRUST_ENV["go"]
# a JVM plus keytool needs more than the wait containers' 64Mi
TRUSTSTORE_RESOURCES: Obj = {
    "requests": {"cpu": "50m", "memory": "128Mi"},
    "limits": {"cpu": "500m", "memory": "256Mi"},
}

# Inputs come from env (SYSTEM_CA_BUNDLE, SERVICE_CA_FILE, TRUST_FILE) so the same script runs in the pod
# and in a test against stand-in files. The output appears only when complete (written aside, then moved).
COMBINE_BUNDLE_SCRIPT = """\
set -eu
case "$(cat "$SERVICE_CA_FILE")" in
  *"BEGIN CERTIFICATE"*) ;;
  *) echo "no certificate in $SERVICE_CA_FILE (not injected yet?)" >&2; exit 1 ;;
esac
{ cat "$SYSTEM_CA_BUNDLE"; echo; cat "$SERVICE_CA_FILE"; } > "$TRUST_FILE.partial"
mv "$TRUST_FILE.partial" "$TRUST_FILE"
"""

# keytool -importcert takes one certificate per call, so service-ca.crt is split in plain sh (the images
# need not have awk or csplit). cacerts is $JAVA_HOME/lib/security (JDK 9+, or a JRE 8 home) or
# $JAVA_HOME/jre/lib/security (a JDK 8 home). The store keeps cacerts' public default password.
BUILD_TRUSTSTORE_SCRIPT = """\
set -eu
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
cacerts="$java_home/lib/security/cacerts"
[ -f "$cacerts" ] || cacerts="$java_home/jre/lib/security/cacerts"
keytool="$java_home/bin/keytool"
[ -x "$keytool" ] || keytool=keytool
store="$TRUST_FILE.partial"
cp "$cacerts" "$store"
chmod u+w "$store"
count=0
pem=""
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in
    *"-----BEGIN CERTIFICATE-----"*) pem="$line" ;;
    *"-----END CERTIFICATE-----"*)
      if [ -n "$pem" ]; then
        count=$((count + 1))
        printf '%s\\n%s\\n' "$pem" "$line" > "$store.pem"
        "$keytool" -importcert -noprompt -alias "openshift-service-ca-$count" -file "$store.pem" \\
          -keystore "$store" -storepass @PASSWORD@
        pem=""
      fi ;;
    *) if [ -n "$pem" ]; then pem="$pem
$line"; fi ;;
  esac
done < "$SERVICE_CA_FILE"
rm -f "$store.pem"
if [ "$count" -eq 0 ]; then
  echo "no certificate in $SERVICE_CA_FILE (not injected yet?)" >&2
  exit 1
fi
mv "$store" "$TRUST_FILE"
""".replace("@PASSWORD@", TRUSTSTORE_PASSWORD)


def java_trust_options() -> str:
    return f"-Djavax.net.ssl.trustStore={TRUSTSTORE} -Djavax.net.ssl.trustStorePassword={TRUSTSTORE_PASSWORD}"


def _trust_env(trust: CaTrust) -> list[Obj]:
    if trust == "go":
        return [{"name": GO_CA_ENV, "value": SERVICE_CA_MOUNT}]
    if trust == "python":
        return [{"name": name, "value": COMBINED_BUNDLE} for name in PYTHON_CA_ENV]
    return [{"name": JAVA_OPTIONS_ENV, "value": java_trust_options()}]


def step_uses_wait_image(catalog: Catalog, component: Component) -> bool:
    """The Python bundle is combined in the wait image (ubi9-minimal, as the Koku image's base); the Java
    truststore in the component's own image, whose JDK reads it."""
    return component.ca_trust == "python" and "wait" in catalog.images


def trust_step(catalog: Catalog, component: Component) -> Obj | None:
    """The init container building the combined trust into the emptyDir; None for Go (it needs none)."""
    trust = component.ca_trust
    if trust is None or trust == "go":
        return None
    env: list[Obj] = [
        {"name": "SERVICE_CA_FILE", "value": SERVICE_CA_FILE},
        {"name": "TRUST_FILE", "value": COMBINED_BUNDLE if trust == "python" else TRUSTSTORE},
    ]
    if trust == "python":
        env.insert(0, {"name": "SYSTEM_CA_BUNDLE", "value": SYSTEM_CA_BUNDLE})
        script, resources = COMBINE_BUNDLE_SCRIPT, WAIT_RESOURCES
    else:
        script, resources = BUILD_TRUSTSTORE_SCRIPT, TRUSTSTORE_RESOURCES
    image = str(catalog.images["wait"]) if step_uses_wait_image(catalog, component) else image_of(catalog, component)
    return {
        "name": TRUST_STEP,
        "image": image,
        "command": ["/bin/sh", "-c", script],
        "env": env,
        "resources": resources,
        "volumeMounts": [
            {"name": SERVICE_CA_VOLUME, "mountPath": SERVICE_CA_MOUNT, "readOnly": True},
            {"name": TRUST_VOLUME, "mountPath": TRUST_MOUNT},
        ],
        # in the component's own image the step shares its root-filesystem setting (lint CON007 reads the
        # image's writes for every container running it)
        "securityContext": {
            **RESTRICTED_CONTAINER_SECURITY,
            "readOnlyRootFilesystem": component.read_only_root_filesystem
            or step_uses_wait_image(catalog, component),
        },
    }


def service_ca_pod_spec(catalog: Catalog, component: Component) -> Obj:
    """The pod-spec fields trusting the service CA: the main container's env and mounts, the volumes, and
    for Python and Java the init step."""
    trust = component.ca_trust
    assert trust is not None
    volumes: list[Obj] = [{"name": SERVICE_CA_VOLUME, "configMap": {"name": SERVICE_CA_CONFIG}}]
    step = trust_step(catalog, component)
    if step is None:
        mount = {"name": SERVICE_CA_VOLUME, "mountPath": SERVICE_CA_MOUNT, "readOnly": True}
    else:
        mount = {"name": TRUST_VOLUME, "mountPath": TRUST_MOUNT, "readOnly": True}
        volumes.append({"name": TRUST_VOLUME, "emptyDir": {"sizeLimit": "4Mi"}})
    container = {"name": component.name, "env": _trust_env(trust), "volumeMounts": [mount]}
    spec: Obj = {"containers": [container], "volumes": volumes}
    if step is not None:
        spec = {"initContainers": [step], **spec}
    return spec
