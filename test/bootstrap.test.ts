import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as fs from "node:fs";
import * as os from "node:os";
import { parseBootstrapConfig, publicNameOf } from "../bootstrap/config";
import { Reader } from "../config/reader";
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "../bootstrap/actions";
import { MANAGED_POLICY_MAX_CHARS } from "../bootstrap/boundary";
import { DEPLOY_SESSION_SECONDS, INLINE_POLICY_MAX_CHARS, MANAGED_POLICIES } from "../bootstrap/roles";
import { RunResult, runStack } from "../offline";
import { MOCK_DEPLOYER_ROLE } from "../offline/mocks";
import { ROOT } from "../offline/stack-config";
import { P, absentStack, all, eksStacks, inputs, okRun, one } from "./helpers";

const BOOTSTRAP = path.join(ROOT, "bootstrap");
const B = "flask-eks-bootstrap";
const bootstrap = (overrides?: Record<string, string | undefined>) =>
    runStack("example", { root: BOOTSTRAP, overrides });

async function okBootstrap(): Promise<RunResult> {
    const run = await bootstrap();
    assert.equal(run.error, undefined, run.error?.message);
    return run;
}

// Inputs are arbitrary JSON; the tests read IAM documents freely.
type Statement = any;
const policyOf = (run: RunResult, name: string) =>
    JSON.parse(inputs(one(run, "aws:iam/rolePolicy:RolePolicy", name)).policy);
const trustOf = (run: RunResult, name: string) =>
    JSON.parse(inputs(one(run, "aws:iam/role:Role", name)).assumeRolePolicy);
const actionsOf = (statements: Statement[]) => new Set(statements.flatMap((s) => s.Action));

/**
 * Every AWS type the main program registers and every lookup it makes, on every stack, with an
 * adopted VPC, and with every option that adds AWS resources (Container Insights, app policies).
 */
