import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServiceAccountRole } from "../../../components/platform/irsa";
import { all, builtAlone, eksStacks, inputs, okRun, one, policiesOf } from "../../helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

for (const stack of eksStacks()) {
    describe(`the app's IRSA role (${stack})`, () => {
        it("gives the service account an IRSA role scoped to this namespace and account, with no permissions", async () => {
            const run = await okRun(stack);
            const sa = inputs(one(run, "kubernetes:core/v1:ServiceAccount"));
            const role = one(run, "aws:iam/role:Role", "web-role");
            assert.equal(sa.automountServiceAccountToken, false);
            assert.equal(
                sa.metadata.annotations["eks.amazonaws.com/role-arn"],
                `arn:aws:iam::123456789012:role/${role.id}`,
            );
            const trust = JSON.parse(inputs(role).assumeRolePolicy);
            const oidc = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            const issuer = inputs(oidc).url.replace("https://", "");
            assert.equal(trust.Statement[0].Principal.Federated, oidc.id);
            assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
                [`${issuer}:aud`]: "sts.amazonaws.com",
                [`${issuer}:sub`]: `system:serviceaccount:flask-app:${sa.metadata.name}`,
            });
            assert.deepEqual(policiesOf(run, "web-role"), []);
            assert.equal(
                inputs(one(run, DEPLOYMENT)).spec.template.spec.serviceAccountName,
                sa.metadata.name,
            );
        });
    });
}

describe("ServiceAccountRole, built alone", () => {
    const OIDC = { arn: "arn:aws:iam::123456789012:oidc-provider/o", url: "https://o" };

    it("builds with no options, and registers the role's ARN as its output", async () => {
        const run = await builtAlone(() => {
            new ServiceAccountRole("r", { trust: { oidc: OIDC }, namespace: "ns", serviceAccount: "sa" });
        });
        const component = one(run, "flask-eks:index:ServiceAccountRole", "r");
        const role = one(run, "aws:iam/role:Role", "r");
        assert.equal(role.parent, component.urn);
        assert.deepEqual(run.componentOutputs[component.urn], {
            arn: `arn:aws:iam::123456789012:role/${role.id}`,
        });
    });

    it("by Pod Identity: an association on the cluster for the one service account, and no OIDC in the trust", async () => {
        const run = await builtAlone(() => {
            new ServiceAccountRole("r", {
                trust: {
                    podIdentity: {
                        clusterName: "c",
                        clusterArn: "arn:aws:eks:us-west-2:123456789012:cluster/c",
                    },
                },
                namespace: "ns",
                serviceAccount: "sa",
            });
        });
        const role = one(run, "aws:iam/role:Role", "r");
        assert.deepEqual(inputs(one(run, "aws:eks/podIdentityAssociation:PodIdentityAssociation")), {
            clusterName: "c",
            namespace: "ns",
            serviceAccount: "sa",
            roleArn: `arn:aws:iam::123456789012:role/${role.id}`,
        });
        assert.equal(
            JSON.parse(inputs(role).assumeRolePolicy).Statement[0].Principal.Service,
            "pods.eks.amazonaws.com",
        );
        assert.equal(all(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
    });
});
