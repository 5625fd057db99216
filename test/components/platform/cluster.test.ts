import * as assert from "node:assert/strict";
import { ENDPOINT_PLACEHOLDER } from "../../../config/sections/cluster";
import { describe, it } from "node:test";
import { isSecretValue } from "../../../offline";
import { runStack } from "../../../offline";
import { REFRESHERS_GROUP } from "../../../config/delivery";
import { MOCK_DEPLOYER_ROLE } from "../../../offline/mocks";
import { loadStackConfig } from "../../../offline/stack-config";
import { P, all, eksStacks, inputs, okRun, one, policiesOf, providerUrn, waitsFor } from "../../helpers";

const policy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;
    const clusterName = `${P}-${stack}`;
    const delivered = config[`${P}:deliveryRoles`] === "true";

    describe(`cluster (${stack})`, () => {
        it("gives the control plane's role only the managed policy EKS needs", async () => {
            const run = await okRun(stack);
            assert.deepEqual(policiesOf(run, "cluster-role"), [policy("AmazonEKSClusterPolicy")]);
            assert.equal(
                JSON.parse(inputs(one(run, "aws:iam/role:Role", "cluster-role")).assumeRolePolicy)
                    .Statement[0].Principal.Service,
                "eks.amazonaws.com",
            );
        });

        it(`encrypts Kubernetes secrets with a rotating KMS key, ${delivered ? "whose own policy names the deploy role" : "with KMS's default key policy"}`, async () => {
            const run = await okRun(stack);
            const key = one(run, "aws:kms/key:Key");
            assert.equal(inputs(key).enableKeyRotation, true);
            const cluster = one(run, "aws:eks/cluster:Cluster");
            assert.deepEqual(inputs(cluster).encryptionConfig.resources, ["secrets"]);
            assert.deepEqual(cluster.propertyDependencies.encryptionConfig, [key.urn]);
            if (!delivered) return assert.equal(inputs(key).policy, undefined);
            // The deploy role changes the key through its policy, not by tag (bootstrap/permissions.ts);
            // the account's IAM policies keep KMS's default reach. A key made before keeps its policy.
            assert.deepEqual(JSON.parse(inputs(key).policy).Statement, [
                {
                    Sid: "TheAccountsIamPolicies",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:root" },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Sid: "TheKeysAdministrators",
                    Effect: "Allow",
                    Principal: { AWS: [`arn:aws:iam::123456789012:role/${P}-deploy-${stack}`] },
                    Action: "kms:*",
                    Resource: "*",
                },
            ]);
            assert.deepEqual(key.options.ignoreChanges, ["policy"]);
        });

        it("creates the control-plane log group first, with the configured retention, and turns on api/audit/authenticator", async () => {
            const run = await okRun(stack);
            const logs = one(run, "aws:cloudwatch/logGroup:LogGroup");
            assert.equal(inputs(logs).name, `/aws/eks/${clusterName}/cluster`);
            assert.equal(inputs(logs).retentionInDays, Number(config[`${P}:logRetentionDays`]));
            const cluster = one(run, "aws:eks/cluster:Cluster");
            assert.ok(cluster.dependencies.includes(logs.urn));
            assert.deepEqual(inputs(cluster).enabledClusterLogTypes, ["api", "audit", "authenticator"]);
        });

        it("runs the configured version with API authentication and no implicit creator admin", async () => {
            const cluster = inputs(one(await okRun(stack), "aws:eks/cluster:Cluster"));
            assert.equal(cluster.name, clusterName);
            assert.equal(cluster.version, config[`${P}:kubernetesVersion`]);
            assert.deepEqual(cluster.accessConfig, {
                authenticationMode: "API",
                bootstrapClusterCreatorAdminPermissions: false,
            });
            assert.equal(cluster.bootstrapSelfManagedAddons, false);
        });

        it("keeps the private endpoint on and the public one limited to the allowlist", async () => {
            const { vpcConfig } = inputs(one(await okRun(stack), "aws:eks/cluster:Cluster"));
            // prod's placeholder previews as a private-only endpoint (pulumi up refuses it).
            const allow = JSON.parse(config[`${P}:endpointPublicAccessCidrs`]).filter(
                (c: string) => c !== ENDPOINT_PLACEHOLDER,
            );
            assert.equal(vpcConfig.endpointPrivateAccess, true);
            assert.equal(vpcConfig.endpointPublicAccess, allow.length > 0);
            assert.deepEqual(vpcConfig.publicAccessCidrs ?? [], allow);
        });

        it(
            delivered
                ? "gives cluster admin to the stack's deploy role, view to its own preview role, and view with the refreshers' group to the drift role"
                : "gives cluster admin to adminRoleArns, or to whoever runs pulumi up, and to no delivery role",
            async () => {
                const run = await okRun(stack);
                if (!delivered) {
                    const listed: string[] = JSON.parse(config[`${P}:adminRoleArns`]);
                    const admins = all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
                        .filter((a) => inputs(a).policyArn.endsWith("/AmazonEKSClusterAdminPolicy"))
                        .map((a) => inputs(a).principalArn);
                    return assert.deepEqual(admins, listed.length > 0 ? listed : [MOCK_DEPLOYER_ROLE]);
                }
                const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
                const entries: Record<string, { type: string; kubernetesGroups?: string[] }> =
                    Object.fromEntries(
                        all(run, "aws:eks/accessEntry:AccessEntry").map((e) => [
                            inputs(e).principalArn,
                            inputs(e),
                        ]),
                    );
                const policies = Object.fromEntries(
                    all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => [
                        inputs(a).principalArn,
                        inputs(a).policyArn.split("/").pop(),
                    ]),
                );
                assert.deepEqual(policies, {
                    [role(`${P}-deploy-${stack}`)]: "AmazonEKSClusterAdminPolicy",
                    [role(`${P}-preview-${stack}`)]: "AmazonEKSViewPolicy",
                    [role(`${P}-drift`)]: "AmazonEKSViewPolicy",
                });
                assert.deepEqual(
                    Object.values(entries).map((e) => e.type),
                    ["STANDARD", "STANDARD", "STANDARD"],
                );
                assert.equal(entries[role(`${P}-preview-${stack}`)].kubernetesGroups, undefined);
                assert.deepEqual(entries[role(`${P}-drift`)].kubernetesGroups, [REFRESHERS_GROUP]);
                // EKS refuses a policy association for a principal without an access entry yet.
                for (const associated of all(
                    run,
                    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
                )) {
                    const entry = all(run, "aws:eks/accessEntry:AccessEntry").find(
                        (e) => inputs(e).principalArn === inputs(associated).principalArn,
                    )!;
                    assert.ok(associated.dependencies.includes(entry.urn));
                    assert.deepEqual(inputs(associated).accessScope, { type: "cluster" });
                }
            },
        );

        it("builds the Kubernetes provider from the kubeconfig, after the node group and the admin access", async () => {
            const run = await okRun(stack);
            const provider = one(run, "pulumi:providers:kubernetes");
            assert.ok(isSecretValue(provider.inputs.kubeconfig));
            assert.ok(waitsFor(run, provider, one(run, "aws:eks/nodeGroup:NodeGroup")));
            const admin = all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").find((a) =>
                inputs(a).policyArn.endsWith("AmazonEKSClusterAdminPolicy"),
            )!;
            assert.ok(provider.dependencies.includes(admin.urn));
        });

        it("protects the cluster and KMS key exactly where config says so", async () => {
            const run = await okRun(stack);
            const protect = config[`${P}:protect`] === "true";
            assert.equal(one(run, "aws:eks/cluster:Cluster").options.protect, protect);
            assert.equal(one(run, "aws:kms/key:Key").options.protect, protect);
            assert.equal(inputs(one(run, "aws:eks/cluster:Cluster")).deletionProtection, protect);
        });

        it("sends every AWS resource and invoke through the one explicit AWS provider", async () => {
            const run = await okRun(stack);
            const aws = one(run, "pulumi:providers:aws");
            assert.equal(inputs(aws).region, config["aws:region"]);
            for (const r of run.registrations.filter((r) => r.custom && r.type.startsWith("aws:"))) {
                assert.equal(providerUrn(r.provider), aws.urn, `${r.type} ${r.name}`);
            }
            const lookups = run.invokes.filter((i) => i.token.startsWith("aws:"));
            assert.ok(lookups.length > 0);
            for (const i of lookups) assert.equal(providerUrn(i.provider ?? ""), aws.urn, i.token);
        });
    });
}

