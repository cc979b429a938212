#!/usr/bin/env bash
# make-ca-secret.sh: makes a cluster CA with "gossipd cert create-ca" and
# prints the Kubernetes Secret "gossipd-ca" that holds it (ca.crt, ca.key).
#
#   bash make-ca-secret.sh > ca-secret.yaml && kubectl apply -f ca-secret.yaml
#
# GOSSIPD (default: gossipd on PATH, else /usr/sbin/gossipd) is the binary
# to use; NAMESPACE (default gossipd) the namespace of the Secret. The CA
# files are made in a temporary directory and removed; the Secret is the
# only copy of the CA key, so keep ca-secret.yaml somewhere safe or delete
# it once applied.
set -euo pipefail
bin=${GOSSIPD:-$(command -v gossipd || echo /usr/sbin/gossipd)}
ns=${NAMESPACE:-gossipd}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" cert create-ca -out "$tmp/ca" -common-name "gossipd $ns CA" >/dev/null
cat <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: gossipd-ca
  namespace: $ns
type: Opaque
data:
  ca.crt: $(base64 -w0 "$tmp/ca/ca.crt")
  ca.key: $(base64 -w0 "$tmp/ca/ca.key")
YAML
