#!/usr/bin/env bash
# pkg_k8s: the Kubernetes example parses, its configuration loads, and its
# init container's command makes a node certificate the daemon would accept.
. "$(dirname "$0")/../lib.sh"
t_init

k8s=$GOSSIPD_SRC/packaging/kubernetes
py=$(command -v /usr/bin/python3 || command -v python3 || true)
[ -n "$py" ] && "$py" -c 'import yaml' 2>/dev/null ||
	t_skip "python3 with PyYAML (Debian python3-yaml) is not installed"

# 1. Every document parses, and the objects are the ones README.md names.
# The ConfigMap's gossipd.conf and the init container's command come out as
# files for the steps below.
"$py" - "$k8s/gossipd.yaml" "$T_DIR" <<'EOF' || t_fail "manifest check failed"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
out = sys.argv[2]
kinds = sorted((d["kind"], d["metadata"]["name"]) for d in docs)
want = sorted([("Namespace", "gossipd"), ("Service", "gossipd"),
               ("ConfigMap", "gossipd-config"), ("StatefulSet", "gossipd")])
assert kinds == want, kinds
by = {d["kind"]: d for d in docs}
for d in docs:
    assert "apiVersion" in d, d["kind"]
    if d["kind"] != "Namespace":
        assert d["metadata"]["namespace"] == "gossipd", d["kind"]
svc, sts, cm = by["Service"], by["StatefulSet"], by["ConfigMap"]
assert svc["spec"]["clusterIP"] == "None"
assert svc["spec"]["publishNotReadyAddresses"] is True
assert sts["spec"]["serviceName"] == svc["metadata"]["name"]
labels = sts["spec"]["template"]["metadata"]["labels"]
assert sts["spec"]["selector"]["matchLabels"].items() <= labels.items()
assert svc["spec"]["selector"].items() <= labels.items()
pod = sts["spec"]["template"]["spec"]
vols = {v["name"] for v in pod["volumes"]}
for c in pod["containers"] + pod["initContainers"]:
    for m in c.get("volumeMounts", []):
        assert m["name"] in vols, (c["name"], m["name"])
main = pod["containers"][0]
assert main["ports"][0]["containerPort"] == 2113
assert main["readinessProbe"]["httpGet"]["path"] == "/health/ready"
assert main["livenessProbe"]["httpGet"]["path"] == "/health/live"
conf = cm["data"]["gossipd.conf"]
cfg = yaml.safe_load(conf)
assert cfg["ClusterDns"].startswith(svc["metadata"]["name"] + ".gossipd.svc")
open(out + "/k8s.conf", "w").write(conf)
# The init container's command, one argument per line.
open(out + "/init.args", "w").write("\n".join(pod["initContainers"][0]["command"]) + "\n")
EOF

# 2. The ConfigMap's file loads (file names need not exist for --what-if),
# with the advertised name the StatefulSet sets in the environment.
out=$(GOSSIPD_NODE_HOST_ADVERTISE_AS=gossipd-0.gossipd.gossipd.svc.cluster.local \
	"$GOSSIPD_BIN" start --what-if --config "$T_DIR/k8s.conf" 2>&1) ||
	t_fail "the ConfigMap's gossipd.conf does not load: $out"
assert_contains "$out" "DiscoverViaDns: true" "what-if of the ConfigMap"
assert_contains "$out" "gossipd-0.gossipd.gossipd.svc.cluster.local" \
	"advertised name from the environment"

# 3. The Secret from make-ca-secret.sh holds a CA certificate and its key.
GOSSIPD=$GOSSIPD_BIN NAMESPACE=gossipd bash "$k8s/make-ca-secret.sh" \
	>"$T_DIR/secret.yaml" || t_fail "make-ca-secret.sh failed"
mkdir -p "$T_DIR/ca-signing" "$T_DIR/node-cert"
"$py" - "$T_DIR/secret.yaml" "$T_DIR/ca-signing" <<'EOF' || t_fail "secret check failed"
import base64, sys, yaml
s = yaml.safe_load(open(sys.argv[1]))
assert s["kind"] == "Secret" and s["metadata"]["name"] == "gossipd-ca"
assert s["metadata"]["namespace"] == "gossipd"
for k in ("ca.crt", "ca.key"):
    open(sys.argv[2] + "/" + k, "wb").write(base64.b64decode(s["data"][k]))
EOF
chmod 600 "$T_DIR/ca-signing/ca.key"
openssl x509 -in "$T_DIR/ca-signing/ca.crt" -noout 2>/dev/null ||
	t_fail "the Secret's ca.crt is not a certificate"
[ "$(openssl x509 -in "$T_DIR/ca-signing/ca.crt" -noout -pubkey | sha256sum)" = \
	"$(openssl pkey -in "$T_DIR/ca-signing/ca.key" -pubout | sha256sum)" ] ||
	t_fail "the Secret's ca.key does not belong to its ca.crt"

# 4. The init container's command, as Kubernetes would run it ($(VAR)
# expanded), with the mount points moved into the test directory.
args=()
while IFS= read -r a; do
	a=${a//\$(POD_IP)/127.0.0.1}
	a=${a//\$(POD_NAME)/gossipd-0}
	a=${a//\/etc\/gossipd\/ca-signing/$T_DIR/ca-signing}
	a=${a//\/etc\/gossipd\/node-cert/$T_DIR/node-cert}
	args+=("$a")
done <"$T_DIR/init.args"
assert_eq /usr/sbin/gossipd "${args[0]}" "init container binary"
"$GOSSIPD_BIN" "${args[@]:1}" >"$T_DIR/init.log" 2>&1 ||
	t_fail "the init container's command failed: $(cat "$T_DIR/init.log")"
text=$(openssl x509 -in "$T_DIR/node-cert/node.crt" -noout -text)
assert_contains "$text" "IP Address:127.0.0.1" "pod IP SAN"
assert_contains "$text" "DNS:gossipd-0.gossipd.gossipd.svc.cluster.local" "pod DNS SAN"
assert_contains "$text" "DNS:gossipd.gossipd.svc.cluster.local" "service DNS SAN"
reserved=$(sed -n 's/^CertificateReservedNodeCommonName: *//p' "$T_DIR/k8s.conf")
assert_contains "$(openssl x509 -in "$T_DIR/node-cert/node.crt" -noout -subject)" \
	"CN = $reserved" "node CN is the ConfigMap's reserved CN"
openssl verify -CAfile "$T_DIR/ca-signing/ca.crt" "$T_DIR/node-cert/node.crt" >/dev/null ||
	t_fail "the node certificate does not verify against the CA"

t_pass
