#!/usr/bin/env bash
# Five members, every one seeded with the first only, converge: each
# lists all five alive, without placeholders.
source "$GOSSIPD_SRC/tests/lib.sh"
t_init

view() {
	curl -sf --max-time 2 "$1/gossip" |
		jq -r '.members[] | "\(.httpEndPointIp):\(.httpEndPointPort) \(.state) \(.isAlive)"'
}
converged() { [ "$(view "$1")" = "$2" ]; }

ports=()
for i in 1 2 3 4 5; do ports+=("$(free_port)"); done
seed="127.0.0.1:${ports[0]}"
for i in 0 1 2 3 4; do
	start_node "n$i" --insecure --node-ip "127.0.0.$((i + 1))" --node-port "${ports[i]}" \
		--cluster-size 5 --gossip-seed "$seed" \
		--gossip-interval-ms 200 --gossip-timeout-ms 2000
done
want=""
for i in 0 1 2 3 4; do
	wait_serving "n$i" "http://127.0.0.$((i + 1)):${ports[i]}"
	want="$want${want:+
}127.0.0.$((i + 1)):${ports[i]} Unknown true"
done
t0=$SECONDS
for i in 0 1 2 3 4; do
	wait_for 30 converged "http://127.0.0.$((i + 1)):${ports[i]}" "$want" ||
		t_fail "n$i: $(view "http://127.0.0.$((i + 1)):${ports[i]}")"
done
t_log "five members converged within $((SECONDS - t0)) s"
t_pass
