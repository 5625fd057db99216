import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eksStacks, inputs, okRun, one, policiesOf } from "../../helpers";

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