async function whatTheProgramAsks(): Promise<{
    types: Set<string>;
    lookups: Set<string>;
    managed: Set<string>;
}> {
    const runs = [
        ...(await Promise.all(eksStacks().map((s) => okRun(s)))),
        await okRun("dev", { overrides: { [`${P}:containerInsights`]: "true" } }),
        // Its own name: a certificate, its records, and the NLB looked up.
        await okRun("dev", {
            overrides: {
                [`${P}:hostname`]: "shop.example.com",
                [`${P}:hostedZoneId`]: "Z0123456789ABCDEFGHIJ",
            },
        }),
        // An up checks who deploys; a stack without the delivery roles makes that one its admin.
        await okRun("dev", {
            deploy: true,
            overrides: { [`${P}:adminRoleArns`]: JSON.stringify([MOCK_DEPLOYER_ROLE]) },
        }),
        // A later up: the cluster exists, and its node group's live bounds are read.
        await okRun("dev", {
            existing: {
                cluster: { name: `${P}-dev`, nodeScaling: { minSize: 1, desiredSize: 2, maxSize: 3 } },
                logGroups: [`/aws/eks/${P}-dev/cluster`],
            },
        }),
        await okRun("dev", {
            overrides: {
                [`${P}:vpcId`]: "vpc-0123456789abcdef0",
                [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
                [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
            },
        }),
    ];
    const registered = runs.flatMap((r) => r.registrations.filter((x) => x.custom));
    return {
        types: new Set(
            registered
                .map((r) => r.type)
                .filter((t) => /^(aws|docker):/.test(t) && !t.startsWith("aws:providers")),
        ),
        lookups: new Set(
            runs.flatMap((r) => r.invokes.map((i) => i.token)).filter((t) => t.startsWith("aws:")),
        ),
        managed: new Set(
            registered
                .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .map((r) => inputs(r).policyArn.split("/").pop()),
        ),
    };
}

describe("bootstrap: the deploy role's permissions cover exactly what the program asks of AWS", () => {
    it("an entry per resource type the program registers, and none it no longer registers", async () => {
        const { types } = await whatTheProgramAsks();
        assert.deepEqual(Object.keys(RESOURCE_ACTIONS).sort(), [...types].sort());
    });

    it("an entry per lookup the program makes, and none it no longer makes", async () => {
        const { lookups } = await whatTheProgramAsks();
        assert.deepEqual(Object.keys(LOOKUP_ACTIONS).sort(), [...lookups].sort());
    });

    it("the managed policies a deploy role may attach are exactly those the program attaches", async () => {
        const { managed } = await whatTheProgramAsks();
        assert.deepEqual([...MANAGED_POLICIES].sort(), [...managed].sort());
    });

    it("every stack's deploy role's policies fit IAM's limits: the inline one 10,240 characters, the managed one 6,144", async () => {
        const run = await okBootstrap();
        for (const stack of ["dev", "staging", "prod"]) {
            const inline = inputs(one(run, "aws:iam/rolePolicy:RolePolicy", `deploy-${stack}`)).policy;
            const managed = inputs(one(run, "aws:iam/policy:Policy", `deploy-iam-${stack}`)).policy;
            assert.ok(inline.length <= INLINE_POLICY_MAX_CHARS, `${stack}: ${inline.length}`);
            assert.ok(managed.length <= MANAGED_POLICY_MAX_CHARS, `${stack}: ${managed.length}`);
            // test/deployrole.test.ts evaluates the two together, as AWS does once both are on the role.
            const attachment = inputs(
                one(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", `deploy-iam-${stack}`),
            );
            assert.equal(attachment.role, `${P}-deploy-${stack}`);
        }
    });
});

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
});

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

describe("bootstrap: config", () => {
    const raw = (values: Record<string, string>) => (ns: string, key: string) => values[`${ns}:${key}`];
    const base = {
        "aws:region": "us-west-2",
        [`${B}:githubRepository`]: "acme/flask-eks",
        [`${B}:pulumiOrganization`]: "acme",
        [`${B}:stacks`]: '["dev","staging","prod"]',
        [`${B}:reviewedStacks`]: '["prod"]',
        [`${B}:openPreviewStacks`]: '["dev"]',
        [`${B}:reviewerTeams`]: '["platform"]',
        [`${B}:appPolicyArns`]: "[]",
        [`${B}:retiredHostnames`]: "[]",
        [`${B}:githubOidcProviderArn`]: "",
        [`${B}:pulumiOidcProviderArn`]: "",
        [`${B}:deploymentsAgentPoolId`]: "",
    };
    const problems = (overrides: Record<string, string>) => {
        try {
            parseBootstrapConfig(raw({ ...base, ...overrides }), B, "example");
            return [];
        } catch (e) {
            return (e as { problems: string[] }).problems;
        }
    };

    it("accepts the example", () => assert.deepEqual(problems({}), []));

    it("refuses a stack with no stack file, a reviewed stack it does not deliver, and reviews with no reviewer, all at once", () => {
        const absent = absentStack();
        assert.deepEqual(
            problems({
                [`${B}:stacks`]: `["dev","${absent}"]`,
                [`${B}:reviewedStacks`]: '["prod"]',
                [`${B}:reviewerTeams`]: "[]",
                [`${B}:githubRepository`]: "flask-eks",
            }),
            [
                `${B}:githubRepository: got "flask-eks", expected owner/name of a GitHub repository`,
                `${B}:stacks: got ["dev","${absent}"], expected stacks with a stack file in the repository (no Pulumi.${absent}.yaml)`,
                `${B}:reviewedStacks: got ["prod"], expected stacks among ["dev","${absent}"]`,
                `${B}:reviewerTeams: got [], expected at least one team to approve deploys of prod, previews of ${absent}`,
            ],
        );
    });

    it("reads retiredHostnames as <stack>:<hostname>:<zone>, of a stack it delivers, and refuses each bad item", () => {
        const item = "dev:old.example.com:Z0123456789ABCDEFGHIJ";
        const config = parseBootstrapConfig(
            raw({ ...base, [`${B}:retiredHostnames`]: JSON.stringify([item]) }),
            B,
            "example",
        );
        assert.deepEqual(config.retiredNames, {
            dev: [{ hostname: "old.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }],
        });
        const bad = [
            "qa:old.example.com:Z0123456789ABCDEFGHIJ",
            "dev:Old.Example.com:Z0123456789ABCDEFGHIJ",
            "dev:old.example.com",
            "dev:old.example.com:zone-1",
            `${item}:x`,
        ];
        assert.deepEqual(
            problems({ [`${B}:retiredHostnames`]: JSON.stringify([item, ...bad]) }),
            bad.map(
                (b) =>
                    `${B}:retiredHostnames: got "${b}", expected items <stack>:<hostname>:<hosted zone id>, the stack among ["dev","staging","prod"], such as dev:old.example.com:Z0123456789ABCDEFGHIJ`,
            ),
        );
    });

    it("checks the name in a stack's file as the stack does, and says which file holds a bad one", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-"));
        const nameIn = (config: Record<string, unknown>) => {
            fs.writeFileSync(path.join(dir, "Pulumi.web.yaml"), JSON.stringify({ config }));
            const r = new Reader(() => undefined, B, []);
            return { name: publicNameOf("web", r, "shop", dir), problems: r.problems };
        };
        try {
            assert.deepEqual(
                nameIn({ "shop:hostname": "shop.example.com", "shop:hostedZoneId": "Z0123456789ABCDEFGHIJ" }),
                {
                    name: { hostname: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
                    problems: [],
                },
            );
            assert.deepEqual(nameIn({}), { name: undefined, problems: [] });
            assert.deepEqual(
                nameIn({ "shop:hostname": "Shop.example.com", "shop:hostedZoneId": { secure: "v1:abc" } }),
                {
                    name: undefined,
                    problems: [
                        `shop:hostname in Pulumi.web.yaml: got "Shop.example.com", expected empty, or a DNS name in lower case, at most 64 characters, such as shop.example.com`,
                        `shop:hostedZoneId in Pulumi.web.yaml: got {"secure":"v1:abc"}, expected a plain string: the name is public, and the bootstrap reads it from Pulumi.web.yaml`,
                    ],
                },
            );
        } finally {
            fs.rmSync(dir, { recursive: true });
        }
    });

    it("fails the program before any resource registers", async () => {
        const run = await bootstrap({ [`${B}:pulumiOrganization`]: "acme corp" });
        assert.match(run.error!.message, /pulumiOrganization: got "acme corp"/);
        assert.deepEqual(
            run.registrations.filter((r) => r.custom),
            [],
        );
    });

    it("passes the stack's aws: credentials to its AWS provider, as the main program does", async () => {
        const run = await bootstrap({ "aws:profile": "org-admin" });
        assert.equal(run.error, undefined, run.error?.message);
        assert.equal(inputs(one(run, "pulumi:providers:aws")).profile, "org-admin");
        const refused = await bootstrap({ "aws:profle": "org-admin" });
        assert.match(refused.error!.message, /aws:profle: is set, .*; did you mean aws:profile\?/);
    });
});
