import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseBootstrapConfig } from "../bootstrap/config";
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "../bootstrap/permissions";
import { DEPLOY_SESSION_SECONDS, MANAGED_POLICIES } from "../bootstrap/roles";
import { RunResult, runStack } from "../harness";
import { ROOT } from "../harness/stack-config";
import { P, all, eksStacks, inputs, okRun, one } from "./helpers";

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

    it("every stack's deploy role holds every action of the table, and its policy fits IAM's inline limit", async () => {
        const run = await okBootstrap();
        const table = [
            ...Object.values(RESOURCE_ACTIONS).flatMap((a) => [...a.read, ...a.write]),
            ...Object.values(LOOKUP_ACTIONS).flat(),
        ];
        for (const stack of ["dev", "staging", "prod"]) {
            const policy = policyOf(run, `deploy-${stack}`);
            const granted = actionsOf(policy.Statement);
            assert.deepEqual(
                table.filter((a) => !granted.has(a)),
                [],
                stack,
            );
            // A role's inline policies may hold 10,240 characters, whitespace not counted.
            assert.ok(JSON.stringify(policy).replace(/\s/g, "").length <= 10240, stack);
        }
    });
});

describe("bootstrap: roles", () => {
    it("a deploy role per stack, trusted by its GitHub environment and its Deployments' update and destroy only", async () => {
        const run = await okBootstrap();
        for (const stack of ["dev", "staging", "prod"]) {
            const role = inputs(one(run, "aws:iam/role:Role", `deploy-${stack}`));
            assert.equal(role.name, `flask-eks-deploy-${stack}`);
            assert.equal(role.maxSessionDuration, DEPLOY_SESSION_SECONDS);
            const [gh, deployments] = trustOf(run, `deploy-${stack}`).Statement;
            assert.deepEqual(gh.Condition.StringEquals, {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": [`repo:acme/flask-eks:environment:${stack}`],
            });
            assert.deepEqual(deployments.Condition.StringEquals, {
                "api.pulumi.com/oidc:aud": "acme",
                "api.pulumi.com/oidc:sub": ["update", "destroy"].map(
                    (op) =>
                        `pulumi:deploy:org:acme:project:flask-eks:stack:${stack}:operation:${op}:scope:write`,
                ),
            });
        }
    });

    it("may also attach the policies the bootstrap's appPolicyArns grants the apps, and only those", async () => {
        const granted = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
        const run = await bootstrap({ [`${B}:appPolicyArns`]: JSON.stringify([granted]) });
        assert.equal(run.error, undefined, run.error?.message);
        const bySid = Object.fromEntries(
            policyOf(run, "deploy-dev").Statement.map((s: Statement) => [s.Sid, s]),
        );
        assert.deepEqual(bySid.AttachOnlyTheseManagedPolicies.Condition.ArnEquals["iam:PolicyARN"], [
            ...MANAGED_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`),
            granted,
        ]);
    });

    it("a deploy role reaches its own stack's cluster, repository and roles, not another stack's", async () => {
        const statements: Statement[] = policyOf(await okBootstrap(), "deploy-dev").Statement;
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
        assert.ok(
            bySid.ThisStacksCluster.Resource.every(
                (r: string) => r.includes(":cluster/flask-eks-dev") || r.includes("/flask-eks-dev/"),
            ),
        );
        assert.equal(
            bySid.ThisStacksRepository.Resource,
            "arn:aws:ecr:us-west-2:123456789012:repository/flask-eks-dev/*",
        );
        assert.deepEqual(bySid.ThisStacksRoles.Condition, {
            StringEquals: { "aws:ResourceTag/project": "flask-eks", "aws:ResourceTag/stack": "dev" },
        });
        assert.deepEqual(bySid.CreateRolesTaggedForThisStack.Condition, {
            StringEquals: { "aws:RequestTag/project": "flask-eks", "aws:RequestTag/stack": "dev" },
        });
        // It may attach the managed policies the program attaches, and no other (no AdministratorAccess).
        assert.deepEqual(
            bySid.AttachOnlyTheseManagedPolicies.Condition.ArnEquals["iam:PolicyARN"],
            MANAGED_POLICIES.map((p) => `arn:aws:iam::aws:policy/${p}`),
        );
        const passRole = bySid.PassThisStacksRolesToEksAndEc2;
        assert.deepEqual(passRole.Condition["ForAnyValue:StringEquals"]["iam:PassedToService"], [
            "eks.amazonaws.com",
            "ec2.amazonaws.com",
        ]);
        // No action is granted on everything unless it takes no resource.
        for (const s of statements.filter((s) => s.Resource === "*"))
            for (const a of s.Action)
                assert.match(
                    a,
                    /^(ec2:Describe|eks:ListClusters|eks:DescribeAddonVersions|eks:CreateCluster|ecr:GetAuthorizationToken|logs:DescribeLogGroups|kms:CreateKey)/,
                    a,
                );
    });

    it("the read-only role: this repository's pull requests and main, reading and looking up only", async () => {
        const run = await okBootstrap();
        assert.equal(inputs(one(run, "aws:iam/role:Role", "preview")).name, "flask-eks-preview");
        const [gh] = trustOf(run, "preview").Statement;
        assert.deepEqual(gh.Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
            "repo:acme/flask-eks:pull_request",
            "repo:acme/flask-eks:ref:refs/heads/main",
        ]);
        const granted = actionsOf(policyOf(run, "preview").Statement);
        const writes = Object.values(RESOURCE_ACTIONS).flatMap((a) => a.write);
        const reads = new Set([
            ...Object.values(RESOURCE_ACTIONS).flatMap((a) => a.read),
            ...Object.values(LOOKUP_ACTIONS).flat(),
        ]);
        assert.deepEqual(
            [...granted].filter((a) => !reads.has(a)),
            [],
        );
        assert.deepEqual(
            writes.filter((a) => granted.has(a) && !reads.has(a)),
            [],
        );
        // No ReadOnlyAccess: no S3 object, SSM parameter or secret is readable.
        assert.ok(![...granted].some((a) => /^(s3|ssm|secretsmanager):/.test(a)));
    });

    it("adopts existing OIDC providers instead of making them", async () => {
        const github = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
        const run = await bootstrap({ [`${B}:githubOidcProviderArn`]: github });
        assert.equal(run.error, undefined);
        const providers = all(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").map(
            (p) => inputs(p).url,
        );
        assert.deepEqual(providers, ["https://api.pulumi.com/oidc"]);
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
        }
    });

    it("gives each environment its deploy role and region, and the repository the read-only role", async () => {
        const run = await okBootstrap();
        const variables = all(run, "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable").map(
            inputs,
        );
        const prodRole = variables.find((v) => v.environment === "prod" && v.variableName === "AWS_ROLE_ARN");
        assert.equal(prodRole.value, "arn:aws:iam::123456789012:role/flask-eks-deploy-prod");
        const repo = Object.fromEntries(
            all(run, "github:index/actionsVariable:ActionsVariable").map((v) => [
                inputs(v).variableName,
                inputs(v).value,
            ]),
        );
        assert.deepEqual(repo, {
            AWS_PREVIEW_ROLE_ARN: "arn:aws:iam::123456789012:role/flask-eks-preview",
            AWS_REGION: "us-west-2",
            PULUMI_ORG: "acme",
        });
    });
});

describe("bootstrap: Pulumi Cloud", () => {
    it("exchanges GitHub's tokens for team tokens: previewers for pull requests and main, a stack's deployers for its environment", async () => {
        const run = await okBootstrap();
        const issuer = inputs(one(run, "pulumiservice:index:OidcIssuer"));
        assert.equal(issuer.url, "https://token.actions.githubusercontent.com");
        const bySub = Object.fromEntries(issuer.policies.map((p: Statement) => [p.rules.sub, p.teamName]));
        assert.deepEqual(bySub, {
            "repo:acme/flask-eks:pull_request": "flask-eks-previewers",
            "repo:acme/flask-eks:ref:refs/heads/main": "flask-eks-previewers",
            "repo:acme/flask-eks:environment:dev": "flask-eks-deployers-dev",
            "repo:acme/flask-eks:environment:staging": "flask-eks-deployers-staging",
            "repo:acme/flask-eks:environment:prod": "flask-eks-deployers-prod",
        });
        const permissions = all(run, "pulumiservice:index:TeamStackPermission").map(inputs);
        const of = (team: string) =>
            permissions.filter((p) => p.team === team).map((p) => [p.stack, p.permission]);
        assert.deepEqual(of("flask-eks-previewers"), [
            ["dev", 101],
            ["staging", 101],
            ["prod", 101],
        ]);
        assert.deepEqual(of("flask-eks-deployers-prod"), [["prod", 102]]);
    });

    it("Deployments runs only what a person starts, as the stack's deploy role, with the image the stack runs", async () => {
        const run = await okBootstrap();
        for (const stack of ["dev", "staging", "prod"]) {
            const s = inputs(one(run, "pulumiservice:index:DeploymentSettings", stack));
            assert.deepEqual(s.github, {
                repository: "acme/flask-eks",
                deployCommits: false,
                previewPullRequests: false,
                pullRequestTemplate: false,
            });
            assert.equal(
                s.operationContext.oidc.aws.roleARN,
                `arn:aws:iam::123456789012:role/flask-eks-deploy-${stack}`,
            );
            // No Docker daemon to count on: the run pins the image the stack last deployed.
            assert.equal(
                s.operationContext.preRunCommands[2],
                `pulumi config set --stack acme/flask-eks/${stack} imageRef "$(pulumi stack output --stack acme/flask-eks/${stack} imageRef)"`,
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
        [`${B}:reviewerTeams`]: '["platform"]',
        [`${B}:appPolicyArns`]: "[]",
        [`${B}:githubOidcProviderArn`]: "",
        [`${B}:pulumiOidcProviderArn`]: "",
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
        assert.deepEqual(
            problems({
                [`${B}:stacks`]: '["dev","qa"]',
                [`${B}:reviewedStacks`]: '["prod"]',
                [`${B}:reviewerTeams`]: "[]",
                [`${B}:githubRepository`]: "flask-eks",
            }),
            [
                `${B}:githubRepository: got "flask-eks", expected owner/name of a GitHub repository`,
                `${B}:stacks: got ["dev","qa"], expected stacks with a stack file in the repository (no Pulumi.qa.yaml)`,
                `${B}:reviewedStacks: got ["prod"], expected stacks among ["dev","qa"]`,
                `${B}:reviewerTeams: got [], expected at least one team to approve deploys of prod`,
            ],
        );
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
