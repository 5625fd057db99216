// The rules of policy/kubernetes.ts on the objects around the pods (a PodDisruptionBudget for a
// replicated Deployment, NetworkPolicies that limit it and are not VPC-wide, source ranges on a
// LoadBalancer Service): each broken once on a real stack's graph, the cases each must let pass, what
// a violation says, and objects the program does not make.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { okRun } from "../../helpers";
import {
    Inputs,
    Message,
    OBJECT_RULES,
    Regression,
    broken,
    firing,
    itCatchesEachRegression,
    itSaysEachMessage,
    withResource,
    without,
} from "../helpers";

// Each mandatory rule, broken once on a real stack's graph: the rule must fire, and only it.
const regressions: Regression[] = [
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
    itCatchesEachRegression(regressions, OBJECT_RULES);

    it("a LoadBalancer without source ranges passes when annotated public on purpose", async () => {
        const run = broken(await okRun("dev"), "kubernetes:core/v1:Service", (i) => {
            delete i.spec.loadBalancerSourceRanges;
            // The name the README documents, spelt out: users type it.
            i.metadata.annotations["policy.flask-eks.io/public"] = "true";
        });
        assert.deepEqual(await firing(run, "dev"), []);
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
});

// What the CLI prints for a violation, exactly: the thing, and what is wrong with it.
const messages: Message[] = [
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
];

describe("policy pack: what a violation says", () => itSaysEachMessage(messages));

describe("policy pack: resources the program does not make", () => {
    it("refuses a LoadBalancer Service with no annotations, or no metadata at all", async () => {
        for (const inputs of [
            { spec: { type: "LoadBalancer" } },
            { metadata: {}, spec: { type: "LoadBalancer" } },
        ]) {
            assert.deepEqual(
                await firing(await withResource("kubernetes:core/v1:Service", inputs)),
                ["k8s-load-balancer-source-ranges"],
                JSON.stringify(inputs),
            );
        }
    });

    it("an HPA does not match a Deployment with no metadata, which lands in another namespace", async () => {
        const run = await okRun("dev");
        const bare = {
            ...run,
            registrations: run.registrations.map((r) =>
                r.type === "kubernetes:apps/v1:Deployment"
                    ? { ...r, inputs: { ...r.inputs, metadata: undefined } }
                    : r,
            ),
        };
        // Unmatched, it runs one replica (no PDB due), and the app's NetworkPolicies are elsewhere.
        assert.deepEqual(await firing(bare), ["k8s-network-policy-for-every-deployment"]);
    });
});
