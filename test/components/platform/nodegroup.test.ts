import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStackConfig } from "../../../offline/stack-config";
import * as aws from "@pulumi/aws";
import { NodeGroup } from "../../../components/platform/nodegroup";
import { P, all, builtAlone, eksStacks, inputs, okRun, one, policiesOf } from "../../helpers";
import { architectureOf } from "../../../domain/instancetypes";

const policy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`node group (${stack})`, () => {
        it("gives the node role only what a node needs to join and pull images", async () => {
            const run = await okRun(stack);
            assert.deepEqual(policiesOf(run, "node-role"), [
                policy("AmazonEC2ContainerRegistryPullOnly"),
                policy("AmazonEKSWorkerNodePolicy"),
            ]);
            assert.equal(
                JSON.parse(inputs(one(run, "aws:iam/role:Role", "node-role")).assumeRolePolicy).Statement[0]
                    .Principal.Service,
                "ec2.amazonaws.com",
            );
        });

        it("is a component of its own under the cluster, holding the node role, launch template and group", async () => {
            const run = await okRun(stack);
            const component = one(run, "flask-eks:index:NodeGroup");
            assert.equal(component.parent, one(run, "flask-eks:index:Cluster").urn);
            for (const [type, name] of [
                ["aws:iam/role:Role", "node-role"],
                ["aws:ec2/launchTemplate:LaunchTemplate", "nodes"],
                ["aws:eks/nodeGroup:NodeGroup", "nodes"],
            ]) {
                assert.equal(one(run, type, name).parent, component.urn, name);
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
            // AL2023's root device: a mapping under another name would leave the root volume default.
            assert.equal(lt.blockDeviceMappings[0].deviceName, "/dev/xvda");
            assert.equal(lt.updateDefaultVersion, true);
            assert.equal(lt.keyName, undefined);
            // What EC2 makes from it carries the stack's tags, which the provider's default tags never
            // reach: the permissions boundary keeps other stacks' roles off it by them.
            assert.deepEqual(lt.tagSpecifications, [
                ...["instance", "volume", "network-interface"].map((resourceType) => ({
                    resourceType,
                    tags: { Name: `${P}-${stack}-node`, project: P, stack, "managed-by": "pulumi" },
                })),
            ]);
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
            const architecture = architectureOf(JSON.parse(config[`${P}:instanceTypes`])[0]);
            assert.equal(
                inputs(nodes).amiType,
                { amd64: "AL2023_x86_64_STANDARD", arm64: "AL2023_ARM_64_STANDARD" }[architecture],
            );
            assert.deepEqual(inputs(nodes).nodeRepairConfig, { enabled: true });
            const lt = one(run, "aws:ec2/launchTemplate:LaunchTemplate");
            assert.deepEqual(
                inputs(nodes).launchTemplate,
                { id: lt.id, version: "1" },
                "the mocks' latest version",
            );
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
    });
}

describe("node group options", () => {
    it("derives the ARM AMI type from Graviton instance types", async () => {
        const run = await okRun("dev", {
            overrides: { [`${P}:instanceTypes`]: '["t4g.medium","m7g.large"]' },
        });
        assert.equal(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).amiType, "AL2023_ARM_64_STANDARD");
    });

    it("may scale to zero: nodeMinSize 0 reaches the node group, which starts with a node", async () => {
        const run = await okRun("dev", { overrides: { [`${P}:nodeMinSize`]: "0" } });
        const { scalingConfig } = inputs(one(run, "aws:eks/nodeGroup:NodeGroup"));
        assert.equal(scalingConfig.minSize, 0);
        assert.ok(scalingConfig.desiredSize >= 1, "the first node, where the autoscaler runs");
        // The autoscaler's eks:DescribeNodegroup, which scaling up from zero needs: test/components/addons/autoscaler.test.ts.
    });
});

describe("NodeGroup, built alone", () => {
    it("with no options its role is its own child; it describes its launch template and registers its outputs", async () => {
        const run = await builtAlone(() => {
            const provider = new aws.Provider("aws", { region: "us-west-2" });
            const cluster = new aws.eks.Cluster(
                "cluster",
                { roleArn: "arn:aws:iam::123456789012:role/c", vpcConfig: { subnetIds: ["subnet-a"] } },
                { provider },
            );
            new NodeGroup("nodes", {
                cluster,
                clusterName: "shop",
                subnetIds: ["subnet-a"],
                partition: "aws",
                readyAfter: [],
                instanceTypes: ["t3.medium"],
                architecture: "amd64",
                capacityType: "ON_DEMAND",
                minSize: 1,
                desiredSize: 1,
                maxSize: 2,
                diskSizeGiB: 20,
            });
        });
        const group = one(run, "flask-eks:index:NodeGroup");
        assert.equal(one(run, "aws:iam/role:Role", "node-role").parent, group.urn);
        assert.equal(inputs(one(run, "aws:ec2/launchTemplate:LaunchTemplate")).description, "Nodes of shop");
        assert.deepEqual(Object.keys(run.componentOutputs[group.urn]).sort(), ["nodeGroupName", "roleArn"]);
    });
});
