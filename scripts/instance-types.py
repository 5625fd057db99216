#!/usr/bin/env python3
"""npm run data:instance-types: writes domain/data/instance-types.json, the size of every EC2
instance type, from public sources (named, with their dates, in the file):

  - vCPUs, memory and architecture: EC2's DescribeInstanceTypes, as moto (PyPI) ships it for every
    type, in moto/ec2/resources/instance_types.json.gz;
  - pods per node: the VPC CNI's misc/eni-max-pods.txt (the Go module github.com/aws/amazon-vpc-cni-k8s),
    ENIs x (IPv4 addresses per ENI - 1) + 2 on the default network card; a type newer than that file
    gets the same formula over moto's network figures (the two agree on every type both hold).

Mac types are left out: EKS nodes do not run on them. Previous-generation types stay (EC2 marks some
still sold widely, r6i among them, as such). Needs network access to PyPI and the Go proxy.
"""
import gzip
import io
import json
import pathlib
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

MOTO = "5.2.5"
VPC_CNI = "v1.23.2"
GO_PROXY = "https://proxy.golang.org"
OUT = pathlib.Path(__file__).resolve().parent.parent / "domain" / "data" / "instance-types.json"


def moto_types():
    index = urllib.request.Request(
        "https://pypi.org/simple/moto/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    files = json.load(urllib.request.urlopen(index))["files"]
    uploaded = min(f["upload-time"] for f in files if f["filename"].startswith(f"moto-{MOTO}"))[:10]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, f"moto=={MOTO}"],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("moto-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            types = json.load(gzip.open(io.BytesIO(z.read("moto/ec2/resources/instance_types.json.gz"))))
    return types, uploaded


def vpc_cni():
    module = "github.com/aws/amazon-vpc-cni-k8s"
    info = json.load(urllib.request.urlopen(f"{GO_PROXY}/{module}/@v/{VPC_CNI}.info"))
    archive = urllib.request.urlopen(f"{GO_PROXY}/{module}/@v/{VPC_CNI}.zip").read()
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        text = z.read(f"{module}@{VPC_CNI}/misc/eni-max-pods.txt").decode()
    pods = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, count = line.split()
            pods[name] = int(count)
    return pods, info["Time"][:10]


def max_pods_from(network):
    cards = {c["NetworkCardIndex"]: c for c in network.get("NetworkCards", [])}
    default = cards.get(network.get("DefaultNetworkCardIndex", 0))
    enis = default["MaximumNetworkInterfaces"] if default else network["MaximumNetworkInterfaces"]
    return enis * (network["Ipv4AddressesPerInterface"] - 1) + 2


def main():
    types, moto_date = moto_types()
    pods, cni_date = vpc_cni()
    rows = {}
    computed = []
    for name, t in sorted(types.items()):
        arches = t["ProcessorInfo"]["SupportedArchitectures"]
        if any(a.endswith("_mac") for a in arches):
            continue
        if name not in pods:
            computed.append(name)
        rows[name] = [
            t["VCpuInfo"]["DefaultVCpus"],
            t["MemoryInfo"]["SizeInMiB"],
            "arm64" if "arm64" in arches else "amd64",
            pods.get(name) or max_pods_from(t["NetworkInfo"]),
        ]
    data = {
        "columns": ["vcpus", "memoryMiB", "architecture", "maxPods"],
        "sources": [
            f"vCPUs, memory, architecture: EC2 DescribeInstanceTypes as moto {MOTO} (PyPI, {moto_date}) ships it, "
            "moto/ec2/resources/instance_types.json.gz; Mac types left out",
            f"maxPods: misc/eni-max-pods.txt of github.com/aws/amazon-vpc-cni-k8s {VPC_CNI} ({cni_date}); "
            f"{len(computed)} newer types by its formula over DescribeInstanceTypes' network figures",
        ],
        "generator": "scripts/instance-types.py (npm run data:instance-types)",
    }
    lines = [f'  "{name}": {json.dumps(row)}' for name, row in rows.items()]
    head = json.dumps(data, indent=2)[:-2]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(f'{head},\n  "types": {{\n' + ",\n".join("  " + line for line in lines) + "\n  }\n}\n")
    print(f"{OUT.relative_to(OUT.parent.parent.parent)}: {len(rows)} types ({len(computed)} with computed maxPods)")


if __name__ == "__main__":
    main()
