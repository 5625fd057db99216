import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as aws from "@pulumi/aws";
import { ADDONS, NetworkingAddons, WorkloadAddons } from "../../../components/platform/managedaddons";
import { KUBERNETES_VERSIONS } from "../../../domain/versions";
import { runStack } from "../../../offline";
import { loadStackConfig } from "../../../offline/stack-config";
import { estimateCost } from "../../../plan/cost";
import { P, all, builtAlone, eksStacks, inputs, okRun, one, policiesOf, providerUrn } from "../../helpers";

const policy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

for (const stack of eksStacks()) {
    describe(`add-ons (${stack})`, () => {
        it("gives the VPC CNI its network policy through IRSA, trusted only for kube-system:aws-node", async () => {
            const run = await okRun(stack);
            assert.deepEqual(policiesOf(run, "vpc-cni-role"), [policy("AmazonEKS_CNI_Policy")]);
            const trust = JSON.parse(inputs(one(run, "aws:iam/role:Role", "vpc-cni-role")).assumeRolePolicy);
            const oidc = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            const [statement] = trust.Statement;
            assert.equal(statement.Principal.Federated, oidc.id);
            const issuer = inputs(oidc).url.replace("https://", "");
            assert.deepEqual(statement.Condition.StringEquals, {
                [`${issuer}:aud`]: "sts.amazonaws.com",
                [`${issuer}:sub`]: "system:serviceaccount:kube-system:aws-node",
            });
            const cni = all(run, "aws:eks/addon:Addon").find((a) => a.name === "vpc-cni")!;
            assert.ok(
                cni.propertyDependencies.serviceAccountRoleArn.includes(
                    one(run, "aws:iam/role:Role", "vpc-cni-role").urn,
                ),
            );
            // The role alone grants nothing: aws-node starts only once the policy is attached.
            const attachment = all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").find(
                (a) => a.name === "vpc-cni-policy",
            )!;
            assert.ok(cni.dependencies.includes(attachment.urn));
        });

        it("manages the five add-ons at the versions pinned for its Kubernetes minor; nodes wait for networking, coredns and metrics-server for nodes", async () => {
            const run = await okRun(stack);
            const pinned =
                KUBERNETES_VERSIONS[loadStackConfig(stack).values[`${P}:kubernetesVersion`]].addons;
            const addons = Object.fromEntries(all(run, "aws:eks/addon:Addon").map((a) => [a.name, a]));
            assert.deepEqual(Object.keys(addons).sort(), [...ADDONS].sort());
            for (const [name, addon] of Object.entries(addons)) {
                assert.equal(inputs(addon).addonVersion, pinned[name], name);
                // EKS installs vpc-cni, kube-proxy and coredns itself: taking them over must overwrite.
                assert.equal(inputs(addon).resolveConflictsOnCreate, "OVERWRITE", name);
                assert.equal(inputs(addon).resolveConflictsOnUpdate, "OVERWRITE", name);
            }
            const nodes = one(run, "aws:eks/nodeGroup:NodeGroup");
            for (const name of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) {
                assert.ok(nodes.dependencies.includes(addons[name].urn), `node group waits for ${name}`);
            }
            for (const name of ["coredns", "metrics-server"]) {
                assert.ok(addons[name].dependencies.includes(nodes.urn), `${name} waits for the node group`);
            }
        });
    });
}

