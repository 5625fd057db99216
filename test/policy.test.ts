import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Policy } from "@pulumi/policy";
import { RunResult } from "../offline";
import { ROOT } from "../offline/stack-config";
import { advisoryPoliciesOn } from "../policy/advisory";

/** The advisory rules as of a fixed day, so the runway rule's answers do not move with the calendar. */
const advisoryPolicies = advisoryPoliciesOn(new Date("2026-11-28T12:00:00Z"));
import { awsPolicies, grantsEverything } from "../policy/aws";
import { kubernetesPolicies } from "../policy/kubernetes";
import { P, committedStacks, okRun } from "./helpers";
import { PackConfig, evaluatePolicies } from "../offline/policy";

const ALL: Policy[] = [...awsPolicies, ...kubernetesPolicies, ...advisoryPolicies];
const MANDATORY = ALL.filter((p) => p.enforcementLevel === "mandatory");

/** The pack config a stack runs with: prod is production. */
function packConfig(stack: string): PackConfig {
    const production = { production: stack === "prod" };
    return {
        "eks-public-endpoint-restricted": production,
        "cost-nat-gateways-outside-production": production,
    };
}

// Inputs are arbitrary JSON; the breakers below edit them freely.
type Inputs = any;

/** A copy of a run with one registration's inputs changed: a regression of one guarantee. */
function broken(run: RunResult, type: string, change: (inputs: Inputs) => void, name?: string): RunResult {
    const copy = structuredClone(run);
    const target = copy.registrations.find((r) => r.type === type && (name === undefined || r.name === name));
    assert.ok(target, `no ${type} ${name ?? ""} to break`);
    change(target.inputs);
    return copy;
}

const ADMIN_DOCUMENT = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

function without(run: RunResult, type: string): RunResult {
    return { ...run, registrations: run.registrations.filter((r) => r.type !== type) };
}

function pod(i: Inputs) {
    return i.spec.template.spec;
}

async function mandatory(run: RunResult, stack: string) {
    const violations = await evaluatePolicies(ALL, run, packConfig(stack));
    return violations.filter((v) => v.level === "mandatory");
}

async function firing(run: RunResult, stack: string): Promise<string[]> {
    return [...new Set((await mandatory(run, stack)).map((v) => v.policy))].sort();
}

/** What the CLI prints of a rule and of a violation: a sentence. */
const SENTENCE = /^\S.{10,}\.$/;

describe("policy pack: committed stacks", () => {
    it("describes every rule in a sentence", () => {
        for (const p of ALL) assert.match(p.description, SENTENCE, p.name);
    });

    it("gets violations, not a crash, from resources with no inputs at all", async () => {
        for (const [stack, production] of [
            ["dev", []],
            ["prod", ["eks-public-endpoint-restricted"]],
        ] as [string, string[]][]) {
            const run = await okRun(stack);
            const unknown = { ...run, registrations: run.registrations.map((r) => ({ ...r, inputs: {} })) };
            assert.deepEqual(
                await firing(unknown, stack),
                [
                    "ecr-immutable-tags",
                    "ecr-scan-on-push",
                    "eks-control-plane-logs",
                    ...production,
                    "eks-private-endpoint",
                    "eks-secrets-encryption",
                    "k8s-network-policy-for-every-deployment",
                    "kms-key-rotation",
                    "launch-template-imdsv2",
                    "node-volumes-encrypted",
                ].sort(),
            );
        }
    });

    it("has uniquely named rules; the advisory module holds only advisory ones", () => {
        assert.ok(
            advisoryPolicies.length >= 3 && advisoryPolicies.every((p) => p.enforcementLevel === "advisory"),
        );
        assert.equal(new Set(ALL.map((p) => p.name)).size, ALL.length);
    });

    for (const stack of committedStacks()) {
        it(`${stack} passes every mandatory rule`, async () => {
            const violations = await evaluatePolicies(MANDATORY, await okRun(stack), packConfig(stack));
            assert.deepEqual(violations, []);
        });
    }

    it("gives staging a cost hint for its NAT gateway per AZ, and prod none", async () => {
        const staging = await evaluatePolicies(
            advisoryPolicies,
            await okRun("staging"),
            packConfig("staging"),
        );
        assert.deepEqual(
            staging.map((v) => [v.policy, v.message]),
            [
                [
                    "cost-nat-gateways-outside-production",
                    "3 NAT gateways in a non-production stack; natGateways: single would do.",
                ],
            ],
        );
        assert.deepEqual(
            await evaluatePolicies(advisoryPolicies, await okRun("prod"), packConfig("prod")),
            [],
        );
    });
});

