// The delivery roles (bootstrap/roles.ts): who each trusts, the boundaries they require, what the
// read-only ones may do, and their policies within IAM's limits.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "../../bootstrap/actions";
import { MANAGED_POLICY_MAX_CHARS } from "../../bootstrap/boundary";
import { DEPLOY_SESSION_SECONDS, INLINE_POLICY_MAX_CHARS, MANAGED_POLICIES } from "../../bootstrap/roles";
import { P, all, inputs, one } from "../helpers";
import { B, Statement, actionsOf, bootstrap, okBootstrap, policyOf, trustOf } from "./helpers";

describe("bootstrap: roles", () => {
    const sub = (context: string) => `repository_id:987654321:${context}`;

    it("a deploy role per stack, trusted by its GitHub environment only, carrying none of the tags that grant rights", async () => {
        const run = await okBootstrap();
        for (const stack of ["dev", "staging", "prod"]) {
            const role = inputs(one(run, "aws:iam/role:Role", `deploy-${stack}`));
            assert.equal(role.name, `${P}-deploy-${stack}`);
            assert.equal(role.maxSessionDuration, DEPLOY_SESSION_SECONDS);
            assert.equal(role.tags, undefined);
            const trust = trustOf(run, `deploy-${stack}`).Statement;
            assert.equal(trust.length, 1);
            assert.deepEqual(trust[0].Condition.StringEquals, {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": [sub(`environment:${stack}`)],
            });
        }
        // No Deployments without an agent pool: no Pulumi OIDC provider at all.
        assert.deepEqual(
            all(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((p) => inputs(p).url),
            ["https://token.actions.githubusercontent.com"],
        );
    });

    it("with a Deployments agent pool, a deploy role also trusts Pulumi Deployments' update and destroy of its stack", async () => {
        const run = await bootstrap({ [`${B}:deploymentsAgentPoolId`]: "pool-1" });
        assert.equal(run.error, undefined, run.error?.message);
        const [, deployments] = trustOf(run, "deploy-prod").Statement;
        assert.deepEqual(deployments.Condition.StringEquals, {
            "api.pulumi.com/oidc:aud": "acme",
            "api.pulumi.com/oidc:sub": ["update", "destroy"].map(
                (op) => `pulumi:deploy:org:acme:project:${P}:stack:prod:operation:${op}:scope:write`,
            ),
        });
    });

    it("a permissions boundary per stack, named for it, which the deploy role's policies require", async () => {
        const run = await okBootstrap();
        for (const stack of ["dev", "staging", "prod"]) {
            const boundary = inputs(one(run, "aws:iam/policy:Policy", `boundary-${stack}`));
            assert.equal(boundary.name, `${P}-boundary-${stack}`);
            assert.ok(boundary.policy.length <= MANAGED_POLICY_MAX_CHARS);
            const guards = policyOf(run, `deploy-${stack}`).Statement.find(
                (s: Statement) => s.Sid === "NoRoleWithoutTheBoundary",
            );
            assert.deepEqual(guards.Condition.ArnNotEquals, {
                "iam:PermissionsBoundary": `arn:aws:iam::123456789012:policy/${P}-boundary-${stack}`,
            });
        }
    });

    it("may also attach the policies the bootstrap's appPolicyArns grants the apps, and only those", async () => {
        const granted = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
        const run = await bootstrap({ [`${B}:appPolicyArns`]: JSON.stringify([granted]) });
        assert.equal(run.error, undefined, run.error?.message);
        const bySid = Object.fromEntries(
            JSON.parse(inputs(one(run, "aws:iam/policy:Policy", "deploy-iam-dev")).policy).Statement.map(
                (s: Statement) => [s.Sid, s],
            ),
        );
        assert.deepEqual(bySid.AttachOnlyTheseManagedPolicies.Condition.ArnEquals["iam:PolicyARN"], [
            ...MANAGED_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`),
            granted,
        ]);
        // Read from IAM, so that the stack's boundary lets the app's role use it.
        assert.equal(run.invokes.find((i) => i.token === "aws:iam/getPolicy:getPolicy")?.inputs.arn, granted);
    });

    it("the read-only roles: a preview role per stack for its preview environment, drift for main, reading and looking up only", async () => {
        const run = await okBootstrap();
        const subjects = (name: string) =>
            trustOf(run, name).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"];
        for (const stack of ["dev", "staging", "prod"]) {
            assert.equal(
                inputs(one(run, "aws:iam/role:Role", `preview-${stack}`)).name,
                `${P}-preview-${stack}`,
            );
            assert.deepEqual(subjects(`preview-${stack}`), [sub(`environment:preview-${stack}`)]);
        }
        assert.equal(inputs(one(run, "aws:iam/role:Role", "drift")).name, `${P}-drift`);
        assert.deepEqual(subjects("drift"), [sub("ref:refs/heads/main")]);
        for (const name of ["preview-dev", "drift"]) {
            const granted = actionsOf(policyOf(run, name).Statement);
            const reads = new Set([
                ...Object.values(RESOURCE_ACTIONS).flatMap((a) => a.read),
                ...Object.values(LOOKUP_ACTIONS).flat(),
            ]);
            assert.deepEqual(
                [...granted].filter((a) => !reads.has(a as string)),
                [],
            );
            // No ReadOnlyAccess: no S3 object, SSM parameter or secret is readable.
            assert.ok(![...granted].some((a) => /^(s3|ssm|secretsmanager):/.test(a as string)));
        }
    });

    it("adopts existing OIDC providers instead of making them", async () => {
        const github = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        const run = await bootstrap({ [`${B}:githubOidcProviderArn`]: github });
        assert.equal(run.error, undefined);
        assert.deepEqual(all(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider"), []);
        assert.equal(trustOf(run, "deploy-dev").Statement[0].Principal.Federated, github);
    });

    it("every stack's deploy role's policies fit IAM's limits: the inline one 10,240 characters, the managed one 6,144", async () => {
        const run = await okBootstrap();
        for (const stack of ["dev", "staging", "prod"]) {
            const inline = inputs(one(run, "aws:iam/rolePolicy:RolePolicy", `deploy-${stack}`)).policy;
            const managed = inputs(one(run, "aws:iam/policy:Policy", `deploy-iam-${stack}`)).policy;
            assert.ok(inline.length <= INLINE_POLICY_MAX_CHARS, `${stack}: ${inline.length}`);
            assert.ok(managed.length <= MANAGED_POLICY_MAX_CHARS, `${stack}: ${managed.length}`);
            // test/bootstrap/permissions/ evaluates the two together, as AWS does once both are on the role.
            const attachment = inputs(
                one(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", `deploy-iam-${stack}`),
            );
            assert.equal(attachment.role, `${P}-deploy-${stack}`);
        }
    });
});
