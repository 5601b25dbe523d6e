"""The chart's templates/ files, one module per family: metadata (labels and names every template shares),
workload (pod-spec templating), configmap, component (one file per component), platform (object storage,
Ingress, OpenShift), secrets and helpers (_helpers.tpl)."""
