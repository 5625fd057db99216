import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { LOAD_BALANCER_CONTROLLER_REQUESTS } from "../../../domain/capacity";
import { bytesOf, cpusOf } from "../../../domain/quantities";
import * as k8s from "@pulumi/kubernetes";
import {
    IAM_POLICY_BLOBS,
    LoadBalancerController,
    Statement,
    confineToVpc,
    iamPolicyFile,
} from "../../../components/addons/lbcontroller";
import { KUBERNETES_VERSIONS } from "../../../domain/versions";
import { loadStackConfig } from "../../../offline/stack-config";
import { P, builtAlone, eksStacks, inputs, okRun, one, providerUrn } from "../../helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The id git gives a file's content: what upstream's repository names its iam_policy.json by. */
function gitBlobId(file: string): string {
    const content = fs.readFileSync(file);
    return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

describe("AWS Load Balancer Controller IAM policy", () => {
    const pinned = new Set(Object.values(KUBERNETES_VERSIONS).map((v) => v.loadBalancerController.image));

    for (const image of pinned) {
        it(`for ${image} is upstream's docs/install/iam_policy.json at that tag, byte for byte`, () => {
            assert.equal(gitBlobId(iamPolicyFile(image)), IAM_POLICY_BLOBS[image]);
        });
    }
});

describe("confining upstream's policy to the cluster's VPC", () => {
    const VPC = "arn:aws:ec2:us-west-2:1:vpc/vpc-1";
    const rules = ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"];
    const open: Statement = { Action: rules, Resource: "*" };
    const confine = (...Statement: Statement[]) =>
        confineToVpc({ Statement: structuredClone(Statement) }, VPC, "p.json");

    it("conditions the one statement that changes security-group rules anywhere, and no other", () => {
        const others: Statement[] = [
            { Action: rules, Resource: "*", Condition: { StringEquals: { "aws:RequestTag/x": "y" } } },
            { Action: rules, Resource: "arn:aws:ec2:*:*:security-group/*" },
            { Action: [...rules, "ec2:DeleteSecurityGroup"], Resource: "*" },
        ];
        assert.deepEqual(confine(others[0], open, others[1], others[2]).Statement, [
            others[0],
            { ...open, Condition: { ArnEquals: { "ec2:Vpc": VPC } } },
            others[1],
            others[2],
        ]);
        assert.deepEqual(confine({ Action: [rules[0]], Resource: "*" }).Statement[0].Condition, {
            ArnEquals: { "ec2:Vpc": VPC },
        });
    });

    it("refuses a policy with none or two such statements, naming its file", () => {
        const refusal = { message: "p.json: expected one unconditioned security-group rule statement" };
        assert.throws(() => confine({ ...open, Resource: "arn:aws:ec2:*:*:security-group/*" }), refusal);
        assert.throws(() => confine(open, open), refusal);
    });
});

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;
    const clusterName = `${P}-${stack}`;

    describe(`AWS Load Balancer Controller (${stack})`, () => {
        it("is a Helm release of the chart and image pinned for the cluster's minor, through the cluster's provider", async () => {
            const run = await okRun(stack);
            const release = one(run, RELEASE, "lb-controller");
            const pinned = KUBERNETES_VERSIONS[config[`${P}:kubernetesVersion`]].loadBalancerController;
            const r = inputs(release);
            assert.equal(r.chart, "aws-load-balancer-controller");
            assert.equal(r.version, pinned.chart);
            assert.deepEqual(r.repositoryOpts, { repo: "https://aws.github.io/eks-charts" });
            assert.equal(r.namespace, "kube-system");
            assert.equal(r.values.image.tag, pinned.image);
            assert.equal(providerUrn(release.provider), one(run, "pulumi:providers:kubernetes").urn);
        });

        it("runs two replicas with a PDB, sized as the capacity check counts them, for annotated Services only", async () => {
            const run = await okRun(stack);
            const values = inputs(one(run, RELEASE, "lb-controller")).values;
            assert.equal(values.clusterName, clusterName);
            // Pods cannot reach the nodes' metadata service (hop limit 1): region and VPC come from here.
            assert.equal(values.region, config["aws:region"]);
            assert.equal(values.vpcId, one(run, "aws:ec2/vpc:Vpc").id);
            assert.equal(values.replicaCount, 2);
            assert.deepEqual(values.podDisruptionBudget, { maxUnavailable: 1 });
            assert.deepEqual(values.resources, {
                requests: {
                    cpu: LOAD_BALANCER_CONTROLLER_REQUESTS.cpu,
                    memory: LOAD_BALANCER_CONTROLLER_REQUESTS.memory,
                },
                limits: { memory: LOAD_BALANCER_CONTROLLER_REQUESTS.memoryLimit },
            });
            // Kubernetes refuses a limit under the request.
            assert.ok(bytesOf(values.resources.limits.memory) >= bytesOf(values.resources.requests.memory));
            assert.ok(
                bytesOf(values.resources.requests.memory) > 0 && cpusOf(values.resources.requests.cpu) > 0,
            );
            assert.equal(values.enableServiceMutatorWebhook, false);
            // The webhooks' certificate from cert-manager: no key in the release's record.
            assert.equal(values.enableCertManager, true);
            assert.equal(values.keepTLSSecret, undefined);
            // What it makes in AWS carries the stack's tags: the boundary keeps other stacks off it.
            assert.deepEqual(values.defaultTags, { project: P, stack, "managed-by": "pulumi" });
            // Its chart needs cert-manager's CRDs and webhook in the cluster first.
            const release = one(run, RELEASE, "lb-controller");
            assert.ok(release.dependencies.includes(one(run, RELEASE, "cert-manager").urn));
        });

        it("has an IRSA role for its service account, with upstream's policy confined to the cluster's VPC", async () => {
            const run = await okRun(stack);
            const role = one(run, "aws:iam/role:Role", "lb-controller-role");
            const values = inputs(one(run, RELEASE, "lb-controller")).values;
            assert.deepEqual(values.serviceAccount, {
                create: true,
                name: "aws-load-balancer-controller",
                annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::123456789012:role/${role.id}` },
            });
            const trust = JSON.parse(inputs(role).assumeRolePolicy);
            const sub = Object.entries(trust.Statement[0].Condition.StringEquals).find(([k]) =>
                k.endsWith(":sub"),
            );
            assert.equal(sub?.[1], "system:serviceaccount:kube-system:aws-load-balancer-controller");

            const policy = JSON.parse(
                inputs(one(run, "aws:iam/rolePolicy:RolePolicy", "lb-controller-policy")).policy,
            );
            const image = KUBERNETES_VERSIONS[config[`${P}:kubernetesVersion`]].loadBalancerController.image;
            const upstream = JSON.parse(fs.readFileSync(iamPolicyFile(image), "utf8"));
            const vpc = one(run, "aws:ec2/vpc:Vpc").id;
            const changed = policy.Statement.filter(
                (s: object, i: number) => JSON.stringify(s) !== JSON.stringify(upstream.Statement[i]),
            );
            // One statement differs: security-group rules, anywhere upstream, in this VPC only.
            assert.equal(policy.Statement.length, upstream.Statement.length);
            assert.deepEqual(changed, [
                {
                    Effect: "Allow",
                    Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
                    Resource: "*",
                    Condition: {
                        ArnEquals: {
                            "ec2:Vpc": `arn:aws:ec2:${config["aws:region"]}:123456789012:vpc/${vpc}`,
                        },
                    },
                },
            ]);
        });
    });
}

describe("LoadBalancerController outside any component", () => {
    it("builds with no options: its release, role and policy under it", async () => {
        const run = await builtAlone(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            const certManager = new k8s.core.v1.ConfigMap(
                "cert-manager",
                { metadata: { name: "c" } },
                { provider },
            );
            new LoadBalancerController("lb-controller", {
                clusterName: "c",
                region: "us-west-2",
                kubernetesVersion: Object.keys(KUBERNETES_VERSIONS)[0],
                vpcId: "vpc-1",
                oidc: { arn: "arn:aws:iam::123456789012:oidc-provider/o", url: "https://o" },
                provider,
                certManager,
            });
        });
        const controller = one(run, "flask-eks:index:LoadBalancerController", "lb-controller");
        assert.equal(one(run, RELEASE, "lb-controller").parent, controller.urn);
        assert.ok(
            JSON.parse(inputs(one(run, "aws:iam/rolePolicy:RolePolicy", "lb-controller-policy")).policy)
                .Statement,
        );
    });
});
