import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { providerUrn, runStack, unwrapSecrets } from "../../offline";
import { P, all, inputs, okRun, one, resourcesOf } from "../helpers";

// targets/eksapp.ts: one service on its platform stack (dev-web and dev-api on dev-platform), under
// the mocks, with the platform's outputs as the platform's own run gives them.

const APPS = ["dev-web", "dev-api"];

describe("app stacks on EKS", () => {
    for (const stack of APPS) {
        it(`${stack} registers nothing cluster-wide: no namespace, RBAC, CRD, node or cluster of its own`, async () => {
            const run = await okRun(stack);
            const app = stack.slice("dev-".length);
            const kinds = resourcesOf(run).map((r) => r.type);
            for (const kind of kinds)
                assert.doesNotMatch(
                    kind,
                    /Namespace$|ClusterRole|CustomResourceDefinition|rbac|eks\/(cluster|nodeGroup|addon|accessEntry)|ec2\/|helm/,
                );
            for (const r of resourcesOf(run).filter((r) => r.type.startsWith("kubernetes:")))
                assert.equal(inputs(r).metadata.namespace, app, `${r.type} ${r.name}`);
            assert.ok(kinds.includes("kubernetes:apps/v1:Deployment"));
        });
    }

    it("names its objects and image repository after appName, and labels its pods with it", async () => {
        const run = await okRun("dev-api");
        for (const type of [
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:Service",
            "kubernetes:core/v1:ServiceAccount",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            "kubernetes:policy/v1:PodDisruptionBudget",
        ])
            assert.equal(inputs(one(run, type)).metadata.name, "api", type);
        const deployment = inputs(one(run, "kubernetes:apps/v1:Deployment"));
        assert.equal(deployment.spec.selector.matchLabels["app.kubernetes.io/name"], "api");
        assert.equal(inputs(one(run, "aws:ecr/repository:Repository")).name, `${P}-dev-api/api`);
    });

    it("reaches the platform's cluster with its own credentials, through a provider of its own", async () => {
        const run = await okRun("dev-web", {
            overrides: { "aws:profile": "team-web" },
        });
        const platform = run.platform!.outputs;
        const provider = one(run, "pulumi:providers:kubernetes");
        const kubeconfig = JSON.parse(unwrapSecrets(inputs(provider).kubeconfig) as string);
        assert.equal(kubeconfig.clusters[0].cluster.server, platform.clusterEndpoint);
        assert.deepEqual(kubeconfig.users[0].user.exec.env, [{ name: "AWS_PROFILE", value: "team-web" }]);
        assert.equal(inputs(provider).namespace, "web");
        for (const r of resourcesOf(run).filter((r) => r.type.startsWith("kubernetes:")))
            assert.equal(providerUrn(r.provider!), provider.urn, r.name);
    });

    it("gets its AWS role by Pod Identity: an association on the platform's cluster, trusted for its own service account only", async () => {
        const run = await okRun("dev-web");
        const association = inputs(one(run, "aws:eks/podIdentityAssociation:PodIdentityAssociation"));
        const role = one(run, "aws:iam/role:Role", "web-role");
        assert.deepEqual(association, {
            clusterName: `${P}-dev-platform`,
            namespace: "web",
            serviceAccount: "web",
            roleArn: `arn:aws:iam::123456789012:role/${role.id}`,
        });
        const trust = JSON.parse(inputs(role).assumeRolePolicy);
        assert.deepEqual(trust.Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-arn": run.platform!.outputs.clusterArn,
                        "aws:RequestTag/kubernetes-namespace": "web",
                        "aws:RequestTag/kubernetes-service-account": "web",
                    },
                },
            },
        ]);
        // No IRSA annotation: the association names the role.
        assert.equal(inputs(one(run, "kubernetes:core/v1:ServiceAccount")).metadata.annotations, undefined);
    });

    it("starts its pods only once the association and the role's policies exist: EKS gives credentials to pods admitted after", async () => {
        const run = await okRun("dev-web", {
            overrides: {
                [`${P}:appPolicyArns`]: JSON.stringify(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]),
            },
        });
        const deployment = one(run, "kubernetes:apps/v1:Deployment");
        for (const type of [
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        ])
            assert.ok(deployment.dependencies.includes(one(run, type).urn), type);
    });

    it("opens the Pod Identity agent to its pods when its role has policies, and not otherwise", async () => {
        const agentRule = (run: Awaited<ReturnType<typeof okRun>>) =>
            inputs(one(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "web")).spec.egress.filter(
                (rule: { to: { ipBlock?: { cidr: string } }[] }) =>
                    rule.to[0].ipBlock?.cidr === "169.254.170.23/32",
            );
        assert.deepEqual(agentRule(await okRun("dev-web")), []);
        const withPolicy = await okRun("dev-web", {
            overrides: {
                [`${P}:appPolicyArns`]: JSON.stringify(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]),
            },
        });
        assert.deepEqual(agentRule(withPolicy), [
            { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
        ]);
    });

    it("puts its NLB in the platform's public subnets and builds for the platform's nodes", async () => {
        const run = await okRun("dev-web");
        const service = inputs(one(run, "kubernetes:core/v1:Service"));
        const subnets = service.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-subnets"];
        assert.equal(subnets, (run.platform!.outputs.publicSubnetIds as string[]).join(","));
        assert.equal(inputs(one(run, "docker:index/image:Image")).build.platform, "linux/amd64");
        // The platform's controller is not this stack's to wait for.
        assert.equal(
            one(run, "kubernetes:core/v1:Service").dependencies.some((d) => d.includes("Release")),
            false,
        );
    });
});

