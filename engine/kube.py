"""A few calls to the local control plane's API, with the admin client certificate engine/cluster.sh
makes; Python's standard library only. Used by cluster.sh:

    kube.py DIR nodes N            fake nodes for kwok, one per zone (zone-a, zone-b, ...)
    kube.py DIR load-balancers     stand-in for the cloud's service controller (runs until killed):
                                   gives each LoadBalancer Service an ingress hostname, as EKS's does
    kube.py DIR wait-ready         until every node is Ready and the default service account exists
"""

from __future__ import annotations

import json
import ssl
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


class Api:
    def __init__(self, pki: Path, server: str):
        self.server = server
        self.context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        self.context.load_cert_chain(str(pki / "admin.crt"), str(pki / "admin.key"))

    def call(self, method: str, path: str, body: dict | None = None, content_type: str = "application/json"):
        request = urllib.request.Request(
            self.server + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": content_type, "Accept": "application/json"},
        )
        with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
            return json.load(response)


def create_nodes(api: Api, count: int) -> None:
    for i in range(count):
        zone = f"zone-{chr(ord('a') + i)}"
        name = f"kwok-node-{i}"
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                # kwok manages the nodes that carry this annotation, and the pods bound to them.
                "annotations": {"kwok.x-k8s.io/node": "fake"},
                "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "topology.kubernetes.io/zone": zone,
                    "type": "kwok",
                },
            },
            "spec": {},
            "status": {
                "allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"},
                "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
            },
        }
        try:
            api.call("POST", "/api/v1/nodes", node)
        except urllib.error.HTTPError as error:
            if error.code != 409:  # already there
                raise


def serve_load_balancers(api: Api) -> None:
    """What EKS's cloud controller does for a LoadBalancer Service, minus the load balancer: write a
    hostname into its status, so Pulumi's await logic runs as it would on EKS."""
    while True:
        try:
            services = api.call("GET", "/api/v1/services")["items"]
        except (urllib.error.URLError, OSError):
            time.sleep(1)
            continue
        for service in services:
            meta, spec = service["metadata"], service["spec"]
            if spec.get("type") != "LoadBalancer" or service.get("status", {}).get("loadBalancer", {}).get("ingress"):
                continue
            hostname = f"{meta['name']}-{meta['namespace']}.lb.localhost"
            try:
                api.call(
                    "PATCH",
                    f"/api/v1/namespaces/{meta['namespace']}/services/{meta['name']}/status",
                    {"status": {"loadBalancer": {"ingress": [{"hostname": hostname}]}}},
                    "application/merge-patch+json",
                )
            except urllib.error.HTTPError:
                pass  # deleted meanwhile; the next round sees
        time.sleep(0.5)


def wait_ready(api: Api, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            nodes = api.call("GET", "/api/v1/nodes")["items"]
            ready = all(
                any(c["type"] == "Ready" and c["status"] == "True" for c in n.get("status", {}).get("conditions", []))
                for n in nodes
            )
            api.call("GET", "/api/v1/namespaces/default/serviceaccounts/default")
            if nodes and ready:
                return
        except (urllib.error.URLError, OSError, KeyError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"kube.py: the cluster was not ready within {seconds:.0f} s")


def main() -> None:
    directory, command, *args = sys.argv[1:]
    state = Path(directory)
    api = Api(state / "pki", (state / "server").read_text().strip())
    if command == "nodes":
        create_nodes(api, int(args[0]))
    elif command == "load-balancers":
        serve_load_balancers(api)
    elif command == "wait-ready":
        wait_ready(api)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
