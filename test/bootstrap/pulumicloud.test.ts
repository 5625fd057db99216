// The Pulumi Cloud side of the bootstrap (bootstrap/pulumicloud.ts): the token exchange, the stacks
// and their teams' permissions, and the Deployments settings.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { P, all, inputs, one } from "../helpers";
import { B, Statement, bootstrap, okBootstrap } from "./helpers";

describe("bootstrap: Pulumi Cloud", () => {
    const sub = (context: string) => `repository_id:987654321:${context}`;

    it("exchanges GitHub's tokens for team tokens: a stack's previewers for its preview environment, deployers for its deploy environment, drift for main", async () => {
        const run = await okBootstrap();
        const issuer = inputs(one(run, "pulumiservice:index:OidcIssuer"));
        assert.equal(issuer.url, "https://token.actions.githubusercontent.com");
        const bySub = Object.fromEntries(issuer.policies.map((p: Statement) => [p.rules.sub, p.teamName]));
        assert.deepEqual(bySub, {
            [sub("ref:refs/heads/main")]: `${P}-drift`,
            [sub("environment:preview-dev")]: `${P}-previewers-dev`,
            [sub("environment:preview-staging")]: `${P}-previewers-staging`,
            [sub("environment:preview-prod")]: `${P}-previewers-prod`,
            [sub("environment:dev")]: `${P}-deployers-dev`,
            [sub("environment:staging")]: `${P}-deployers-staging`,
            [sub("environment:prod")]: `${P}-deployers-prod`,
        });
        // No token for a pull request's own subject, which any branch's code can ask for.
        assert.ok(!issuer.policies.some((p: Statement) => /pull_request/.test(p.rules.sub)));
        const permissions = all(run, "pulumiservice:index:TeamStackPermission").map(inputs);
        const of = (team: string) =>
            permissions.filter((p) => p.team === team).map((p) => [p.stack, p.permission]);
        assert.deepEqual(of(`${P}-drift`), [
            ["dev", 101],
            ["staging", 101],
            ["prod", 101],
        ]);
        // Reading a stack decrypts its secrets: a preview team reads its own stack only.
        assert.deepEqual(of(`${P}-previewers-prod`), [["prod", 101]]);
        assert.deepEqual(of(`${P}-previewers-dev`), [["dev", 101]]);
        assert.deepEqual(of(`${P}-deployers-prod`), [["prod", 102]]);
    });

    it("an app stack's teams read its platform too, whose outputs its deploys and previews read; no other stack", async () => {
        const run = await bootstrap({
            [`${B}:stacks`]: JSON.stringify(["dev", "staging", "prod", "dev-platform", "dev-web", "dev-api"]),
        });
        assert.equal(run.error, undefined, run.error?.message);
        const permissions = all(run, "pulumiservice:index:TeamStackPermission").map(inputs);
        const of = (team: string) =>
            permissions.filter((p) => p.team === team).map((p) => [p.stack, p.permission]);
        assert.deepEqual(of(`${P}-deployers-dev-web`).sort(), [
            ["dev-platform", 101],
            ["dev-web", 102],
        ]);
        assert.deepEqual(of(`${P}-previewers-dev-api`).sort(), [
            ["dev-api", 101],
            ["dev-platform", 101],
        ]);
        assert.deepEqual(of(`${P}-deployers-dev-platform`), [["dev-platform", 102]]);
    });

    it("refuses an app stack whose platform it does not deliver", async () => {
        const run = await bootstrap({
            [`${B}:stacks`]: JSON.stringify(["dev", "staging", "prod", "dev-web"]),
        });
        assert.match(
            run.error!.message,
            /flask-eks-bootstrap:stacks: got \["dev","staging","prod","dev-web"\], expected dev-platform among them too: dev-web's platform, whose outputs its deploys and previews read/,
        );
    });

    it("makes each stack before what names it: every permission and setting waits for its Stack", async () => {
        const run = await bootstrap({ [`${B}:deploymentsAgentPoolId`]: "pool-1" });
        assert.equal(run.error, undefined, run.error?.message);
        const stacks = all(run, "pulumiservice:index:Stack");
        assert.deepEqual(
            stacks.map((s) => [inputs(s).organizationName, inputs(s).projectName, inputs(s).stackName]),
            [
                ["acme", P, "dev"],
                ["acme", P, "staging"],
                ["acme", P, "prod"],
            ],
        );
        const naming = [
            ...all(run, "pulumiservice:index:TeamStackPermission"),
            ...all(run, "pulumiservice:index:DeploymentSettings"),
        ];
        assert.equal(naming.length, 3 * 3 + 3);
        for (const r of naming) {
            const stack = stacks.find((s) => inputs(s).stackName === inputs(r).stack)!;
            assert.deepEqual(r.propertyDependencies.stack, [stack.urn], `${r.type} ${r.name}`);
            assert.equal(inputs(r).organization, "acme");
        }
        // A stack that still holds resources is never deleted with the bootstrap.
        for (const s of stacks) assert.equal(inputs(s).forceDestroy, undefined);
    });

    it("no Deployments settings without an agent pool; with one, only what a person starts, on the pool, as the stack's deploy role", async () => {
        assert.deepEqual(all(await okBootstrap(), "pulumiservice:index:DeploymentSettings"), []);
        const run = await bootstrap({ [`${B}:deploymentsAgentPoolId`]: "pool-1" });
        for (const stack of ["dev", "staging", "prod"]) {
            const s = inputs(one(run, "pulumiservice:index:DeploymentSettings", stack));
            assert.equal(s.agentPoolId, "pool-1");
            assert.deepEqual(s.github, {
                repository: "acme/flask-eks",
                deployCommits: false,
                previewPullRequests: false,
                pullRequestTemplate: false,
            });
            assert.equal(
                s.operationContext.oidc.aws.roleARN,
                `arn:aws:iam::123456789012:role/${P}-deploy-${stack}`,
            );
            assert.match(s.executorContext.executorImage, /^pulumi\/pulumi:\d+\.\d+\.\d+$/);
        }
    });
});