describe("an app stack on its platform's shared entry", () => {
    it("serves its host through an Ingress of the shared class, with no NLB and no certificate of its own", async () => {
        const run = await okRun("dev-api");
        const ingress = inputs(one(run, "kubernetes:networking.k8s.io/v1:Ingress"));
        assert.equal(ingress.spec.ingressClassName, "shared");
        assert.deepEqual(
            ingress.spec.rules.map((r: { host: string }) => r.host),
            ["api.dev.example.com"],
        );
        assert.equal(inputs(one(run, "kubernetes:core/v1:Service")).spec.type, "ClusterIP");
        assert.equal(all(run, "aws:acm/certificate:Certificate").length, 0);
        // Its name, in the platform's zone, points at the ALB found by the group's tags once the
        // Ingress has it.
        const record = inputs(one(run, "aws:route53/record:Record"));
        assert.deepEqual(
            [record.name, record.zoneId, record.type],
            ["api.dev.example.com", "Z0123456789ABCDEFGHIJ", "A"],
        );
        const lookup = run.invokes.find((i) => i.token === "aws:lb/getLoadBalancer:getLoadBalancer");
        assert.deepEqual(lookup?.inputs.tags, {
            "elbv2.k8s.aws/cluster": `${P}-dev-platform`,
            "ingress.k8s.aws/stack": "shared",
        });
    });

    it("admits only the ALB, from its subnets: the clients' ranges are the ALB's to check", async () => {
        const run = await okRun("dev-api");
        const policy = all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find(
            (p) => inputs(p).metadata.name === "api",
        )!;
        const sources = inputs(policy).spec.ingress[0].from.map(
            (f: { ipBlock: { cidr: string } }) => f.ipBlock.cidr,
        );
        assert.deepEqual(sources, run.platform!.outputs.publicSubnetCidrs);
    });

    it("refuses a name, a certificate or client ranges of its own, each on its line", async () => {
        const run = await runStack("dev-api", {
            overrides: {
                [`${P}:hostname`]: "api.shop.io",
                [`${P}:hostedZoneId`]: "Z0123456789ABCDEFGHIJ",
                [`${P}:lbSourceRanges`]: JSON.stringify(["203.0.113.0/24"]),
            },
        });
        const on = "the app's entry is api.dev.example.com on platformStack dev-platform's shared ALB";
        assert.equal(
            run.error?.message,
            [
                `${P}:hostname: got "api.shop.io", expected empty: ${on}, with its certificate`,
                `${P}:hostedZoneId: got "Z0123456789ABCDEFGHIJ", expected empty: ${on}, with its certificate`,
                `${P}:lbSourceRanges: got ["203.0.113.0/24"], expected ["0.0.0.0/0"]: ${on}, which admits those`,
            ].join("\n"),
        );
        assert.deepEqual(resourcesOf(run), []);
    });
});

describe("app stacks refuse, before registering anything", () => {
    const refusal = async (stack: string, options: Parameters<typeof runStack>[1], message: string) => {
        const run = await runStack(stack, options);
        assert.equal(run.error?.message, message);
        assert.deepEqual(resourcesOf(run), []);
    };

    it("an app its platform lends no namespace, naming the platform's tenants", async () => {
        await refusal(
            "dev-web",
            { overrides: { [`${P}:appName`]: "shop" } },
            `${P}:appName: got "shop", expected a namespace platformStack dev-platform lends (api, web), or add it to the platform's tenants first`,
        );
    });

    it("pods at their most that would not fit the namespace's quota, with the numbers", async () => {
        await refusal(
            "dev-web",
            { overrides: { [`${P}:workloadMaxReplicas`]: "6" } },
            `${P}:workloadMaxReplicas: got 6, expected at most 5: the namespace's quota (1500m CPU, 2048Mi and 10 pods) holds 6 pods of 250m CPU and 256Mi, one of them a rollout's surge pod (tenants.web of platformStack dev-platform)`,
        );
    });

    it("a platform stack that has no outputs (not deployed, or not a platform)", async () => {
        await refusal(
            "dev-web",
            { existing: { stacks: {} } },
            `${P}:platformStack: got "dev-platform", expected a platform stack (layer platform) that has been deployed: it has no target or tenants output`,
        );
    });

    it("a platform in another region than the app's", async () => {
        await refusal(
            "dev-web",
            { overrides: { "aws:region": "eu-west-1" } },
            "aws:region: got eu-west-1, expected us-west-2, the region of platformStack dev-platform's cluster",
        );
    });

    it("a platform of another target than the app's", async () => {
        await refusal(
            "dev-web",
            { overrides: { [`${P}:target`]: "local" } },
            `${P}:target: got "local", expected "eks", the target of platformStack dev-platform: an app deploys where its platform is`,
        );
    });
});

describe("an app's share of the platform", () => {
    it("two apps share one cluster: neither makes a VPC, a NAT gateway or a node", async () => {
        for (const stack of ["dev-web", "dev-api"]) {
            const run = await okRun(stack);
            for (const type of [
                "aws:ec2/vpc:Vpc",
                "aws:ec2/natGateway:NatGateway",
                "aws:eks/nodeGroup:NodeGroup",
            ])
                assert.equal(all(run, type).length, 0, `${stack} ${type}`);
        }
    });
});
