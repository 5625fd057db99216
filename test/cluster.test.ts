import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CONTROL_PLANE_LOGS } from "../components/cluster";
import { AMI_TYPES } from "../components/nodegroup";
import { kubeconfig } from "../components/kubeconfig";
import { isSecretValue } from "../harness";
import { MOCK_ADDON_VERSIONS, MOCK_DEPLOYER_ROLE } from "../harness/mocks";
import { loadStackConfig } from "../harness/stack-config";
import { all, committedStacks, inputs, okRun, one, policiesOf, providerUrn, waitsFor } from "./helpers";

const P = "flask-eks";
const policy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

for (const stack of committedStacks()) {
    const config = loadStackConfig(stack).values;
    const clusterName = `${P}-${stack}`;

    describe(`cluster (${stack})`, () => {
        it("gives the cluster and node roles only the managed policies EKS needs", async () => {
            const run = await okRun(stack);
            assert.deepEqual(policiesOf(run, "cluster-role"), [policy("AmazonEKSClusterPolicy")]);
            assert.deepEqual(policiesOf(run, "node-role"), [
                policy("AmazonEC2ContainerRegistryPullOnly"),
                policy("AmazonEKSWorkerNodePolicy"),
            ]);
            assert.equal(
                JSON.parse(inputs(one(run, "aws:iam/role:Role", "cluster-role")).assumeRolePolicy)
                    .Statement[0].Principal.Service,
                "eks.amazonaws.com",
            );
            assert.equal(
                JSON.parse(inputs(one(run, "aws:iam/role:Role", "node-role")).assumeRolePolicy).Statement[0]
                    .Principal.Service,
                "ec2.amazonaws.com",
            );
        });

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
        });

        it("encrypts Kubernetes secrets with a rotating KMS key", async () => {
            const run = await okRun(stack);
            const key = one(run, "aws:kms/key:Key");
            assert.equal(inputs(key).enableKeyRotation, true);
            const cluster = one(run, "aws:eks/cluster:Cluster");
            assert.deepEqual(inputs(cluster).encryptionConfig.resources, ["secrets"]);
            assert.deepEqual(cluster.propertyDependencies.encryptionConfig, [key.urn]);
        });

        it("creates the control-plane log group first, with the configured retention, and turns on api/audit/authenticator", async () => {
            const run = await okRun(stack);
            const logs = one(run, "aws:cloudwatch/logGroup:LogGroup");
            assert.equal(inputs(logs).name, `/aws/eks/${clusterName}/cluster`);
            assert.equal(inputs(logs).retentionInDays, Number(config[`${P}:logRetentionDays`]));
            const cluster = one(run, "aws:eks/cluster:Cluster");
            assert.ok(cluster.dependencies.includes(logs.urn));
            assert.deepEqual(inputs(cluster).enabledClusterLogTypes, ["api", "audit", "authenticator"]);
            assert.deepEqual(CONTROL_PLANE_LOGS, ["api", "audit", "authenticator"]);
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
            const allow = JSON.parse(config[`${P}:endpointPublicAccessCidrs`]);
            assert.equal(vpcConfig.endpointPrivateAccess, true);
            assert.equal(vpcConfig.endpointPublicAccess, allow.length > 0);
            assert.deepEqual(vpcConfig.publicAccessCidrs ?? [], allow);
        });

        it("gives cluster admin to the deployer's role (not its session) through access entries", async () => {
            const run = await okRun(stack);
            const entries = all(run, "aws:eks/accessEntry:AccessEntry").map(inputs);
            assert.deepEqual(
                entries.map((e) => e.principalArn),
                [MOCK_DEPLOYER_ROLE],
            );
            const [association] = all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map(
                inputs,
            );
            assert.equal(association.principalArn, MOCK_DEPLOYER_ROLE);
            assert.equal(
                association.policyArn,
                "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            );
            assert.deepEqual(association.accessScope, { type: "cluster" });
        });

        it("registers an IAM OIDC provider on the cluster's issuer for IRSA", async () => {
            const run = await okRun(stack);
            const oidc = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            assert.deepEqual(inputs(oidc).clientIdLists, ["sts.amazonaws.com"]);
            assert.match(
                inputs(oidc).url,
                /^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[0-9a-f]{32}$/,
            );
            assert.deepEqual(oidc.propertyDependencies.url, [one(run, "aws:eks/cluster:Cluster").urn]);
        });

        it("manages the five add-ons at their resolved versions; nodes wait for networking, coredns and metrics-server for nodes", async () => {
            const run = await okRun(stack);
            const addons = Object.fromEntries(all(run, "aws:eks/addon:Addon").map((a) => [a.name, a]));
            assert.deepEqual(Object.keys(addons).sort(), Object.keys(MOCK_ADDON_VERSIONS).sort());
            for (const [name, addon] of Object.entries(addons)) {
                assert.equal(inputs(addon).addonVersion, MOCK_ADDON_VERSIONS[name], name);
            }
            const nodes = one(run, "aws:eks/nodeGroup:NodeGroup");
            for (const name of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) {
                assert.ok(nodes.dependencies.includes(addons[name].urn), `node group waits for ${name}`);
            }
            for (const name of ["coredns", "metrics-server"]) {
                assert.ok(addons[name].dependencies.includes(nodes.urn), `${name} waits for the node group`);
            }
        });

        it("launches nodes with IMDSv2 only, hop limit 1, an encrypted gp3 root volume and no SSH key", async () => {
            const lt = inputs(one(await okRun(stack), "aws:ec2/launchTemplate:LaunchTemplate"));
            assert.deepEqual(lt.metadataOptions, {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
            });
            assert.deepEqual(lt.blockDeviceMappings[0].ebs, {
                volumeSize: Number(config[`${P}:nodeDiskSizeGiB`]),
                volumeType: "gp3",
                encrypted: "true",
                deleteOnTermination: "true",
            });
            assert.equal(lt.keyName, undefined);
            assert.deepEqual(
                lt.tagSpecifications.map((t: { resourceType: string }) => t.resourceType),
                ["instance", "volume"],
            );
        });

        it("puts the node group in exactly the private subnets, sized and typed from config", async () => {
            const run = await okRun(stack);
            const nodes = one(run, "aws:eks/nodeGroup:NodeGroup");
            const privateSubnets = all(run, "aws:ec2/subnet:Subnet").filter((s) =>
                s.name.startsWith("private-"),
            );
            assert.deepEqual(
                inputs(nodes).subnetIds,
                privateSubnets.map((s) => s.id),
            );
            assert.deepEqual(inputs(nodes).instanceTypes, JSON.parse(config[`${P}:instanceTypes`]));
            assert.equal(inputs(nodes).capacityType, config[`${P}:capacityType`]);
            assert.equal(inputs(nodes).amiType, AMI_TYPES.amd64);
            assert.deepEqual(inputs(nodes).scalingConfig, {
                minSize: Number(config[`${P}:nodeMinSize`]),
                desiredSize: Number(config[`${P}:nodeDesiredSize`]),
                maxSize: Number(config[`${P}:nodeMaxSize`]),
            });
            assert.deepEqual(inputs(nodes).updateConfig, { maxUnavailablePercentage: 33 });
            assert.deepEqual(nodes.options.ignoreChanges, ["scalingConfig.desiredSize"]);
            assert.deepEqual(nodes.propertyDependencies.launchTemplate, [
                one(run, "aws:ec2/launchTemplate:LaunchTemplate").urn,
            ]);
        });

        it("exports a secret kubeconfig that gets tokens from aws eks get-token", async () => {
            const run = await okRun(stack);
            assert.ok(isSecretValue(run.outputs.kubeconfig));
            const kc = JSON.parse((run.outputs.kubeconfig as { value: string }).value);
            assert.equal(kc["current-context"], clusterName);
            assert.deepEqual(kc.users[0].user.exec.args, [
                "eks",
                "get-token",
                "--cluster-name",
                clusterName,
                "--region",
                config["aws:region"],
            ]);
            assert.match(kc.clusters[0].cluster.server, /^https:\/\/.+\.eks\.amazonaws\.com$/);
            assert.equal(run.outputs.clusterName, clusterName);
        });

        it("builds the Kubernetes provider from the kubeconfig, after the node group and the admin access", async () => {
            const run = await okRun(stack);
            const provider = one(run, "pulumi:providers:kubernetes");
            assert.ok(isSecretValue(provider.inputs.kubeconfig));
            assert.ok(waitsFor(run, provider, one(run, "aws:eks/nodeGroup:NodeGroup")));
            assert.ok(
                provider.dependencies.includes(
                    one(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").urn,
                ),
            );
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
        });
    });
}

