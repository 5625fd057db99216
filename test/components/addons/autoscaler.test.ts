import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AUTOSCALER_REQUESTS } from "../../../domain/capacity";
import { scaling } from "../../../components/platform/nodegroup";
import { KUBERNETES_VERSIONS } from "../../../domain/versions";
import { loadStackConfig } from "../../../offline/stack-config";
import { P, eksStacks, inputs, okRun, one, providerUrn } from "../../helpers";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;
    const clusterName = `${P}-${stack}`;

    describe(`cluster autoscaler (${stack})`, () => {
        it("is a Helm release of the chart and image pinned for the cluster's minor, through the cluster's provider", async () => {
            const run = await okRun(stack);
            const release = one(run, "kubernetes:helm.sh/v3:Release", "cluster-autoscaler");
            const pinned = KUBERNETES_VERSIONS[config[`${P}:kubernetesVersion`]].clusterAutoscaler;
            const r = inputs(release);
            assert.equal(r.chart, "cluster-autoscaler");
            assert.equal(r.version, pinned.chart);
            assert.deepEqual(r.repositoryOpts, { repo: "https://kubernetes.github.io/autoscaler" });
            assert.equal(r.namespace, "kube-system");
            assert.equal(r.values.image.tag, pinned.image);
            assert.equal(providerUrn(release.provider), one(run, "pulumi:providers:kubernetes").urn);
        });

        it("finds the node group by the tags EKS gives it, balances zones, and can drain the app's nodes", async () => {
            const values = inputs(
                one(await okRun(stack), "kubernetes:helm.sh/v3:Release", "cluster-autoscaler"),
            ).values;
            assert.equal(values.cloudProvider, "aws");
            assert.deepEqual(values.autoDiscovery, { clusterName });
            assert.equal(values.awsRegion, config["aws:region"]);
            assert.equal(values.extraArgs["balance-similar-node-groups"], true);
            assert.equal(values.extraArgs.expander, "least-waste");
            // The app mounts an emptyDir; with the default (true) its nodes would never scale down.
            assert.equal(values.extraArgs["skip-nodes-with-local-storage"], false);
            // The chart makes the service account its IRSA role is trusted for.
            assert.equal(values.rbac.serviceAccount.create, true);
            assert.equal(values.rbac.serviceAccount.name, "cluster-autoscaler");
            // Requests the capacity check counts (domain/capacity.ts) as the autoscaler's.
            assert.deepEqual(values.resources, {
                requests: { cpu: AUTOSCALER_REQUESTS.cpu, memory: AUTOSCALER_REQUESTS.memory },
            });
        });

        it("has an IRSA role that may resize only this cluster's tagged node groups", async () => {
            const run = await okRun(stack);
            const role = one(run, "aws:iam/role:Role", "cluster-autoscaler-role");
            const release = inputs(one(run, "kubernetes:helm.sh/v3:Release", "cluster-autoscaler"));
            assert.equal(
                release.values.rbac.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
                `arn:aws:iam::123456789012:role/${role.id}`,
            );
            const trust = JSON.parse(inputs(role).assumeRolePolicy);
            const sub = Object.entries(trust.Statement[0].Condition.StringEquals).find(([k]) =>
                k.endsWith(":sub"),
            );
            assert.equal(sub?.[1], "system:serviceaccount:kube-system:cluster-autoscaler");
            const policyReg = one(run, "aws:iam/rolePolicy:RolePolicy", "cluster-autoscaler-policy");
            const policy = JSON.parse(inputs(policyReg).policy);
            // The node group's own ARN (in the mocks' form), not "*".
            const nodeGroupArn = policy.Statement[2]?.Resource;
            assert.match(nodeGroupArn, /^arn:aws:eks:[a-z0-9-]+:123456789012:nodes\//);
            // The permissions of cluster-autoscaler/cloudprovider/aws/README.md ("Permissions"), with
            // resizing confined to groups tagged as this cluster's and enabled for it: nothing more.
            assert.deepEqual(policy, {
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ResizeThisClustersNodeGroups",
                        Effect: "Allow",
                        Action: [
                            "autoscaling:SetDesiredCapacity",
                            "autoscaling:TerminateInstanceInAutoScalingGroup",
                        ],
                        Resource: "*",
                        Condition: {
                            StringEquals: {
                                [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
                                "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                            },
                        },
                    },
                    {
                        Sid: "Describe",
                        Effect: "Allow",
                        Action: [
                            "autoscaling:DescribeAutoScalingGroups",
                            "autoscaling:DescribeAutoScalingInstances",
                            "autoscaling:DescribeLaunchConfigurations",
                            "autoscaling:DescribeScalingActivities",
                            "autoscaling:DescribeTags",
                            "ec2:DescribeImages",
                            "ec2:DescribeInstanceTypes",
                            "ec2:DescribeLaunchTemplateVersions",
                            "ec2:GetInstanceTypesFromInstanceRequirements",
                        ],
                        Resource: "*",
                    },
                    {
                        Sid: "DescribeThisNodeGroup",
                        Effect: "Allow",
                        Action: "eks:DescribeNodegroup",
                        Resource: nodeGroupArn,
                    },
                ],
            });
            // The node group's ARN is an output: the policy waits for it.
            assert.ok(
                policyReg.propertyDependencies.policy.includes(one(run, "aws:eks/nodeGroup:NodeGroup").urn),
            );
        });
    });
}

