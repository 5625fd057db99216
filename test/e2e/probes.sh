#!/usr/bin/env bash
# Sourced by test/e2e.sh: looks from inside pods. The app's image has Python, so every probe is a
# short Python program run with kubectl exec, printing what it saw.

in_app() { # in_app PYTHON: run it in one of the app's pods
    kubectl_ exec -n flask-app "deploy/web" -c web -- python -c "$1"
}

# What the pod runs as: its uid, whether its root filesystem takes a write, whether a service
# account token is mounted.
app_identity() {
    in_app '
import os
try:
    open("/e2e-write-probe", "w").close()
    write = "allowed"
except OSError as error:
    write = "refused: " + error.strerror
token = os.path.exists("/var/run/secrets/kubernetes.io/serviceaccount/token")
print(f"uid={os.getuid()} root-write={write} token={token}")'
}

# connect_from WHERE HOST PORT: "open" or "closed: <why>" for a TCP connection from WHERE ("app", or
# the probe pod), within 3 s
connect_code='
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()
    print("open")
except OSError as error:
    print("closed:", error)'
connect_from() {
    if [ "$1" = app ]; then
        kubectl_ exec -n flask-app deploy/web -c web -- python -c "$connect_code" "$2" "$3"
    else
        kubectl_ exec -n e2e-probe probe -- python -c "$connect_code" "$2" "$3"
    fi
}

# resolves_from_app NAME: the addresses cluster DNS gives the app for NAME
resolves_from_app() {
    in_app "import socket; print(sorted({a[4][0] for a in socket.getaddrinfo('$1', 443, proto=socket.IPPROTO_TCP)}))"
}

# A pod in a namespace of its own, from the app's image, listening on 8080 and 8081: the other side
# of the NetworkPolicy checks (the stack's appEgress lists 8081 of the pod network, not 8080).
probe_server='import http.server as h, threading; s = [h.ThreadingHTTPServer((str(), p), h.SimpleHTTPRequestHandler) for p in (8080, 8081)]; threading.Thread(target=s[1].serve_forever, daemon=True).start(); s[0].serve_forever()'
start_probe_pod() {
    kubectl_ create namespace e2e-probe >/dev/null
    kubectl_ run probe -n e2e-probe --image="$1" --restart=Never --command \
        --overrides='{"spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"probe","image":"'"$1"'","command":["python","-c","'"$probe_server"'"],"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}' \
        -- python -c "$probe_server" >/dev/null
    kubectl_ wait -n e2e-probe pod/probe --for=condition=Ready --timeout=60s >/dev/null
}

probe_pod_ip() { kubectl_ get pod probe -n e2e-probe -o jsonpath='{.status.podIP}'; }