// Each mandatory rule, broken once on a real stack's graph: the rule must fire, and only it.
const regressions: [string, string, (run: RunResult) => RunResult][] = [
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
        "ecr-scan-on-push",
        "dev",
        (r) =>
            broken(
                r,
                "aws:ecr/repository:Repository",
                (i) => (i.imageScanningConfiguration.scanOnPush = false),
            ),
    ],
    [
        "ecr-immutable-tags",
        "dev",
        (r) => broken(r, "aws:ecr/repository:Repository", (i) => (i.imageTagMutability = "MUTABLE")),
    ],
    ["kms-key-rotation", "prod", (r) => broken(r, "aws:kms/key:Key", (i) => (i.enableKeyRotation = false))],
    [
        "iam-no-wildcard-admin",
        "dev",
        (r) =>
            broken(
                r,
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                (i) => (i.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess"),
                "cluster-policy",
            ),
    ],
    [
        "iam-no-wildcard-admin",
        "dev",
        (r) =>
            broken(
                r,
                "aws:iam/role:Role",
                (i) => (i.inlinePolicies = [{ name: "all", policy: JSON.stringify(ADMIN_DOCUMENT) }]),
                "web-role",
            ),
    ],
    [
        "k8s-images-by-digest",
        "dev",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).containers[0].image = "nginx:latest")),
    ],
    [
        "k8s-resources-set",
        "dev",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).containers[0].resources.limits),
    ],
    [
        "k8s-probes-set",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).containers[0].livenessProbe),
    ],
    [
        "k8s-restricted-pod-security",
        "dev",
        (r) =>
            broken(
                r,
                "kubernetes:apps/v1:Deployment",
                (i) => (pod(i).containers[0].securityContext.allowPrivilegeEscalation = true),
            ),
    ],
    [
        "k8s-restricted-pod-security",
        "prod",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).securityContext.seccompProfile),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).hostNetwork = true)),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) =>
                pod(i).volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }),
            ),
    ],
    [
        "k8s-pdb-for-replicated-deployments",
        "prod",
        (r) => without(r, "kubernetes:policy/v1:PodDisruptionBudget"),
    ],
    [
        "k8s-network-policy-for-every-deployment",
        "dev",
        // Neither policy limits egress any more: the pods could call anywhere.
        (r) => {
            const ingressOnly = (i: Inputs) => (i.spec.policyTypes = ["Ingress"]);
            const type = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
            return broken(broken(r, type, ingressOnly, "default-deny"), type, ingressOnly, "web");
        },
    ],
    [
        "k8s-network-policy-for-every-deployment",
        "prod",
        (r) => without(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy"),
    ],
    [
        "k8s-network-policy-not-vpc-wide",
        "dev",
        // 0.0.0.0/0 without its except: every pod of the cluster may reach the app's port.
        (r) =>
            broken(
                r,
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                (i) => delete i.spec.ingress[0].from[0].ipBlock.except,
                "web",
            ),
    ],
    [
        "k8s-network-policy-not-vpc-wide",
        "staging",
        // A private subnet, where nodes and their pods have their addresses.
        (r) =>
            broken(
                r,
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                (i) => i.spec.ingress[0].from.push({ ipBlock: { cidr: "10.20.32.0/19" } }),
                "web",
            ),
    ],
    [
        "k8s-network-policy-not-vpc-wide",
        "prod",
        // The old rule: the whole VPC, through which the in-tree NLB's nodes relayed traffic.
        (r) =>
            broken(
                r,
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                (i) => i.spec.ingress[0].from.push({ ipBlock: { cidr: "10.30.0.0/16" } }),
                "web",
            ),
    ],
    [
        "k8s-load-balancer-source-ranges",
        "dev",
        (r) => broken(r, "kubernetes:core/v1:Service", (i) => delete i.spec.loadBalancerSourceRanges),
    ],
    // ---- each check inside a rule, once: a rule that stops checking one thing fails here ----
    ...(
        [
            [
                "runAsNonRoot unset in the container and the pod",
                (i: Inputs) => {
                    delete pod(i).containers[0].securityContext.runAsNonRoot;
                    delete pod(i).securityContext.runAsNonRoot;
                },
            ],
            [
                "capabilities that do not drop ALL",
                (i: Inputs) => (pod(i).containers[0].securityContext.capabilities.drop = ["NET_RAW"]),
            ],
            // Unset, not false: the namespace's Pod Security level does not require it, so only the pack does.
            [
                "readOnlyRootFilesystem unset",
                (i: Inputs) => delete pod(i).containers[0].securityContext.readOnlyRootFilesystem,
            ],
            [
                "seccomp Unconfined in the container",
                (i: Inputs) => (pod(i).containers[0].securityContext.seccompProfile = { type: "Unconfined" }),
            ],
            [
                "an init container that may escalate",
                (i: Inputs) =>
                    (pod(i).initContainers = [
                        {
                            ...structuredClone(pod(i).containers[0]),
                            name: "init",
                            securityContext: {
                                ...pod(i).containers[0].securityContext,
                                allowPrivilegeEscalation: true,
                            },
                        },
                    ]),
            ],
        ] as [string, (i: Inputs) => void][]
    ).map(([, change]): [string, string, (run: RunResult) => RunResult] => [
        "k8s-restricted-pod-security",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", change),
    ]),
    [
        "k8s-resources-set",
        "dev",
        (r) =>
            broken(
                r,
                "kubernetes:apps/v1:Deployment",
                (i) => delete pod(i).containers[0].resources.requests.cpu,
            ),
    ],
    [
        "k8s-resources-set",
        "dev",
        (r) =>
            broken(
                r,
                "kubernetes:apps/v1:Deployment",
                (i) => delete pod(i).containers[0].resources.requests.memory,
            ),
    ],
    [
        "k8s-probes-set",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).containers[0].readinessProbe),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).hostPID = true)),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).hostIPC = true)),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) =>
            broken(
                r,
                "kubernetes:apps/v1:Deployment",
                (i) => (pod(i).containers[0].securityContext.privileged = true),
            ),
    ],
    [
        "k8s-network-policy-for-every-deployment",
        "dev",
        // Both policies in another namespace: they select no pod of the app's.
        (r) => {
            const elsewhere = (i: Inputs) => (i.metadata.namespace = "elsewhere");
            const type = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
            return broken(broken(r, type, elsewhere, "default-deny"), type, elsewhere, "web");
        },
    ],
    [
        "k8s-network-policy-for-every-deployment",
        "dev",
        // default-deny gone, and the app's policy selecting other pods.
        (r) => {
            const type = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
            const noDefaultDeny = {
                ...r,
                registrations: r.registrations.filter((x) => !(x.type === type && x.name === "default-deny")),
            };
            return broken(
                noDefaultDeny,
                type,
                (i) => (i.spec.podSelector.matchLabels = { "app.kubernetes.io/name": "another-app" }),
                "web",
            );
        },
    ],
    [
        "k8s-pdb-for-replicated-deployments",
        "prod",
        (r) =>
            broken(
                r,
                "kubernetes:policy/v1:PodDisruptionBudget",
                (i) => (i.metadata.namespace = "elsewhere"),
            ),
    ],
    [
        "k8s-pdb-for-replicated-deployments",
        "prod",
        (r) =>
            broken(
                r,
                "kubernetes:policy/v1:PodDisruptionBudget",
                (i) => (i.spec.selector.matchLabels = { "app.kubernetes.io/name": "another-app" }),
            ),
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
        "iam-no-wildcard-admin",
        "dev",
        (r) =>
            broken(
                r,
                "aws:iam/rolePolicy:RolePolicy",
                (i) => (i.policy = JSON.stringify(ADMIN_DOCUMENT)),
                "lb-controller-policy",
            ),
    ],
    [
        "iam-no-wildcard-admin",
        "dev",
        // A managed policy of the stack's own: none today, the rule must still read one.
        (r) => {
            const inline = r.registrations.find((x) => x.type === "aws:iam/rolePolicy:RolePolicy")!;
            const managed = {
                ...structuredClone(inline),
                type: "aws:iam/policy:Policy",
                name: "admin",
                urn: `${inline.urn}-admin`,
                inputs: { policy: JSON.stringify(ADMIN_DOCUMENT) },
            };
            return { ...r, registrations: [...r.registrations, managed] };
        },
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
    [
        "k8s-images-by-digest",
        "dev",
        // 65 hex digits: not a digest, however close.
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).containers[0].image += "0")),
    ],
    [
        "k8s-pdb-for-replicated-deployments",
        "prod",
        // The budget asks for a label the pods lack as well as theirs: it selects none of them.
        (r) =>
            broken(
                r,
                "kubernetes:policy/v1:PodDisruptionBudget",
                (i) => (i.spec.selector.matchLabels = { ...i.spec.selector.matchLabels, tier: "other" }),
            ),
    ],
    [
        "k8s-network-policy-not-vpc-wide",
        "prod",
        // A VPC tagged for load balancers is still a VPC, not a load balancer subnet.
        (r) =>
            broken(
                broken(r, "aws:ec2/vpc:Vpc", (i) => (i.tags = { ...i.tags, "kubernetes.io/role/elb": "1" })),
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                // Inside the VPC (its except takes the whole of it out of the first check).
                (i) =>
                    i.spec.ingress[0].from.push({
                        ipBlock: { cidr: "10.30.0.0/16", except: ["10.30.0.0/16"] },
                    }),
                "web",
            ),
    ],
    [
        "k8s-load-balancer-source-ranges",
        "dev",
        // Annotated, but not "true": not public on purpose.
        (r) =>
            broken(r, "kubernetes:core/v1:Service", (i) => {
                delete i.spec.loadBalancerSourceRanges;
                i.metadata.annotations = { ...i.metadata.annotations, "policy.flask-eks.io/public": "false" };
            }),
    ],
];

