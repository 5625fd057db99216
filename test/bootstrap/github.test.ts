// The GitHub side of the bootstrap (bootstrap/github.ts): an environment per stack and per preview,
// the repository's OIDC subject, and the variables the workflows read.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { P, all, inputs, one } from "../helpers";
import { okBootstrap } from "./helpers";

describe("bootstrap: GitHub environments", () => {
    it("one per stack, deployable from main only, the reviewed ones after a team's approval", async () => {
        const run = await okBootstrap();
        for (const stack of ["dev", "staging", "prod"]) {
            const env = inputs(one(run, "github:index/repositoryEnvironment:RepositoryEnvironment", stack));
            assert.deepEqual(env.deploymentBranchPolicy, {
                protectedBranches: false,
                customBranchPolicies: true,
            });
            const branch = inputs(
                one(
                    run,
                    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
                    stack,
                ),
            );
            assert.equal(branch.branchPattern, "main");
            if (stack === "prod") {
                assert.equal(env.reviewers[0].teams.length, 1);
                assert.equal(env.preventSelfReview, true);
            } else assert.equal(env.reviewers, undefined);
            assert.equal(env.canAdminsBypass, false);
        }
    });

    it("a preview environment per stack, from any branch: only the stacks open to previews run without a reviewer", async () => {
        const run = await okBootstrap();
        for (const stack of ["dev", "staging", "prod"]) {
            const env = inputs(
                one(run, "github:index/repositoryEnvironment:RepositoryEnvironment", `preview-${stack}`),
            );
            assert.equal(env.deploymentBranchPolicy, undefined);
            assert.equal(env.canAdminsBypass, false);
            if (stack === "dev") assert.equal(env.reviewers, undefined);
            else {
                assert.equal(env.reviewers[0].teams.length, 1);
                assert.equal(env.preventSelfReview, true);
            }
        }
    });

    it("sets the repository's OIDC subject to its id and the job's context, whatever the repository's age", async () => {
        const run = await okBootstrap();
        const template = inputs(
            one(
                run,
                "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate",
            ),
        );
        assert.deepEqual(template, {
            repository: "flask-eks",
            useDefault: false,
            includeClaimKeys: ["repository_id", "context"],
        });
    });

    it("gives each environment its role and region (a stack's deploy role, its preview role), and the repository the drift role, the project and the stacks in deploy order", async () => {
        const run = await okBootstrap();
        const variables = all(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable").map(
            inputs,
        );
        const roleOf = (environment: string) =>
            variables.find((v) => v.environment === environment && v.variableName === "AWS_ROLE_ARN").value;
        assert.equal(roleOf("prod"), `arn:aws:iam::123456789012:role/${P}-deploy-prod`);
        assert.equal(roleOf("preview-prod"), `arn:aws:iam::123456789012:role/${P}-preview-prod`);
        assert.equal(roleOf("preview-dev"), `arn:aws:iam::123456789012:role/${P}-preview-dev`);
        const repo = Object.fromEntries(
            all(run, "github:index/actionsVariable:ActionsVariable").map((v) => [
                inputs(v).variableName,
                inputs(v).value,
            ]),
        );
        assert.deepEqual(repo, {
            AWS_DRIFT_ROLE_ARN: `arn:aws:iam::123456789012:role/${P}-drift`,
            AWS_REGION: "us-west-2",
            PULUMI_ORG: "acme",
            PULUMI_PROJECT: P,
            DELIVERED_STACKS: '["dev","staging","prod"]',
        });
    });
});
