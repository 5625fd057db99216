import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADDON_NAMESPACE, HelmAddon, HelmAddonArgs } from "../../../components/addons/helmaddon";
import { all, builtAlone, inputs, one } from "../../helpers";

// components/addons/helmaddon.ts, built alone: the base every Helm add-on of the stack shares.

/** An add-on as the stack's are: a HelmAddon of its own type. */
class Thing extends HelmAddon {
    constructor(name: string, args: HelmAddonArgs, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Thing", name, args, opts);
    }
}

const RELEASE = "kubernetes:helm.sh/v3:Release";
const OIDC = {
    arn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC123",
    url: "https://oidc.eks.us-west-2.amazonaws.com/id/ABC123",
};
const POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*" }],
});

/** A HelmAddon named `thing`, inside a component standing for the Cluster, with the args given. */
function build(args: Partial<HelmAddonArgs>) {
    return builtAlone(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        const crds = new k8s.core.v1.ConfigMap("crds", { metadata: { name: "crds" } }, { provider });
        const cluster = new pulumi.ComponentResource("test:index:Cluster", "cluster");
        new Thing(
            "thing",
            {
                provider,
                chart: { name: "thing-chart", version: "1.2.3", repo: "https://charts.example.com" },
                values: (roleArn) => ({
                    serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": roleArn } },
                }),
                after: [crds],
                ...args,
            },
            { parent: cluster },
        );
    });
}

describe("HelmAddon", () => {
    it("installs the pinned chart into kube-system under its own name, after what it needs", async () => {
        const run = await build({});
        const release = one(run, RELEASE, "thing");
        const { name, chart, version, repositoryOpts, namespace } = inputs(release);
        assert.deepEqual(
            { name, chart, version, repo: repositoryOpts.repo, namespace },
            {
                name: "thing-chart",
                chart: "thing-chart",
                version: "1.2.3",
                repo: "https://charts.example.com",
                namespace: ADDON_NAMESPACE,
            },
        );
        assert.ok(release.dependencies.includes(one(run, "kubernetes:core/v1:ConfigMap").urn));
        assert.equal(release.parent, one(run, "test:index:Thing").urn, "a child of the add-on");
    });

    it("without an identity: no role, no policy, and no role ARN for the chart", async () => {
        const run = await build({});
        assert.deepEqual(all(run, "aws:iam/role:Role"), []);
        assert.deepEqual(all(run, "aws:iam/rolePolicy:RolePolicy"), []);
        assert.equal(
            inputs(one(run, RELEASE)).values.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
            undefined,
        );
    });

    it("with one: a role only the chart's service account may assume, its one policy, and the release after both", async () => {
        const run = await build({ identity: { oidc: OIDC, serviceAccount: "thing-sa", policy: POLICY } });
        const role = one(run, "aws:iam/role:Role", "thing-role");
        const [statement] = JSON.parse(inputs(role).assumeRolePolicy).Statement;
        assert.deepEqual(statement.Principal, { Federated: OIDC.arn });
        assert.deepEqual(statement.Condition.StringEquals, {
            "oidc.eks.us-west-2.amazonaws.com/id/ABC123:sub": "system:serviceaccount:kube-system:thing-sa",
            "oidc.eks.us-west-2.amazonaws.com/id/ABC123:aud": "sts.amazonaws.com",
        });
        const policy = one(run, "aws:iam/rolePolicy:RolePolicy", "thing-policy");
        assert.equal(inputs(policy).policy, POLICY);
        assert.equal(inputs(policy).role, role.id);
        const release = one(run, RELEASE, "thing");
        assert.ok(
            release.dependencies.includes(policy.urn),
            "the controller never starts without its rights",
        );
        const annotations = inputs(release).values.serviceAccount.annotations;
        assert.match(annotations["eks.amazonaws.com/role-arn"], /^arn:aws:iam::\d{12}:role\/thing-role/);
    });

    it("each child answers to its place under the add-on's parent, where it was before the add-on held it", async () => {
        const run = await build({ identity: { oidc: OIDC, serviceAccount: "thing-sa", policy: POLICY } });
        const cluster = one(run, "test:index:Cluster").urn;
        for (const type of ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", RELEASE])
            assert.deepEqual(
                one(run, type).options.aliases.map((a) => a.parentUrn),
                [cluster],
                type,
            );
    });
});

describe("HelmAddon outside any component", () => {
    it("builds with no options, its release and role under it", async () => {
        const run = await builtAlone(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            new Thing("thing", {
                provider,
                chart: { name: "thing-chart", version: "1.2.3", repo: "https://charts.example.com" },
                values: () => ({}),
                identity: { oidc: OIDC, serviceAccount: "thing", policy: POLICY },
            });
        });
        const thing = one(run, "test:index:Thing", "thing");
        assert.equal(one(run, RELEASE, "thing").parent, thing.urn);
        assert.equal(one(run, "aws:iam/role:Role", "thing-role").parent, thing.urn);
    });
});