describe("cluster options", () => {
    it("derives the ARM AMI type from Graviton instance types", async () => {
        const run = await okRun("dev", {
            overrides: { [`${P}:instanceTypes`]: '["t4g.medium","m7g.large"]' },
        });
        assert.equal(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).amiType, "AL2023_ARM_64_STANDARD");
    });

    it("adds an access entry per admin role and none twice for the deployer", async () => {
        const admin = "arn:aws:iam::123456789012:role/platform-admin";
        const run = await okRun("dev", {
            overrides: { [`${P}:adminRoleArns`]: JSON.stringify([admin, MOCK_DEPLOYER_ROLE]) },
        });
        const principals = all(run, "aws:eks/accessEntry:AccessEntry").map((e) => inputs(e).principalArn);
        assert.deepEqual(principals.sort(), [MOCK_DEPLOYER_ROLE, admin].sort());
        assert.equal(all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").length, 2);
        const provider = one(run, "pulumi:providers:kubernetes");
        for (const association of all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")) {
            assert.ok(provider.dependencies.includes(association.urn));
        }
    });

    it("uses a pinned add-on version instead of resolving one", async () => {
        const run = await okRun("dev", {
            overrides: { [`${P}:addonVersions`]: '["coredns=v1.11.4-eksbuild.2"]' },
        });
        const coredns = all(run, "aws:eks/addon:Addon").find((a) => a.name === "coredns")!;
        assert.equal(inputs(coredns).addonVersion, "v1.11.4-eksbuild.2");
    });

    it("turns the public endpoint off for an empty allowlist", async () => {
        const run = await okRun("dev", { overrides: { [`${P}:endpointPublicAccessCidrs`]: "[]" } });
        const { vpcConfig } = inputs(one(run, "aws:eks/cluster:Cluster"));
        assert.equal(vpcConfig.endpointPublicAccess, false);
        assert.equal(vpcConfig.endpointPrivateAccess, true);
    });

    it("adds the profile and role to the kubeconfig's user only, leaving the cluster entry the provider diffs on", () => {
        const base = {
            clusterName: "c",
            region: "us-west-2",
            endpoint: "https://x",
            certificateAuthorityData: "Y2E=",
        };
        const plain = kubeconfig(base) as Record<string, any>;
        const withRole = kubeconfig({ ...base, profile: "ops", roleArn: "arn:aws:iam::1:role/r" }) as Record<
            string,
            any
        >;
        assert.deepEqual(withRole.clusters, plain.clusters);
        assert.deepEqual(withRole.contexts, plain.contexts);
        assert.deepEqual(withRole.users[0].user.exec.env, [{ name: "AWS_PROFILE", value: "ops" }]);
        assert.deepEqual(withRole.users[0].user.exec.args.slice(-2), ["--role-arn", "arn:aws:iam::1:role/r"]);
    });
});
