#!/usr/bin/env bash
# Installs every package gossipd needs to build, test and run on Debian 12.
set -euo pipefail
pkgs=(build-essential cmake pkg-config git clang clang-format
	libclang-rt-14-dev libmicrohttpd-dev libmbedtls-dev libcjson-dev
	libyaml-dev libcmocka-dev node-llhttp curl openssl
	iproute2 procps psmisc jq util-linux nginx-light)
# Packaging: the .deb (cpack needs dpkg-shlibdeps from dpkg-dev, and file),
# its checks (lintian, man, systemd-analyze, systemd-tmpfiles) and the YAML
# check of the Kubernetes manifests.
pkgs+=(dpkg-dev file lintian man-db systemd python3-yaml adduser)
# HTTP/2 and gRPC (nghttp2, protobuf-c, protoc-c); the independent gRPC
# clients of the tests (python3-grpcio with python3-protobuf; python3-h2
# for hand-made frames; nodejs/npm for @grpc/grpc-js) and h2load.
pkgs+=(libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler python3-grpcio
	python3-protobuf python3-h2 nghttp2-client)
# Node.js and npm: Debian's packages only where the machine has no node of
# its own (an image may ship a Node.js build that bundles npm and conflicts
# with Debian's npm package).
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
# Robustness: hostile-client tests, the TLS audit, the valgrind script.
pkgs+=(slowhttptest testssl.sh valgrind)
# Benchmarks that count: callgrind (valgrind) and system calls (strace).
pkgs+=(strace)
# Fault scenarios (tests/netns.sh): packet loss and cut links in network
# namespaces are nftables rules.
pkgs+=(nftables)
# Metrics: the official Prometheus text parser checks GET /metrics.
pkgs+=(python3-prometheus-client)
# Benchmarks: the load generator's TLS client (OpenSSL, cheaper than the
# servers it measures).
pkgs+=(libssl-dev)
pkgs+=(python3-cryptography) # cert_ca_rotation: generated certificates load without a warning
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
