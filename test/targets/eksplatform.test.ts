import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unwrapSecrets } from "../../offline";
import { deliveryNames } from "../../config/delivery";
import { PLATFORM_OUTPUTS } from "../../targets/contract";
import { P, all, inputs, okRun } from "../helpers";

// targets/eksplatform.ts: an environment's shared part (dev-platform), under the mocks.

const ROLE = "arn:aws:iam::123456789012:role/deploy-web";

describe("the platform stack on EKS", () => {
    it("makes the network, the cluster, its nodes and add-ons, and no app of its own", async () => {
        const run = await okRun("dev-platform");
        for (const type of ["aws:ec2/vpc:Vpc", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup"])
            assert.equal(all(run, type).length, 1, type);
        assert.equal(all(run, "kubernetes:helm.sh/v3:Release").length, 3);
        for (const type of [
            "kubernetes:apps/v1:Deployment",
            "aws:ecr/repository:Repository",
            "docker:index/image:Image",
        ])
            assert.equal(all(run, type).length, 0, type);
    });

    it("lends each tenant a namespace with its quota, through the cluster's provider", async () => {
        const run = await okRun("dev-platform");
        const quotas = all(run, "kubernetes:core/v1:ResourceQuota").map((q) => [
            inputs(q).metadata.namespace,
            inputs(q).spec.hard["requests.cpu"],
            inputs(q).spec.hard.pods,
        ]);
        assert.deepEqual(quotas.sort(), [
            ["api", "1500m", "10"],
            ["web", "1500m", "10"],
        ]);
        const provider = all(run, "pulumi:providers:kubernetes")[0];
        for (const namespace of all(run, "kubernetes:core/v1:Namespace"))
            assert.ok(namespace.provider!.startsWith(`${provider.urn}::`));
    });

    it("lets a tenant's deploy roles into its namespace, and only those it names", async () => {
        const tenants = {
            web: { cpu: "1500m", memory: "2Gi", pods: 10, deployRoleArns: [ROLE] },
            api: { cpu: "1500m", memory: "2Gi", pods: 10 },
        };
        // Without deployStacks: the roles named, and no other.
        const run = await okRun("dev-platform", { overrides: { [`${P}:tenants`]: JSON.stringify(tenants) } });
        const scoped = all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter(
            (a) => inputs(a).accessScope.type === "namespace",
        );
        assert.deepEqual(
            scoped.map((a) => [
                inputs(a).principalArn,
                inputs(a).accessScope.namespaces,
                inputs(a).policyArn,
            ]),
            [[ROLE, ["web"], "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"]],
        );
    });

    it("lets each app stack's bootstrap roles into its tenant's namespace: the deploy role to edit, the preview role to view", async () => {
        const run = await okRun("dev-platform");
        const scoped = all(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
            .filter((a) => inputs(a).accessScope.type === "namespace")
            .map((a) => [
                inputs(a).principalArn,
                inputs(a).accessScope.namespaces[0],
                String(inputs(a).policyArn).split("/").pop(),
            ]);
        const role = (stack: string, kind: "deployRole" | "previewRole") =>
            `arn:aws:iam::123456789012:role/${deliveryNames(P, stack)[kind]}`;
        assert.deepEqual(
            scoped.sort(),
            [
                [role("dev-api", "deployRole"), "api", "AmazonEKSEditPolicy"],
                [role("dev-api", "previewRole"), "api", "AmazonEKSViewPolicy"],
                [role("dev-web", "deployRole"), "web", "AmazonEKSEditPolicy"],
                [role("dev-web", "previewRole"), "web", "AmazonEKSViewPolicy"],
            ].sort(),
        );
    });

    it("exports the contract its apps read, and the kubeconfig as a secret", async () => {
        const run = await okRun("dev-platform");
        for (const name of PLATFORM_OUTPUTS) assert.ok(run.outputs[name] !== undefined, name);
        assert.deepEqual(run.outputs.tenants, {
            api: { namespace: "api", cpu: "1500m", memory: "2Gi", pods: 10, host: "api.dev.example.com" },
            web: { namespace: "web", cpu: "1500m", memory: "2Gi", pods: 10 },
        });
        assert.deepEqual(run.outputs.sharedEntry, {
            className: "shared",
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
            sourceRanges: ["0.0.0.0/0"],
        });
        assert.equal(run.outputs.nodeArchitecture, "amd64");
        assert.notEqual(
            unwrapSecrets(run.outputs.kubeconfig, "[secret]"),
            unwrapSecrets(run.outputs.kubeconfig),
        );
    });
});

describe("the platform stack on EKS: its shared entry", () => {
    it("an IngressClass whose parameters fix the ALB: internet-facing, the public subnets, the platform's ranges, TLS with the wildcard's certificate, IP targets", async () => {
        const run = await okRun("dev-platform", {
            overrides: { [`${P}:lbSourceRanges`]: JSON.stringify(["203.0.113.0/24"]) },
        });
        const [params] = all(run, "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams").map(inputs);
        const [certificate] = all(run, "aws:acm/certificate:Certificate").map(inputs);
        assert.equal(certificate.domainName, "*.dev.example.com");
        assert.deepEqual(params.spec, {
            namespaceSelector: { matchLabels: { "flask-eks/entry": "shared" } },
            group: { name: "shared" },
            scheme: "internet-facing",
            ipAddressType: "ipv4",
            subnets: { ids: unwrapSecrets(run.outputs.publicSubnetIds) },
            inboundCIDRs: ["203.0.113.0/24"],
            certificateArn: [params.spec.certificateArn[0]],
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            targetType: "ip",
            loadBalancerAttributes: [
                { key: "routing.http.drop_invalid_header_fields.enabled", value: "true" },
            ],
        });
        assert.match(params.spec.certificateArn[0], /^arn:aws:acm:/);
        const [ingressClass] = all(run, "kubernetes:networking.k8s.io/v1:IngressClass").map(inputs);
        assert.deepEqual(ingressClass.spec, {
            controller: "ingress.k8s.aws/alb",
            parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: "shared" },
        });
    });

    it("labels each tenant's namespace with its entry, lends a shared one its host and no load balancer of its own", async () => {
        const run = await okRun("dev-platform");
        const namespaces = Object.fromEntries(
            all(run, "kubernetes:core/v1:Namespace").map((n) => [
                inputs(n).metadata.name,
                [
                    inputs(n).metadata.labels["flask-eks/entry"],
                    inputs(n).metadata.annotations?.["flask-eks/host"],
                ],
            ]),
        );
        assert.deepEqual(namespaces, { api: ["shared", "api.dev.example.com"], web: ["own", undefined] });
        // Both behind an NLB's or the ALB's IP targets: a pod is ready once its target is healthy.
        for (const n of all(run, "kubernetes:core/v1:Namespace"))
            assert.equal(inputs(n).metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        const loadBalancers = Object.fromEntries(
            all(run, "kubernetes:core/v1:ResourceQuota").map((q) => [
                inputs(q).metadata.namespace,
                inputs(q).spec.hard["services.loadbalancers"],
            ]),
        );
        assert.deepEqual(loadBalancers, { api: "0", web: "1" });
    });

    it("without a shared entry: no ALB, no certificate, yet the admission policies over tenants' Ingresses and Services", async () => {
        const tenants = { web: { cpu: "1", memory: "1Gi" } };
        const run = await okRun("dev-platform", {
            overrides: {
                [`${P}:sharedEntryDomain`]: "",
                [`${P}:sharedEntryZoneId`]: "",
                [`${P}:tenants`]: JSON.stringify(tenants),
            },
        });
        for (const type of [
            "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
            "kubernetes:networking.k8s.io/v1:IngressClass",
            "aws:acm/certificate:Certificate",
        ])
            assert.equal(all(run, type).length, 0, type);
        assert.deepEqual(
            all(run, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy")
                .map((p) => inputs(p).metadata.name)
                .sort(),
            ["tenant-ingresses", "tenant-services"],
        );
        // Held to the shared class, and never holding back the controller's own updates.
        const ingresses = inputs(
            all(run, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").find(
                (p) => inputs(p).metadata.name === "tenant-ingresses",
            )!,
        ).spec;
        assert.ok(
            ingresses.validations.some((v: { expression: string }) =>
                v.expression.includes("object.spec.ingressClassName == 'shared'"),
            ),
        );
        assert.deepEqual(
            ingresses.matchConditions.map((c: { name: string }) => c.name),
            ["not-being-deleted", "not-the-controller"],
        );
        assert.equal(run.outputs.sharedEntry, undefined);
    });
});