describe("node count: the autoscaler's, within the configured bounds", () => {
    it("at creation, the configured desired count; the autoscaler owns it from then on", () => {
        assert.deepEqual(scaling({ minSize: 2, desiredSize: 3, maxSize: 6 }, undefined), {
            scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 6 },
            autoscalerOwnsCount: true,
        });
    });

    it("same bounds as live: the count stays the autoscaler's (no update, no drift)", () => {
        const live = { minSize: 2, desiredSize: 5, maxSize: 6 };
        assert.equal(scaling({ minSize: 2, desiredSize: 2, maxSize: 6 }, live).autoscalerOwnsCount, true);
    });

    it("a maximum changed alone is a change of bounds too: the count is sent with it", () => {
        const live = { minSize: 2, desiredSize: 5, maxSize: 6 };
        assert.equal(scaling({ minSize: 2, desiredSize: 2, maxSize: 8 }, live).autoscalerOwnsCount, false);
    });

    it("a minimum raised above the live count sends the new minimum as the count, in one up", () => {
        assert.deepEqual(
            scaling({ minSize: 4, desiredSize: 4, maxSize: 6 }, { minSize: 2, desiredSize: 2, maxSize: 6 }),
            {
                scalingConfig: { minSize: 4, desiredSize: 4, maxSize: 6 },
                autoscalerOwnsCount: false,
            },
        );
        // A maximum lowered below the live count likewise; a count within the new bounds is kept.
        assert.equal(
            scaling({ minSize: 1, desiredSize: 1, maxSize: 3 }, { minSize: 1, desiredSize: 5, maxSize: 6 })
                .scalingConfig.desiredSize,
            3,
        );
        assert.equal(
            scaling({ minSize: 3, desiredSize: 3, maxSize: 8 }, { minSize: 2, desiredSize: 5, maxSize: 6 })
                .scalingConfig.desiredSize,
            5,
        );
    });

    it("the program reads the live node group and sends that to EKS", async () => {
        const run = await okRun("prod", {
            overrides: { [`${P}:nodeMinSize`]: "4", [`${P}:nodeDesiredSize`]: "4" },
            existing: {
                cluster: { name: `${P}-prod`, nodeScaling: { minSize: 3, desiredSize: 3, maxSize: 6 } },
            },
        });
        const nodes = one(run, "aws:eks/nodeGroup:NodeGroup");
        assert.deepEqual(inputs(nodes).scalingConfig, { minSize: 4, desiredSize: 4, maxSize: 6 });
        assert.deepEqual(nodes.options.ignoreChanges, []);
    });
});

describe("control-plane log group across a destroy", () => {
    const name = `/aws/eks/${P}-dev/cluster`;

    it("is kept by a destroy, so late log streams land in it and the audit log outlives the cluster", async () => {
        const logs = one(await okRun("dev"), "aws:cloudwatch/logGroup:LogGroup");
        assert.equal(inputs(logs).name, name);
        assert.equal(logs.options.retainOnDelete, true);
        assert.equal(logs.options.importId, "");
    });

    it("is adopted by the next up when it exists without its cluster, whoever made it", async () => {
        const logs = one(
            await okRun("dev", { existing: { logGroups: [name] } }),
            "aws:cloudwatch/logGroup:LogGroup",
        );
        assert.equal(logs.options.importId, name);
        // A group EKS made has no retention: the import must not fail on it; the next up sets it.
        assert.deepEqual(logs.options.ignoreChanges, ["retentionInDays", "tags"]);
    });

    it("is the stack's own while its cluster exists: no import, every setting applied", async () => {
        const logs = one(
            await okRun("dev", {
                existing: {
                    logGroups: [name],
                    cluster: { name: `${P}-dev`, nodeScaling: { minSize: 1, desiredSize: 2, maxSize: 3 } },
                },
            }),
            "aws:cloudwatch/logGroup:LogGroup",
        );
        assert.equal(logs.options.importId, "");
        assert.deepEqual(logs.options.ignoreChanges, []);
    });
});
