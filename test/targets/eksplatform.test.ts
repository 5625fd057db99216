import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unwrapSecrets } from "../../offline";
import { deliveryNames } from "../../config/delivery";
import { PLATFORM_OUTPUTS } from "../../targets/contract";
import { P, all, inputs, okRun } from "../helpers";

// targets/eksplatform.ts: an environment's shared part (dev-platform), under the mocks.

const ROLE = "arn:aws:iam::123456789012:role/deploy-web";

describe("the platform stack on EKS", () => {
    it("makes the network, the cluster, its nodes and add-ons, and no app of its own", async () => {
        const run = await okRun("dev-platform");
        for (const type of ["aws:ec2/vpc:Vpc", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup"])
            assert.equal(all(run, type).length, 1, type);
        assert.equal(all(run, "kubernetes:helm.sh/v3:Release").length, 3);
        for (const type of [
            "kubernetes:apps/v1:Deployment",
            "aws:ecr/repository:Repository",
            "docker:index/image:Image",
        ])
            assert.equal(all(run, type).length, 0, type);
    });

    it("lends each tenant a namespace with its quota, through the cluster's provider", async () => {
        const run = await okRun("dev-platform");
        const quotas = all(run, "kubernetes:core/v1:ResourceQuota").map((q) => [
            inputs(q).metadata.namespace,
            inputs(q).spec.hard["requests.cpu"],
            inputs(q).spec.hard.pods,
        ]);
        assert.deepEqual(quotas.sort(), [
            ["api", "1500m", "10"],
            ["web", "1500m", "10"],
        ]);
        const provider = all(run, "pulumi:providers:kubernetes")[0];
        for (const namespace of all(run, "kubernetes:core/v1:Namespace"))
            assert.ok(namespace.provider!.startsWith(`${provider.urn}::`));
    });

    it("lets a tenant's deploy roles into its namespace, and only those it names", async () => {
        const tenants = {
            web: { cpu: "1500m", memory: "2Gi", pods: 10, deployRoleArns: [ROLE] },
            api: { cpu: "1500m", memory: "2Gi", pods: 10 },
        };
        // Without deployStacks: the roles named, and no other.
        const run = await okRun("dev-platform", { overrides: { [`${P}:tenants`]: JSON.stringify(tenants) } });
        const scoped = all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter(
            (a) => inputs(a).accessScope.type === "namespace",
        );
        assert.deepEqual(
            scoped.map((a) => [
                inputs(a).principalArn,
                inputs(a).accessScope.namespaces,
                inputs(a).policyArn,
            ]),
            [[ROLE, ["web"], "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"]],
        );
    });

    it("lets each app stack's bootstrap roles into its tenant's namespace: the deploy role to edit, the preview role to view", async () => {
        const run = await okRun("dev-platform");
        const scoped = all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
            .filter((a) => inputs(a).accessScope.type === "namespace")
            .map((a) => [
                inputs(a).principalArn,
                inputs(a).accessScope.namespaces[0],
                String(inputs(a).policyArn).split("/").pop(),
            ]);
        const role = (stack: string, kind: "deployRole" | "previewRole") =>
            `arn:aws:iam::123456789012:role/${deliveryNames(P, stack)[kind]}`;
        assert.deepEqual(
            scoped.sort(),
            [
                [role("dev-api", "deployRole"), "api", "AmazonEKSEditPolicy"],
                [role("dev-api", "previewRole"), "api", "AmazonEKSViewPolicy"],
                [role("dev-web", "deployRole"), "web", "AmazonEKSEditPolicy"],
                [role("dev-web", "previewRole"), "web", "AmazonEKSViewPolicy"],
            ].sort(),
        );
    });

    it("exports the contract its apps read, and the kubeconfig as a secret", async () => {
        const run = await okRun("dev-platform");
        for (const name of PLATFORM_OUTPUTS) assert.ok(run.outputs[name] !== undefined, name);
        assert.deepEqual(run.outputs.tenants, {
            api: { namespace: "api", cpu: "1500m", memory: "2Gi", pods: 10 },
            web: { namespace: "web", cpu: "1500m", memory: "2Gi", pods: 10 },
        });
        assert.equal(run.outputs.nodeArchitecture, "amd64");
        assert.notEqual(
            unwrapSecrets(run.outputs.kubeconfig, "[secret]"),
            unwrapSecrets(run.outputs.kubeconfig),
        );
    });
});