describe("cluster options", () => {
    // Without the bootstrap's roles: a laptop's stack.
    const laptop = { [`${P}:deliveryRoles`]: "false" };

    it("leaves the KMS key's policy at KMS's default without the delivery roles", async () => {
        const run = await okRun("dev", { overrides: laptop });
        assert.equal(inputs(one(run, "aws:kms/key:Key")).policy, undefined);
    });

    it("gives cluster admin to the deployer's role (not its session) without the delivery roles", async () => {
        const run = await okRun("dev", { overrides: laptop });
        const principals = all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map(
            (a) => inputs(a).principalArn,
        );
        assert.deepEqual(principals, [MOCK_DEPLOYER_ROLE]);
    });

    it("gives viewer roles read-only Kubernetes access, and the deployer stays admin with one entry", async () => {
        const preview = "arn:aws:iam::123456789012:role/flask-eks-preview";
        const run = await okRun("dev", {
            overrides: { ...laptop, [`${P}:viewerRoleArns`]: JSON.stringify([preview, MOCK_DEPLOYER_ROLE]) },
        });
        const byPrincipal = Object.fromEntries(
            all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => [
                inputs(a).principalArn,
                inputs(a),
            ]),
        );
        assert.deepEqual(Object.keys(byPrincipal).sort(), [MOCK_DEPLOYER_ROLE, preview].sort());
        assert.match(byPrincipal[preview].policyArn, /cluster-access-policy\/AmazonEKSViewPolicy$/);
        assert.deepEqual(byPrincipal[preview].accessScope, { type: "cluster" });
        assert.match(byPrincipal[MOCK_DEPLOYER_ROLE].policyArn, /AmazonEKSClusterAdminPolicy$/);
        // Named by what they grant, account and role: a renamed entry is replaced, its access gone meanwhile.
        const entries = all(run, "aws:eks/accessEntry:AccessEntry");
        const viewer = entries.find((e) => inputs(e).principalArn === preview)!;
        assert.equal(viewer.name, "view-123456789012-flask-eks-preview");
        // A viewer reads no Secret: no group beyond EKS's view policy.
        assert.equal(inputs(viewer).kubernetesGroups, undefined);
        assert.equal(entries.length, 2);
    });

    it("with adminRoleArns set, makes exactly those admins, whoever previews: a pull request's preview shows no churn", async () => {
        const admin = "arn:aws:iam::123456789012:role/flask-eks-deploy-dev";
        const run = await okRun("dev", {
            overrides: { ...laptop, [`${P}:adminRoleArns`]: JSON.stringify([admin]) },
        });
        const principals = all(run, "aws:eks/accessEntry:AccessEntry").map((e) => inputs(e).principalArn);
        assert.deepEqual(principals, [admin]);
    });

    it("lets an up by a principal that adminRoleArns lists", async () => {
        const run = await runStack("dev", {
            deploy: true,
            overrides: { ...laptop, [`${P}:adminRoleArns`]: JSON.stringify([MOCK_DEPLOYER_ROLE]) },
        });
        assert.equal(run.error, undefined, run.error?.message);
    });

    it("refuses an up by a principal that adminRoleArns leaves out, before any AWS resource registers", async () => {
        const admin = "arn:aws:iam::123456789012:role/flask-eks-deploy-dev";
        const run = await runStack("dev", {
            deploy: true,
            overrides: { ...laptop, [`${P}:adminRoleArns`]: JSON.stringify([admin]) },
        });
        assert.equal(
            run.error?.message,
            `adminRoleArns: got ["${admin}"], expected it to hold ${MOCK_DEPLOYER_ROLE}, which runs this pulumi up: without an access entry it could not reach the cluster it deploys to`,
        );
        assert.deepEqual(
            run.registrations.filter((r) => r.custom && r.type.startsWith("aws:")),
            [],
        );
    });

    it("adds an access entry per admin role and none twice for the deployer", async () => {
        const admin = "arn:aws:iam::123456789012:role/platform-admin";
        const run = await okRun("dev", {
            overrides: { ...laptop, [`${P}:adminRoleArns`]: JSON.stringify([admin, MOCK_DEPLOYER_ROLE]) },
        });
        const principals = all(run, "aws:eks/accessEntry:AccessEntry").map((e) => inputs(e).principalArn);
        assert.deepEqual(principals.sort(), [MOCK_DEPLOYER_ROLE, admin].sort());
        assert.equal(all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").length, 2);
        const provider = one(run, "pulumi:providers:kubernetes");
        for (const association of all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")) {
            assert.ok(provider.dependencies.includes(association.urn));
        }
    });

    it("turns the public endpoint off for an empty allowlist", async () => {
        const run = await okRun("dev", { overrides: { [`${P}:endpointPublicAccessCidrs`]: "[]" } });
        const { vpcConfig } = inputs(one(run, "aws:eks/cluster:Cluster"));
        assert.equal(vpcConfig.endpointPublicAccess, false);
        assert.equal(vpcConfig.endpointPrivateAccess, true);
    });
});

describe("the Cluster's own names and outputs", () => {
    it("trusts the cluster's OIDC issuer for STS only, names its key after the cluster, and registers its outputs", async () => {
        const run = await okRun("dev");
        const oidc = inputs(one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider"));
        assert.deepEqual(oidc.clientIdLists, ["sts.amazonaws.com"]);
        assert.equal(
            inputs(one(run, "aws:kms/key:Key")).description,
            `Envelope encryption of Kubernetes secrets in ${P}-dev`,
        );
        const outputs = run.componentOutputs[one(run, "flask-eks:index:Cluster").urn];
        assert.deepEqual(Object.keys(outputs).sort(), ["clusterName", "kubeconfig", "oidcProviderArn"]);
        assert.equal(outputs.clusterName, `${P}-dev`);
        assert.match(String(outputs.oidcProviderArn), /^arn:aws:iam::\d{12}:oidc-provider\//);
    });
});
