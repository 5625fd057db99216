import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as aws from "@pulumi/aws";
import { ClusterAccess, ClusterAccessArgs, TenantAccess } from "../../../components/platform/access";
import { all, builtAlone, inputs } from "../../helpers";

// components/platform/access.ts, built alone: who gets which access entry.

const ENTRY = "aws:eks/accessEntry:AccessEntry";
const ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const role = (name: string) => `arn:aws:iam::123456789012:role/team/${name}`;

function build(args: Omit<ClusterAccessArgs, "cluster" | "partition">) {
    return builtAlone(() => {
        const cluster = new aws.eks.Cluster("cluster", {
            roleArn: role("eks"),
            vpcConfig: { subnetIds: [] },
        });
        const access = new ClusterAccess("access", { ...args, cluster, partition: "aws" });
        return { admins: access.admins.map((a) => a.urn) };
    });
}

/** Each principal's entries, as `name: policy [groups]`. */
function granted(run: Awaited<ReturnType<typeof build>>): string[] {
    const groups = new Map(all(run, ENTRY).map((e) => [e.name, inputs(e).kubernetesGroups ?? []]));
    return all(run, ASSOCIATION)
        .map((a) => {
            const policy = String(inputs(a).policyArn).split("/").pop();
            return `${a.name}: ${policy} [${groups.get(a.name).join(",")}]`;
        })
        .sort();
}

describe("ClusterAccess", () => {
    it("gives each admin cluster admin, each viewer view, each refresher view and the refreshers' group", async () => {
        const run = await build({
            adminPrincipalArns: [role("deploy")],
            viewerRoleArns: [role("preview")],
            refreshers: { roleArns: [role("drift")], group: "refreshers" },
        });
        assert.deepEqual(granted(run), [
            "admin-123456789012-deploy: AmazonEKSClusterAdminPolicy []",
            "view-123456789012-drift: AmazonEKSViewPolicy [refreshers]",
            "view-123456789012-preview: AmazonEKSViewPolicy []",
        ]);
        for (const association of all(run, ASSOCIATION))
            assert.deepEqual(inputs(association).accessScope, { type: "cluster" });
    });

    it("one entry per principal: an admin gets no other, a refresher no viewer's, a repeated one is one", async () => {
        const run = await build({
            adminPrincipalArns: [role("deploy"), role("deploy")],
            viewerRoleArns: [role("deploy"), role("drift"), role("preview")],
            refreshers: { roleArns: [role("deploy"), role("drift")], group: "refreshers" },
        });
        assert.deepEqual(granted(run), [
            "admin-123456789012-deploy: AmazonEKSClusterAdminPolicy []",
            "view-123456789012-drift: AmazonEKSViewPolicy [refreshers]",
            "view-123456789012-preview: AmazonEKSViewPolicy []",
        ]);
    });

    it("names the admins' associations, which the Kubernetes provider waits for, and nothing else", async () => {
        const run = await build({
            adminPrincipalArns: [role("a"), role("b")],
            viewerRoleArns: [role("c")],
            refreshers: { roleArns: [], group: "refreshers" },
        });
        const admins = all(run, ASSOCIATION).filter((a) => a.name.startsWith("admin-"));
        assert.deepEqual([...(run.outputs.admins as string[])].sort(), admins.map((a) => a.urn).sort());
        assert.equal(admins.length, 2);
    });
});

describe("TenantAccess", () => {
    it("gives each of a tenant's deploy roles EKS's edit policy in the tenant's namespace only", async () => {
        const run = await builtAlone(() => {
            new TenantAccess("web", {
                clusterName: "flask-eks-dev-platform",
                partition: "aws",
                deployRoleArns: [role("deploy-web"), role("deploy-web-ci")],
                namespace: "web",
            });
        });
        assert.deepEqual(granted(run), [
            "web-edit-123456789012-deploy-web-ci: AmazonEKSEditPolicy []",
            "web-edit-123456789012-deploy-web: AmazonEKSEditPolicy []",
        ]);
        for (const association of all(run, ASSOCIATION)) {
            assert.deepEqual(inputs(association).accessScope, { type: "namespace", namespaces: ["web"] });
            assert.equal(inputs(association).clusterName, "flask-eks-dev-platform");
        }
        for (const entry of all(run, ENTRY)) assert.equal(inputs(entry).type, "STANDARD");
    });

    it("gives its preview roles EKS's view policy there, each entry named for what it grants", async () => {
        const run = await builtAlone(() => {
            new TenantAccess("web", {
                clusterName: "flask-eks-dev-platform",
                partition: "aws",
                deployRoleArns: [role("deploy-web")],
                viewerRoleArns: [role("preview-web")],
                namespace: "web",
            });
        });
        assert.deepEqual(granted(run), [
            "web-edit-123456789012-deploy-web: AmazonEKSEditPolicy []",
            "web-view-123456789012-preview-web: AmazonEKSViewPolicy []",
        ]);
    });
});