describe("policy pack: each mandatory rule catches its regression", () => {
    for (const [policy, stack, breakIt] of regressions) {
        it(`${policy} fires when ${stack} loses that guarantee`, async () => {
            const violations = await mandatory(breakIt(await okRun(stack)), stack);
            assert.deepEqual([...new Set(violations.map((v) => v.policy))], [policy]);
            for (const { message } of violations) assert.match(message, SENTENCE);
        });
    }

    it("every mandatory rule has a regression above", () => {
        assert.deepEqual(
            [...new Set(regressions.map(([p]) => p))].sort(),
            MANDATORY.map((p) => p.name)
                .filter((n) => n !== "eks-public-endpoint-restricted")
                .sort(),
        );
    });

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

    it("iam-no-wildcard-admin passes a narrow inline policy and a customer policy named like AdministratorAccess", async () => {
        const narrow = { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
        let run = broken(
            await okRun("dev"),
            "aws:iam/role:Role",
            (i) => (i.inlinePolicies = [{ name: "read", policy: JSON.stringify(narrow) }]),
            "web-role",
        );
        run = broken(
            run,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            (i) => (i.policyArn = "arn:aws:iam::123456789012:policy/AdministratorAccessReview"),
            "cluster-policy",
        );
        assert.deepEqual(await firing(run, "dev"), []);
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

    it("refuses pack config of the wrong type, as the engine does", async () => {
        await assert.rejects(
            evaluatePolicies(ALL, await okRun("prod"), {
                "eks-public-endpoint-restricted": { production: "yes" },
            }),
            /eks-public-endpoint-restricted: config production is "yes", not a boolean/,
        );
    });

    it("kms-key-rotation leaves an asymmetric key alone: AWS cannot rotate one", async () => {
        const run = broken(await okRun("prod"), "aws:kms/key:Key", (i) => {
            i.customerMasterKeySpec = "RSA_2048";
            i.enableKeyRotation = false;
        });
        assert.deepEqual(await firing(run, "prod"), []);
    });

    it("a LoadBalancer without source ranges passes when annotated public on purpose", async () => {
        const run = broken(await okRun("dev"), "kubernetes:core/v1:Service", (i) => {
            delete i.spec.loadBalancerSourceRanges;
            // The name the README documents, spelt out: users type it.
            i.metadata.annotations["policy.flask-eks.io/public"] = "true";
        });
        assert.deepEqual(await firing(run, "dev"), []);
    });

    it("k8s-restricted-pod-security takes runAsNonRoot and seccomp from the container or the pod", async () => {
        for (const [podLevel, containerLevel] of [
            [{ seccompProfile: { type: "RuntimeDefault" } }, { runAsNonRoot: true }],
            [{ runAsNonRoot: true }, { seccompProfile: { type: "RuntimeDefault" } }],
        ]) {
            const run = broken(await okRun("dev"), "kubernetes:apps/v1:Deployment", (i) => {
                const container = pod(i).containers[0];
                const { runAsNonRoot: _r, seccompProfile: _s, ...rest } = container.securityContext;
                pod(i).securityContext = podLevel;
                container.securityContext = { ...rest, ...containerLevel };
            });
            assert.deepEqual(await firing(run, "dev"), [], JSON.stringify(podLevel));
        }
    });

    it("a namespace's default deny alone limits a Deployment both ways", async () => {
        const type = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
        const run = await okRun("dev");
        const denyOnly = {
            ...run,
            registrations: run.registrations.filter((r) => !(r.type === type && r.name === "web")),
        };
        assert.deepEqual(await firing(denyOnly, "dev"), []);
    });

    it("a single-replica Deployment needs no PDB", async () => {
        const run = broken(
            without(await okRun("dev"), "kubernetes:policy/v1:PodDisruptionBudget"),
            "kubernetes:apps/v1:Deployment",
            (i) => (i.spec.replicas = 1),
        );
        assert.deepEqual(await firing(run, "dev"), []);
    });

    it("an autoscaled Deployment counts its HPA's minimum: a minimum of one needs no PDB", async () => {
        const run = broken(
            without(await okRun("dev"), "kubernetes:policy/v1:PodDisruptionBudget"),
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            (i) => (i.spec.minReplicas = 1),
        );
        assert.deepEqual(await firing(run, "dev"), []);
    });

    // The app's Deployment is autoscaled and declares no replicas: only a matching HPA makes it
    // replicated. An HPA that scales something else leaves it at one replica, so no PDB is due.
    for (const [what, change] of [
        ["in another namespace", (i: Inputs) => (i.metadata.namespace = "elsewhere")],
        ["of a StatefulSet", (i: Inputs) => (i.spec.scaleTargetRef.kind = "StatefulSet")],
        ["of another Deployment", (i: Inputs) => (i.spec.scaleTargetRef.name = "another-app")],
    ] as [string, (i: Inputs) => void][]) {
        it(`an HPA ${what} does not make the Deployment replicated`, async () => {
            const run = without(await okRun("dev"), "kubernetes:policy/v1:PodDisruptionBudget");
            assert.deepEqual(await firing(run, "dev"), ["k8s-pdb-for-replicated-deployments"]);
            const hpa = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
            assert.deepEqual(await firing(broken(run, hpa, change), "dev"), []);
        });
    }

    // The pod rules read every workload kind's pod spec, each kind from where it keeps it.
    for (const [type, wrap] of [
        ["kubernetes:apps/v1:StatefulSet", (spec: Inputs) => ({ spec: { template: { spec } } })],
        ["kubernetes:apps/v1:DaemonSet", (spec: Inputs) => ({ spec: { template: { spec } } })],
        ["kubernetes:batch/v1:Job", (spec: Inputs) => ({ spec: { template: { spec } } })],
        [
            "kubernetes:batch/v1:CronJob",
            (spec: Inputs) => ({ spec: { jobTemplate: { spec: { template: { spec } } } } }),
        ],
        ["kubernetes:core/v1:Pod", (spec: Inputs) => ({ spec })],
    ] as [string, (spec: Inputs) => Inputs][]) {
        it(`the pod rules check a ${type.split(":").pop()}'s pod spec`, async () => {
            const run = await okRun("dev");
            const deployment = run.registrations.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
            const withWorkload = (spec: Inputs): RunResult => {
                const workload = {
                    ...structuredClone(deployment),
                    type,
                    name: "other",
                    urn: `${deployment.urn}-other`,
                    inputs: wrap(spec),
                };
                return { ...run, registrations: [...run.registrations, workload] };
            };
            const spec = structuredClone(pod(deployment.inputs));
            assert.deepEqual(await firing(withWorkload(spec), "dev"), [], "the app's own pod spec passes");
            assert.deepEqual(await firing(withWorkload({}), "dev"), [], "no containers, nothing to fault");
            const bare = { securityContext: spec.securityContext, containers: spec.containers };
            assert.deepEqual(await firing(withWorkload(bare), "dev"), [], "no init containers, no volumes");
            spec.containers[0].image = "nginx:latest";
            spec.hostPID = true;
            assert.deepEqual(await firing(withWorkload(spec), "dev"), [
                "k8s-images-by-digest",
                "k8s-no-host-access",
            ]);
        });
    }

    it("a rule can be turned off for a stack through pack config", async () => {
        const run = broken(
            await okRun("dev"),
            "aws:ecr/repository:Repository",
            (i) => (i.imageTagMutability = "MUTABLE"),
        );
        const violations = await evaluatePolicies(ALL, run, {
            "ecr-immutable-tags": { enforcementLevel: "disabled" },
        });
        assert.deepEqual(
            violations.filter((v) => v.level === "mandatory"),
            [],
        );
    });
});

// What the CLI prints for a violation, exactly: the thing, and what is wrong with it.
const messages: [string, string, (run: RunResult) => RunResult, string][] = [
    [
        "dev",
        "k8s-resources-set",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).containers[0].resources),
        "container web sets no requests.cpu, requests.memory, limits.memory.",
    ],
    [
        "dev",
        "k8s-restricted-pod-security",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) => {
                delete pod(i).securityContext;
                delete pod(i).containers[0].securityContext;
            }),
        "container web: runAsNonRoot is not true; allowPrivilegeEscalation is not false; capabilities do not drop ALL; seccompProfile is not RuntimeDefault; readOnlyRootFilesystem is not true.",
    ],
    [
        "dev",
        "eks-control-plane-logs",
        (r) => broken(r, "aws:eks/cluster:Cluster", (i) => (i.enabledClusterLogTypes = ["api"])),
        "enabledClusterLogTypes lacks audit, authenticator.",
    ],
    [
        "prod",
        "k8s-pdb-for-replicated-deployments",
        (r) => without(r, "kubernetes:policy/v1:PodDisruptionBudget"),
        "Deployment web runs 3 replicas with no PodDisruptionBudget.",
    ],
    [
        "prod",
        "k8s-network-policy-for-every-deployment",
        (r) => without(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy"),
        "Deployment web has no NetworkPolicy limiting its ingress and egress.",
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

describe("policy pack: what a violation says", () => {
    for (const [stack, policy, breakIt, message] of messages) {
        it(`${policy}: ${message}`, async () => {
            const violations = await mandatory(breakIt(await okRun(stack)), stack);
            assert.deepEqual(
                violations.map((v) => [v.policy, v.message]),
                [[policy, message]],
            );
        });
    }
});

/** Every path to an object-valued key inside a value (lists are walked, their items kept). */
function objectKeys(value: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (typeof value !== "object" || value === null) return [];
    return Object.entries(value).flatMap(([key, v]) => {
        const path = [...at, Array.isArray(value) ? Number(key) : key];
        const here = typeof v === "object" && v !== null && !Array.isArray(value) ? [path] : [];
        return [...here, ...objectKeys(v, path)];
    });
}

describe("policy pack: absent values", () => {
    it("no rule throws, whatever object of a resource's inputs is absent", async () => {
        const run = await okRun("dev");
        let tried = 0;
        for (const [index, r] of run.registrations.entries()) {
            for (const path of objectKeys(r.inputs)) {
                const inputs = structuredClone(r.inputs);
                let parent = inputs as Inputs;
                for (const key of path.slice(0, -1)) parent = parent[key];
                delete parent[path.at(-1)!];
                const registrations = run.registrations.map((x, i) => (i === index ? { ...x, inputs } : x));
                await evaluatePolicies(ALL, { ...run, registrations }, packConfig("dev")).catch((e: Error) =>
                    assert.fail(`${r.type} ${r.name} without ${path.join(".")}: ${e.stack}`),
                );
                tried++;
            }
        }
        assert.ok(tried > 100, `${tried} objects taken away`);
    });

    it("no rule throws when a node group's subnets are not the stack's (an adopted VPC's plain IDs)", async () => {
        const run = await okRun("dev");
        const adopted = {
            ...run,
            registrations: run.registrations.map((r) =>
                r.type === "aws:eks/nodeGroup:NodeGroup" ? { ...r, propertyDependencies: {} } : r,
            ),
        };
        assert.deepEqual(await firing(adopted, "dev"), []);
    });
});

describe("policy pack: advisory rules", () => {
    it("aws-default-tags fires when the provider loses its default tags", async () => {
        const run = broken(await okRun("dev"), "pulumi:providers:aws", (i) => delete i.defaultTags);
        const violations = await evaluatePolicies(advisoryPolicies, run, packConfig("dev"));
        assert.deepEqual(
            violations.map((v) => [v.policy, v.level, v.message]),
            [["aws-default-tags", "advisory", "defaultTags lacks project, stack, managed-by."]],
        );
    });

    it("eks-standard-support fires for extended support", async () => {
        const run = broken(
            await okRun("dev"),
            "aws:eks/cluster:Cluster",
            (i) => (i.upgradePolicy.supportType = "EXTENDED"),
        );
        const violations = await evaluatePolicies(advisoryPolicies, run, packConfig("dev"));
        assert.deepEqual(
            violations.map((v) => [v.policy, v.message]),
            [["eks-standard-support", "upgradePolicy.supportType is not STANDARD."]],
        );
    });

    it("eks-kubernetes-support-runway fires under 90 days of standard support, past it, and for a version with no row", async () => {
        for (const [version, message] of [
            ["1.34", "Kubernetes 1.34 has 4 days of standard support left (until 2026-12-02)."],
            ["1.33", "Kubernetes 1.33 is past standard support; extended support until 2027-07-29."],
            ["1.30", "Kubernetes 1.30 has no row in domain/versions.ts."],
        ]) {
            const run = broken(await okRun("dev"), "aws:eks/cluster:Cluster", (i) => (i.version = version));
            const violations = await evaluatePolicies(advisoryPolicies, run, packConfig("dev"));
            assert.deepEqual(
                violations.map((v) => [v.policy, v.message]),
                [["eks-kubernetes-support-runway", message]],
            );
        }
    });

    it("eks-kubernetes-support-runway is quiet with exactly its warning days left, and speaks a day later", async () => {
        const run = broken(await okRun("dev"), "aws:eks/cluster:Cluster", (i) => (i.version = "1.35"));
        // 1.35's standard support ends 2027-03-27: 90 days after 2026-12-27.
        for (const [day, expected] of [
            ["2026-12-27", []],
            ["2026-12-28", ["Kubernetes 1.35 has 89 days of standard support left (until 2027-03-27)."]],
        ] as [string, string[]][]) {
            const violations = await evaluatePolicies(
                advisoryPoliciesOn(new Date(`${day}T12:00:00Z`)),
                run,
                packConfig("dev"),
            );
            assert.deepEqual(
                violations.filter((v) => v.policy === "eks-kubernetes-support-runway").map((v) => v.message),
                expected,
                day,
            );
        }
    });

    it("recognises a wildcard admin statement in its forms", () => {
        assert.ok(grantsEverything({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }));
        assert.ok(
            grantsEverything(
                JSON.stringify({ Statement: { Effect: "Allow", Action: ["s3:*", "*"], Resource: ["*"] } }),
            ),
        );
        assert.ok(!grantsEverything({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }));
        assert.ok(!grantsEverything({ Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }));
        assert.ok(
            !grantsEverything({ Statement: [{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }] }),
        );
        assert.ok(!grantsEverything("not json"));
    });
});

describe("policy pack: packaging", () => {
    it("pins the same SDK versions as the program, so the tests exercise what the CLI will load", () => {
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"));
        const rootVersions = { ...root.dependencies, ...root.devDependencies };
        for (const [name, version] of Object.entries(pack.dependencies))
            assert.equal(version, rootVersions[name], name);
        assert.match(
            fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8"),
            /^runtime: nodejs$/m,
        );
    });

    it("registers every rule of every module in the pack, once, from its entry file", () => {
        // Load the real entry file with a PolicyPack that records what it is given instead of
        // serving it to the CLI.
        const id = require.resolve("@pulumi/policy");
        const entry = require.resolve("../policy/index.ts");
        const cached = require.cache[id]!;
        const real = cached.exports;
        const packs: { name: string; policies: { name: string }[] }[] = [];
        cached.exports = {
            ...real,
            PolicyPack: class {
                constructor(name: string, args: { policies: { name: string }[] }) {
                    packs.push({ name, policies: args.policies });
                }
            },
        };
        try {
            delete require.cache[entry];
            require(entry);
        } finally {
            cached.exports = real;
            delete require.cache[entry];
        }
        assert.equal(packs.length, 1);
        // The pack is published on its own (pulumi policy publish policy), so its name is its own.
        assert.match(packs[0].name, /^[\w.-]+$/, "a name Pulumi Cloud accepts for a pack");
        assert.deepEqual(
            packs[0].policies.map((p) => p.name),
            ALL.map((p) => p.name),
        );
    });
});

describe("policy pack: production config file", () => {
    it("policy/prod.json marks production for the rules that read it", () => {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "prod.json"), "utf8"));
        assert.deepEqual(config, packConfig("prod"));
    });
});
