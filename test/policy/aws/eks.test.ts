// The rules of policy/aws.ts on the EKS control plane and its nodes (secrets encryption, control
// plane logs, the private and the public endpoint, nodes in private subnets, IMDSv2, encrypted
// volumes): each broken once on a real stack's graph, the cases each must let pass, and what a
// violation says.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { P, okRun } from "../../helpers";
import {
    EKS_RULES,
    Message,
    Regression,
    broken,
    firing,
    itCatchesEachRegression,
    itSaysEachMessage,
} from "../helpers";

// Each mandatory rule, broken once on a real stack's graph: the rule must fire, and only it.
const regressions: Regression[] = [
    [
        "eks-secrets-encryption",
        "dev",
        (r) => broken(r, "aws:eks/cluster:Cluster", (i) => delete i.encryptionConfig),
    ],
    [
        "eks-control-plane-logs",
        "dev",
        (r) => broken(r, "aws:eks/cluster:Cluster", (i) => (i.enabledClusterLogTypes = ["api"])),
    ],
    [
        "eks-private-endpoint",
        "dev",
        (r) => broken(r, "aws:eks/cluster:Cluster", (i) => (i.vpcConfig.endpointPrivateAccess = false)),
    ],
    [
        "eks-nodes-in-private-subnets",
        "dev",
        (r) => broken(r, "aws:ec2/subnet:Subnet", (i) => (i.mapPublicIpOnLaunch = true), "private-1"),
    ],
    [
        "launch-template-imdsv2",
        "dev",
        (r) =>
            broken(
                r,
                "aws:ec2/launchTemplate:LaunchTemplate",
                (i) => (i.metadataOptions.httpTokens = "optional"),
            ),
    ],
    [
        "node-volumes-encrypted",
        "dev",
        (r) =>
            broken(
                r,
                "aws:ec2/launchTemplate:LaunchTemplate",
                (i) => (i.blockDeviceMappings[0].ebs.encrypted = "false"),
            ),
    ],
    [
        "node-volumes-encrypted",
        "prod",
        (r) => broken(r, "aws:eks/nodeGroup:NodeGroup", (i) => delete i.launchTemplate),
    ],
    [
        "eks-secrets-encryption",
        "dev",
        (r) => broken(r, "aws:eks/cluster:Cluster", (i) => (i.encryptionConfig.resources = ["configmaps"])),
    ],
    [
        "eks-secrets-encryption",
        "dev",
        (r) => broken(r, "aws:eks/cluster:Cluster", (i) => delete i.encryptionConfig.provider.keyArn),
    ],
    [
        "eks-control-plane-logs",
        "dev",
        (r) => broken(r, "aws:eks/cluster:Cluster", (i) => (i.enabledClusterLogTypes = ["api", "audit"])),
    ],
    [
        "eks-nodes-in-private-subnets",
        "dev",
        // A default subnet (the account's, adopted into the stack): it hands out public IPs unless told not to.
        (r) => {
            const subnet = r.registrations.find((x) => x.name === "private-1")!;
            const defaultSubnet = {
                ...structuredClone(subnet),
                type: "aws:ec2/defaultSubnet:DefaultSubnet",
                name: "default-a",
                urn: `${subnet.urn}-default`,
                inputs: { availabilityZone: "eu-west-1a" },
            };
            const registrations = r.registrations.map((x) =>
                x.type === "aws:eks/nodeGroup:NodeGroup"
                    ? {
                          ...x,
                          propertyDependencies: { ...x.propertyDependencies, subnetIds: [defaultSubnet.urn] },
                      }
                    : x,
            );
            return { ...r, registrations: [...registrations, defaultSubnet] };
        },
    ],
];

describe("policy pack: each mandatory rule catches its regression", () => {
    itCatchesEachRegression(regressions, EKS_RULES, ["eks-public-endpoint-restricted"]);

    it("eks-public-endpoint-restricted fires when prod's config opens the endpoint, and only in production", async () => {
        const open = { [`${P}:endpointPublicAccessCidrs`]: '["0.0.0.0/0"]' };
        const prod = await okRun("prod", { overrides: open });
        assert.deepEqual(await firing(prod, "prod"), ["eks-public-endpoint-restricted"]);
        assert.deepEqual(
            await firing(await okRun("dev"), "dev"),
            [],
            "dev is open to 0.0.0.0/0 and not production",
        );
    });

    it("eks-public-endpoint-restricted lets production keep 0.0.0.0/0 listed with the public endpoint off", async () => {
        const open = { [`${P}:endpointPublicAccessCidrs`]: '["0.0.0.0/0"]' };
        const run = broken(
            await okRun("prod", { overrides: open }),
            "aws:eks/cluster:Cluster",
            (i) => (i.vpcConfig.endpointPublicAccess = false),
        );
        assert.deepEqual(await firing(run, "prod"), []);
    });

    it("eks-nodes-in-private-subnets reads node groups only: an endpoint may sit in a public subnet", async () => {
        // A public subnet that hands out public IPs, and an interface endpoint in it.
        const run = broken(
            await okRun("dev"),
            "aws:ec2/subnet:Subnet",
            (i) => (i.mapPublicIpOnLaunch = true),
            "public-1",
        );
        const subnet = run.registrations.find((r) => r.name === "public-1")!;
        const endpoint = {
            ...structuredClone(subnet),
            type: "aws:ec2/vpcEndpoint:VpcEndpoint",
            name: "endpoint",
            urn: `${subnet.urn}-endpoint`,
            inputs: {},
            propertyDependencies: { subnetIds: [subnet.urn] },
        };
        assert.deepEqual(
            await firing({ ...run, registrations: [...run.registrations, endpoint] }, "dev"),
            [],
        );
    });
});

// What the CLI prints for a violation, exactly: the thing, and what is wrong with it.
const messages: Message[] = [
    [
        "dev",
        "eks-control-plane-logs",
        (r) => broken(r, "aws:eks/cluster:Cluster", (i) => (i.enabledClusterLogTypes = ["api"])),
        "enabledClusterLogTypes lacks audit, authenticator.",
    ],
    [
        "prod",
        "eks-public-endpoint-restricted",
        (r) =>
            broken(r, "aws:eks/cluster:Cluster", (i) => {
                i.vpcConfig.endpointPublicAccess = true;
                i.vpcConfig.publicAccessCidrs = ["0.0.0.0/0"];
            }),
        "the public API endpoint is open to 0.0.0.0/0; list the CIDRs that need it, or turn it off.",
    ],
];

describe("policy pack: what a violation says", () => itSaysEachMessage(messages));