describe("add-on versions", () => {
    it("every Kubernetes minor in the table pins every managed add-on, as an EKS build", () => {
        for (const [minor, row] of Object.entries(KUBERNETES_VERSIONS)) {
            assert.deepEqual(Object.keys(row.addons).sort(), [...ADDONS].sort(), minor);
            for (const version of Object.values(row.addons))
                assert.match(version, /^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
            // kube-proxy is built per minor; its version names the minor it belongs to.
            assert.ok(row.addons["kube-proxy"].startsWith(`v${minor}.`), minor);
        }
    });
});

describe("Container Insights", () => {
    it("off by default: no add-on, no role", async () => {
        const run = await okRun("dev");
        assert.equal(
            all(run, "aws:eks/addon:Addon").some(
                (a) => inputs(a).addonName === "amazon-cloudwatch-observability",
            ),
            false,
        );
    });

    it("on: the add-on at EKS's default build for the cluster's minor, with its own IRSA role, and an unpriced cost line", async () => {
        const run = await okRun("dev", { overrides: { [`${P}:containerInsights`]: "true" } });
        const addon = one(run, "aws:eks/addon:Addon", "amazon-cloudwatch-observability");
        assert.equal(inputs(addon).addonVersion, "v9.9.9-eksbuild.1", "the lookup's answer");
        assert.equal(inputs(addon).resolveConflictsOnCreate, "OVERWRITE");
        assert.equal(inputs(addon).resolveConflictsOnUpdate, "OVERWRITE");
        const lookup = run.invokes.find((i) => i.token === "aws:eks/getAddonVersion:getAddonVersion")!;
        const minor = loadStackConfig("dev").values[`${P}:kubernetesVersion`];
        assert.deepEqual(lookup.inputs, {
            addonName: "amazon-cloudwatch-observability",
            kubernetesVersion: minor,
            mostRecent: false,
        });
        // Its lookup, role and attachment go through the stack's AWS provider like the rest.
        const aws = one(run, "pulumi:providers:aws").urn;
        assert.equal(providerUrn(lookup.provider ?? ""), aws);
        for (const r of [addon, one(run, "aws:iam/role:Role", "cloudwatch-agent-role")])
            assert.equal(providerUrn(r.provider), aws, r.name);
        const policy = all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").find(
            (a) => a.name === "cloudwatch-agent-policy",
        )!;
        assert.equal(providerUrn(policy.provider), aws);
        assert.ok(addon.dependencies.includes(policy.urn));
        const role = one(run, "aws:iam/role:Role", "cloudwatch-agent-role");
        assert.match(
            inputs(role).assumeRolePolicy,
            /system:serviceaccount:amazon-cloudwatch:cloudwatch-agent/,
        );
        assert.deepEqual(policiesOf(run, "cloudwatch-agent-role"), [
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        ]);
        assert.ok(
            addon.dependencies.includes(one(run, "aws:eks/nodeGroup:NodeGroup").urn),
            "waits for nodes",
        );
        const line = estimateCost(run).lines.find((l) => l.item === "Container Insights")!;
        assert.equal(line.monthly, undefined);
        assert.match(line.note!, /per observation and per GB of logs/);
    });

    it("is refused on the local target", async () => {
        const run = await runStack("local", { overrides: { [`${P}:containerInsights`]: "true" } });
        assert.match(
            run.error!.message,
            /containerInsights: got true, expected false on the local target, which has no EKS add-ons/,
        );
    });
});

describe("managed add-ons, built alone", () => {
    it("build with no options, Container Insights' role included, each under its component", async () => {
        const run = await builtAlone(() => {
            const cluster = new aws.eks.Cluster("cluster", {
                roleArn: "arn:aws:iam::123456789012:role/eks",
                vpcConfig: { subnetIds: [] },
            });
            const args = {
                cluster,
                versions: Object.values(KUBERNETES_VERSIONS)[0].addons,
                oidc: { arn: "arn:aws:iam::123456789012:oidc-provider/o", url: "https://o" },
                partition: "aws",
            };
            new NetworkingAddons("networking-addons", args);
            new WorkloadAddons("workload-addons", {
                ...args,
                kubernetesVersion: Object.keys(KUBERNETES_VERSIONS)[0],
                nodes: cluster,
                containerInsights: true,
            });
        });
        const networking = one(run, "flask-eks:index:NetworkingAddons", "networking-addons");
        const workload = one(run, "flask-eks:index:WorkloadAddons", "workload-addons");
        assert.equal(one(run, "flask-eks:index:ServiceAccountRole", "vpc-cni-role").parent, networking.urn);
        assert.equal(
            one(run, "flask-eks:index:ServiceAccountRole", "cloudwatch-agent-role").parent,
            workload.urn,
        );
        assert.equal(all(run, "aws:eks/addon:Addon").find((a) => a.name === "coredns")!.parent, workload.urn);
    });
});
