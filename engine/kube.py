"""The local cluster's calls to its API, with the admin client certificate engine/cluster.sh makes;
Python's standard library only. Used by cluster.sh:

    kube.py DIR fake-nodes ZONE...        a kwok node per zone, tainted so that no pod lands there
    kube.py DIR load-balancers NODE_IP    the cloud's load balancer, stood in for (runs until killed)
    kube.py DIR wait-ready                until the nodes, cluster DNS, Prometheus, the canary controller
                                          and the metrics API are ready
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import ssl
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


class Api:
    def __init__(self, state: Path):
        self.server = (state / "admin.kubeconfig").read_text().split('server: "')[1].split('"')[0]
        pki = state / "pki"
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


def create_fake_nodes(api: Api, zones: list[str]) -> None:
    for i, zone in enumerate(zones):
        name = f"kwok-node-{i}"
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                # kwok manages the nodes that carry this annotation.
                "annotations": {"kwok.x-k8s.io/node": "fake"},
                "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "topology.kubernetes.io/zone": zone,
                    "type": "kwok",
                },
            },
            # A pod here would never run a container; the app's soft zone spread must do without them.
            "spec": {"taints": [{"key": "flask-eks.local/fake", "value": "true", "effect": "NoSchedule"}]},
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


class LoadBalancers:
    """What an NLB with instance targets does for a LoadBalancer Service, on loopback: each Service
    gets an address of its own, 127.0.80.N, which listens on the Service's ports and forwards each
    connection to the port's NodePort on the node, admitting only clients in the Service's
    loadBalancerSourceRanges (as the NLB's security group does). The address goes in the Service's
    status with ipMode Proxy, so kube-proxy leaves it to the forwarder."""

    def __init__(self, api: Api, node_ip: str):
        self.api, self.node_ip = api, node_ip
        self.servers: dict[str, list[asyncio.Server]] = {}
        # What each forwarder was opened for (ports and source ranges): a change reopens it.
        self.opened_for: dict[str, str] = {}
        self.addresses: dict[str, str] = {}

    def address_for(self, uid: str) -> str:
        if uid not in self.addresses:
            used = set(self.addresses.values())
            self.addresses[uid] = next(f"127.0.80.{n}" for n in range(1, 255) if f"127.0.80.{n}" not in used)
        return self.addresses[uid]

    async def run(self) -> None:
        while True:
            try:
                services = await asyncio.to_thread(self.api.call, "GET", "/api/v1/services")
            except (urllib.error.URLError, OSError):
                await asyncio.sleep(1)
                continue
            wanted = {s["metadata"]["uid"]: s for s in services["items"] if s["spec"].get("type") == "LoadBalancer"}
            for uid in list(self.servers):
                if uid not in wanted or self.opened_for[uid] != fingerprint(wanted[uid]):
                    await self.close(uid, keep_address=uid in wanted)
            for uid, service in wanted.items():
                if uid not in self.servers:
                    await self.open(uid, service)
            await asyncio.sleep(0.5)

    async def open(self, uid: str, service: dict) -> None:
        meta, spec = service["metadata"], service["spec"]
        if not all(port.get("nodePort") for port in spec["ports"]):
            return  # allocated a moment later
        address = self.address_for(uid)
        ranges = [ipaddress.ip_network(cidr) for cidr in spec.get("loadBalancerSourceRanges") or ["0.0.0.0/0"]]
        self.servers[uid] = [
            await asyncio.start_server(self.forwarder(port["nodePort"], ranges), address, port["port"])
            for port in spec["ports"]
        ]
        self.opened_for[uid] = fingerprint(service)
        await asyncio.to_thread(
            self.api.call,
            "PATCH",
            f"/api/v1/namespaces/{meta['namespace']}/services/{meta['name']}/status",
            {"status": {"loadBalancer": {"ingress": [{"ip": address, "ipMode": "Proxy"}]}}},
            "application/merge-patch+json",
        )
        print(f"{meta['namespace']}/{meta['name']}: {address} -> {self.node_ip} NodePorts", flush=True)

    async def close(self, uid: str, keep_address: bool) -> None:
        for server in self.servers.pop(uid):
            server.close()
        del self.opened_for[uid]
        if not keep_address:
            self.addresses.pop(uid, None)

    def forwarder(self, node_port: int, ranges: list):
        async def forward(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
            client = ipaddress.ip_address(client_writer.get_extra_info("peername")[0])
            if not any(client in network for network in ranges):
                client_writer.close()
                return
            try:
                target_reader, target_writer = await asyncio.open_connection(self.node_ip, node_port)
            except OSError:
                client_writer.close()
                return
            await asyncio.gather(pipe(client_reader, target_writer), pipe(target_reader, client_writer))
            target_writer.close()
            client_writer.close()

        return forward


def fingerprint(service: dict) -> str:
    spec = service["spec"]
    return json.dumps([spec["ports"], spec.get("loadBalancerSourceRanges")], sort_keys=True)


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copies until the sender closes its side, then closes the same side onward (half-close)."""
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        writer.close()  # a reset on one side resets the other


def wait_ready(api: Api, seconds: float = 180) -> None:
    """Every node Ready, the default service account made, cluster DNS, Prometheus and the canary
    controller ready, and the metrics API answering for the real node (the HPA's only source)."""
    deadline = time.monotonic() + seconds
    waiting = "the API server"
    while time.monotonic() < deadline:
        try:
            waiting = "the nodes"
            nodes = api.call("GET", "/api/v1/nodes")["items"]
            if not nodes or not all(is_ready(node) for node in nodes):
                raise LookupError
            waiting = "the default service account"
            api.call("GET", "/api/v1/namespaces/default/serviceaccounts/default")
            for waiting in ("kube-system/coredns", "kube-system/prometheus", "argo-rollouts/argo-rollouts"):
                namespace, name = waiting.split("/")
                deployment = api.call("GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
                if deployment.get("status", {}).get("readyReplicas", 0) < 1:
                    raise LookupError
            waiting = "the metrics API"
            if not api.call("GET", "/apis/metrics.k8s.io/v1beta1/nodes")["items"]:
                raise LookupError
            return
        except (urllib.error.URLError, OSError, LookupError, KeyError):
            time.sleep(0.5)
    raise SystemExit(f"kube.py: the cluster was not ready within {seconds:.0f} s: waiting for {waiting}")


def is_ready(node: dict) -> bool:
    conditions = node.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def main() -> None:
    directory, command, *args = sys.argv[1:]
    api = Api(Path(directory))
    if command == "fake-nodes":
        create_fake_nodes(api, args)
    elif command == "load-balancers":
        asyncio.run(LoadBalancers(api, args[0]).run())
    elif command == "wait-ready":
        wait_ready(api)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
