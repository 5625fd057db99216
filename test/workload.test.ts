import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
    APP_PORT,
    APP_UID,
    MAX_GUNICORN_WORKERS,
    gunicornWorkers,
    METRICS_PORT,
} from "../components/app/pod";
import { ingressSources } from "../components/app/networkpolicies";
import { NLB_DEREGISTRATION_SECONDS } from "../components/app/shutdown";
import { subnetCidr } from "../components/platform/network";
import { isSecretValue, runStack } from "../offline";
import { manifestsOf, validateManifests } from "../offline/manifests";
import { ROOT, loadStackConfig } from "../offline/stack-config";
import { P, all, eksStacks, inputs, okRun, one, policiesOf, providerUrn, waitsFor } from "./helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`app (${stack})`, () => {
        it("runs exactly the image digest the stack built, and the Deployment depends on the image", async () => {
            const run = await okRun(stack);
            const image = one(run, "docker:index/image:Image");
            const deployment = one(run, DEPLOYMENT);
            const [container] = inputs(deployment).spec.template.spec.containers;
            assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
            assert.equal(container.image, run.outputs.imageRef);
            assert.equal(container.image, image.id);
            assert.ok(deployment.propertyDependencies.spec.includes(image.urn));
            assert.ok(deployment.dependencies.includes(image.urn));
        });

        it("selects the Deployment's pods by the pod-template labels, and targets the container port by name", async () => {
            const run = await okRun(stack);
            const deployment = one(run, DEPLOYMENT);
            const service = one(run, SERVICE);
            const template = inputs(deployment).spec.template;
            assert.deepEqual(inputs(service).spec.selector, template.metadata.labels);
            assert.ok(
                service.propertyDependencies.spec.includes(deployment.urn),
                "selector flows from the Deployment",
            );
            assert.deepEqual(template.spec.containers[0].ports, [APP_PORT, METRICS_PORT]);
            // Only the app's port: the metrics port is never behind the load balancer.
            assert.deepEqual(
                inputs(service).spec.ports.map((p: { targetPort: string }) => p.targetPort),
                [APP_PORT.name],
            );
        });

        it("sends every Kubernetes object through the cluster's provider, which waits for the node group", async () => {
            const run = await okRun(stack);
            const provider = one(run, "pulumi:providers:kubernetes");
            const objects = run.registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
            // Two NetworkPolicies and the Helm releases of the Cluster Autoscaler, cert-manager and the
            // Load Balancer Controller besides the app's six.
            assert.equal(objects.length, 11);
            for (const r of objects)
                assert.equal(providerUrn(r.provider), provider.urn, `${r.type} ${r.name}`);
            assert.ok(waitsFor(run, provider, one(run, "aws:eks/nodeGroup:NodeGroup")));
        });

        it("denies all traffic in the namespace but the app's port from the load balancer's sources, and DNS", async () => {
            const run = await okRun(stack);
            const policies = Object.fromEntries(
                all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => [
                    p.name,
                    inputs(p).spec,
                ]),
            );
            assert.deepEqual(policies["default-deny"], {
                podSelector: {},
                policyTypes: ["Ingress", "Egress"],
            });
            const web = policies.web;
            // Both in the app's namespace, by their names; the app's selects the Deployment's pods.
            const deployment = inputs(one(run, "kubernetes:apps/v1:Deployment"));
            for (const p of all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy"))
                assert.deepEqual(
                    [inputs(p).metadata.name, inputs(p).metadata.namespace],
                    [p.name, deployment.metadata.namespace],
                );
            assert.deepEqual(web.podSelector, { matchLabels: deployment.spec.template.metadata.labels });
            assert.deepEqual(web.policyTypes, ["Ingress", "Egress"]);
            // Clients keep their addresses through the NLB: the world, but not the VPC, where every pod
            // has its address. Health checks come from the NLB's own addresses in the public subnets.
            const vpcCidr = inputs(one(run, "aws:ec2/vpc:Vpc")).cidrBlock;
            const publicSubnets = Array.from({ length: Number(config[`${P}:azCount`]) }, (_, i) =>
                subnetCidr(vpcCidr, "public", i),
            );
            assert.deepEqual(JSON.parse(config[`${P}:lbSourceRanges`]), ["0.0.0.0/0"]);
            assert.deepEqual(web.ingress[0].from, [
                { ipBlock: { cidr: "0.0.0.0/0", except: [vpcCidr] } },
                ...publicSubnets.map((cidr) => ({ ipBlock: { cidr } })),
            ]);
            assert.deepEqual(web.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
            assert.equal(web.egress.length, 1, "DNS only");
            assert.deepEqual(web.egress[0].to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
            // EKS enforces NetworkPolicy only through the VPC CNI's network policy agent.
            const cni = all(run, "aws:eks/addon:Addon").find((a) => a.name === "vpc-cni")!;
            assert.deepEqual(JSON.parse(inputs(cni).configurationValues), { enableNetworkPolicy: "true" });
        });

        it("enforces the restricted Pod Security Standard on the namespace", async () => {
            const ns = inputs(one(await okRun(stack), "kubernetes:core/v1:Namespace"));
            assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.equal(ns.metadata.name, "flask-app");
        });

        it("labels the namespace for the controller's readiness gates: a pod is ready once the NLB finds it healthy", async () => {
            const ns = inputs(one(await okRun(stack), "kubernetes:core/v1:Namespace"));
            assert.equal(ns.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        });

        it("gives the service account an IRSA role scoped to this namespace and account, with no permissions", async () => {
            const run = await okRun(stack);
            const sa = inputs(one(run, "kubernetes:core/v1:ServiceAccount"));
            const role = one(run, "aws:iam/role:Role", "web-role");
            assert.equal(sa.automountServiceAccountToken, false);
            assert.equal(
                sa.metadata.annotations["eks.amazonaws.com/role-arn"],
                `arn:aws:iam::123456789012:role/${role.id}`,
            );
            const trust = JSON.parse(inputs(role).assumeRolePolicy);
            const oidc = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
            const issuer = inputs(oidc).url.replace("https://", "");
            assert.equal(trust.Statement[0].Principal.Federated, oidc.id);
            assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
                [`${issuer}:aud`]: "sts.amazonaws.com",
                [`${issuer}:sub`]: `system:serviceaccount:flask-app:${sa.metadata.name}`,
            });
            assert.deepEqual(policiesOf(run, "web-role"), []);
            assert.equal(
                inputs(one(run, DEPLOYMENT)).spec.template.spec.serviceAccountName,
                sa.metadata.name,
            );
        });

        it("sizes and probes the pod from config", async () => {
            const spec = inputs(one(await okRun(stack), DEPLOYMENT)).spec;
            // The HPA owns the count: the Deployment declares none, so no up or refresh fights it.
            assert.equal(spec.replicas, undefined);
            const [c] = spec.template.spec.containers;
            assert.deepEqual(c.resources, {
                requests: {
                    cpu: config[`${P}:workloadCpuRequest`],
                    memory: config[`${P}:workloadMemoryRequest`],
                    // Node disk: the kubelet's rotated log (5 x 10 MiB) and room between rotations.
                    "ephemeral-storage": "64Mi",
                },
                limits: { memory: config[`${P}:workloadMemoryLimit`], "ephemeral-storage": "256Mi" },
            });
            // A release that does not become ready fails the up within the stack's bound, both the
            // Deployment's progress deadline and Pulumi's own wait (not the provider's 10 minutes).
            const rollout = Number(config[`${P}:workloadRolloutTimeoutSeconds`]);
            assert.ok(rollout >= 30, `${rollout}`);
            assert.equal(spec.progressDeadlineSeconds, rollout);
            const { customTimeouts } = one(await okRun(stack), DEPLOYMENT).options;
            assert.deepEqual(customTimeouts, { create: `${rollout}s`, update: `${rollout}s`, delete: "" });
            assert.equal(c.readinessProbe.httpGet.path, "/readyz");
            assert.equal(c.livenessProbe.httpGet.path, "/healthz");
            assert.equal(c.startupProbe.httpGet.path, "/healthz");
            for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe])
                assert.equal(probe.httpGet.port, APP_PORT.name);
        });

        it("meets the restricted Pod Security Standard with the Dockerfile's UID", async () => {
            const pod = inputs(one(await okRun(stack), DEPLOYMENT)).spec.template.spec;
            const dockerfile = fs.readFileSync(path.join(ROOT, "app", "Dockerfile"), "utf8");
            assert.match(dockerfile, new RegExp(`^USER ${APP_UID}:${APP_UID}$`, "m"));
            assert.equal(pod.securityContext.runAsNonRoot, true);
            assert.equal(pod.securityContext.runAsUser, APP_UID);
            assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
            const [c] = pod.containers;
            assert.equal(c.securityContext.allowPrivilegeEscalation, false);
            assert.equal(c.securityContext.readOnlyRootFilesystem, true);
            assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
            assert.deepEqual(c.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
            assert.ok(pod.volumes.find((v: { name: string }) => v.name === "tmp").emptyDir);
            assert.equal(pod.automountServiceAccountToken, false);
        });

        it("rolls out with no capacity lost, serves until the NLB lets go, then drains within the grace period", async () => {
            const run = await okRun(stack);
            const spec = inputs(one(run, DEPLOYMENT)).spec;
            assert.deepEqual(spec.strategy, {
                type: "RollingUpdate",
                rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
            });
            const pod = spec.template.spec;
            const [c] = pod.containers;
            const env = Object.fromEntries(
                c.env
                    .filter((e: { value?: string }) => e.value)
                    .map((e: { name: string; value: string }) => [e.name, Number(e.value)]),
            );
            const preStop = c.lifecycle.preStop.sleep.seconds;
            // An NLB goes on opening connections to a deregistered target for about two minutes.
            assert.equal(preStop, 120);
            assert.ok(preStop >= NLB_DEREGISTRATION_SECONDS);
            assert.deepEqual([env.DRAIN_SECONDS, env.GRACEFUL_TIMEOUT], [5, 20]);
            const serving = preStop + env.DRAIN_SECONDS + env.GRACEFUL_TIMEOUT;
            assert.equal(pod.terminationGracePeriodSeconds, serving + 5);
            // The NLB keeps a draining pod's connections exactly as long as the pod may still serve them.
            const attributes = inputs(one(run, SERVICE)).metadata.annotations[
                "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"
            ];
            assert.ok(attributes.includes(`deregistration_delay.timeout_seconds=${serving},`), attributes);
        });

        it("spreads pods across zones", async () => {
            const { template } = inputs(one(await okRun(stack), DEPLOYMENT)).spec;
            const zone = template.spec.topologySpreadConstraints.find(
                (t: { topologyKey: string }) => t.topologyKey === "topology.kubernetes.io/zone",
            );
            assert.equal(zone.maxSkew, 1);
            assert.deepEqual(zone.labelSelector.matchLabels, template.metadata.labels);
            // Then across nodes; both soft, so a zone or node short of room delays no pod.
            assert.deepEqual(
                template.spec.topologySpreadConstraints.map(
                    (t: { topologyKey: string; whenUnsatisfiable: string }) => [
                        t.topologyKey,
                        t.whenUnsatisfiable,
                    ],
                ),
                [
                    ["topology.kubernetes.io/zone", "ScheduleAnyway"],
                    ["kubernetes.io/hostname", "ScheduleAnyway"],
                ],
            );
        });

        it("names the Deployment, its container, the Service and the service account web, labels pods as the app, and tells each pod its name", async () => {
            const run = await okRun(stack);
            const deployment = inputs(one(run, DEPLOYMENT));
            const pod = deployment.spec.template.spec;
            // The IRSA role trusts flask-app:web: a generated name would not match it.
            assert.equal(inputs(one(run, "kubernetes:core/v1:ServiceAccount")).metadata.name, "web");
            assert.deepEqual(
                [deployment.metadata.name, pod.containers[0].name, inputs(one(run, SERVICE)).metadata.name],
                ["web", "web", "web"],
            );
            assert.deepEqual(deployment.spec.template.metadata.labels, {
                "app.kubernetes.io/name": "flask-app",
                "app.kubernetes.io/component": "web",
            });
            assert.deepEqual(pod.containers[0].env[0], {
                name: "POD_NAME",
                valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
            });
            // The one writable path (the root filesystem is read-only): in memory and bounded, so a
            // runaway write fills 64Mi of the pod's memory, not the node's disk.
            assert.deepEqual(pod.volumes, [
                { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
            ]);
        });

        it("asks the AWS Load Balancer Controller for an internet-facing NLB in the public subnets, with pod IP targets, health-checking /readyz", async () => {
            const run = await okRun(stack);
            const service = inputs(one(run, SERVICE));
            assert.equal(service.spec.type, "LoadBalancer");
            const prefix = "service.beta.kubernetes.io/aws-load-balancer";
            assert.deepEqual(service.metadata.annotations, {
                [`${prefix}-type`]: "external",
                [`${prefix}-nlb-target-type`]: "ip",
                [`${prefix}-scheme`]: "internet-facing",
                [`${prefix}-subnets`]: all(run, "aws:ec2/subnet:Subnet")
                    .filter((s) => inputs(s).tags["kubernetes.io/role/elb"])
                    .map((s) => s.id)
                    .join(","),
                [`${prefix}-target-group-attributes`]:
                    "preserve_client_ip.enabled=true,deregistration_delay.timeout_seconds=145," +
                    "deregistration_delay.connection_termination.enabled=true",
                [`${prefix}-attributes`]: `load_balancing.cross_zone.enabled=${config[`${P}:lbCrossZone`]}`,
                [`${prefix}-healthcheck-protocol`]: "HTTP",
                [`${prefix}-healthcheck-path`]: "/readyz",
                [`${prefix}-healthcheck-port`]: "traffic-port",
                [`${prefix}-healthcheck-interval`]: "10",
                [`${prefix}-healthcheck-timeout`]: "6",
                [`${prefix}-healthcheck-healthy-threshold`]: "2",
                [`${prefix}-healthcheck-unhealthy-threshold`]: "2",
            });
            // The NLB's security group admits only these clients.
            assert.deepEqual(
                service.spec.loadBalancerSourceRanges,
                JSON.parse(config[`${P}:lbSourceRanges`]),
            );
        });

        it("makes the Service after the controller and deletes it (and its NLB) before the controller goes", async () => {
            const run = await okRun(stack);
            const service = one(run, SERVICE);
            const controller = one(run, "kubernetes:helm.sh/v3:Release", "lb-controller");
            // Pulumi deletes in the reverse order of dependencies: the Service while the controller runs.
            assert.ok(service.dependencies.includes(controller.urn));
            assert.ok(
                waitsFor(run, controller, one(run, "aws:iam/rolePolicy:RolePolicy", "lb-controller-policy")),
            );
        });

        it("replaces the Service rather than hand it to another controller in place, which would leak the old NLB", async () => {
            const service = one(await okRun(stack), SERVICE);
            assert.deepEqual(service.options.replaceOnChanges, [
                'metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]',
            ]);
            // Same name: the old one must go first.
            assert.equal(service.options.deleteBeforeReplace, true);
        });

        it("guards the pods with a PDB and scales them with a CPU HPA inside the configured bounds", async () => {
            const run = await okRun(stack);
            const deployment = inputs(one(run, DEPLOYMENT));
            const pdb = inputs(one(run, "kubernetes:policy/v1:PodDisruptionBudget"));
            assert.deepEqual(pdb.spec.selector, deployment.spec.selector);
            assert.equal(pdb.spec.maxUnavailable, 1);
            const hpa = inputs(one(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"));
            assert.deepEqual(hpa.spec.scaleTargetRef, {
                apiVersion: "apps/v1",
                kind: "Deployment",
                name: deployment.metadata.name,
            });
            assert.equal(hpa.spec.minReplicas, Number(config[`${P}:workloadMinReplicas`]));
            assert.equal(hpa.spec.maxReplicas, Number(config[`${P}:workloadMaxReplicas`]));
            assert.deepEqual(hpa.spec.metrics[0].resource, {
                name: "cpu",
                target: { type: "Utilization", averageUtilization: 70 },
            });
            assert.deepEqual(one(run, DEPLOYMENT).options.ignoreChanges, []);
        });

        it("exports url, a secret kubeconfig, clusterName, imageRef and namespace", async () => {
            const run = await okRun(stack);
            assert.match(
                String(run.outputs.url),
                new RegExp(`^http://[a-z0-9-]+\\.elb\\.${config["aws:region"]}\\.amazonaws\\.com$`),
            );
            assert.ok(isSecretValue(run.outputs.kubeconfig));
            assert.equal(run.outputs.clusterName, `${P}-${stack}`);
            assert.equal(run.outputs.namespace, "flask-app");
            assert.ok(String(run.outputs.imageRef).includes("@sha256:"));
        });

        it("registers Kubernetes objects that validate against the official schemas for the cluster's version", async () => {
            const run = await okRun(stack);
            const result = validateManifests(manifestsOf(run), config[`${P}:kubernetesVersion`]);
            assert.ok(result.ok, result.output);
        });
    });
}

describe("gunicorn workers", () => {
    it("are one per requested CPU, rounded up, and at least two", () => {
        const cases: [string, number][] = [
            ["250m", 2],
            ["1", 2],
            ["2", 2],
            ["2001m", 3],
            ["3.5", 4],
            ["16", 16],
        ];
        for (const [request, workers] of cases) assert.equal(gunicornWorkers(request), workers, request);
    });

    it("are bounded by config where the app's WEB_CONCURRENCY range ends", () => {
        const settings = fs.readFileSync(path.join(ROOT, "app", "server", "settings.py"), "utf8");
        const bound = /integer\("WEB_CONCURRENCY", .*, 1, (\d+)\)/.exec(settings);
        assert.equal(Number(bound?.[1]), MAX_GUNICORN_WORKERS);
    });

    it("reach the container as WEB_CONCURRENCY, from the pod's CPU request rather than the node's size", async () => {
        const workersOf = async (cpu: string) => {
            // On 4-vCPU nodes, with room for the largest request at the HPA's maximum.
            const run = await okRun("dev", {
                overrides: {
                    [`${P}:workloadCpuRequest`]: cpu,
                    [`${P}:instanceTypes`]: '["m6i.xlarge"]',
                    [`${P}:nodeMaxSize`]: "6",
                },
            });
            const [c] = inputs(one(run, DEPLOYMENT)).spec.template.spec.containers;
            return c.env.find((e: { name: string }) => e.name === "WEB_CONCURRENCY")?.value;
        };
        assert.equal(await workersOf("250m"), "2");
        assert.equal(await workersOf("3500m"), "4");
    });
});

describe("schema validation", () => {
    it("catches a field the schema does not know", async () => {
        const manifests = manifestsOf(await okRun("dev"));
        const deployment = manifests.find((m) => m.kind === "Deployment")!;
        const pod = deployment.spec as { template: { spec: { containers: object[] } } };
        Object.assign(pod.template.spec.containers[0], { imagePullPolicyy: "Always" });
        const result = validateManifests(manifests, "1.33");
        assert.equal(result.ok, false);
        assert.match(result.output, /imagePullPolicyy/);
    });
});

describe("TLS on the load balancer", () => {
    const arn = "arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

    it("with a certificate, the NLB terminates TLS on 443 with a TLS 1.3/1.2 policy, and the url is https", async () => {
        const run = await okRun("dev", { overrides: { [`${P}:tlsCertificateArn`]: arn } });
        const service = inputs(one(run, "kubernetes:core/v1:Service"));
        assert.deepEqual(service.spec.ports, [
            { name: "https", port: 443, targetPort: "http", protocol: "TCP" },
        ]);
        const annotations = service.metadata.annotations;
        assert.equal(annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"], arn);
        // The controller matches ssl-ports against the port's name (or number).
        assert.equal(annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"], "https");
        assert.equal(
            annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"],
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        );
        assert.match(String(run.outputs.url), /^https:\/\//);
        const result = validateManifests(manifestsOf(run), "1.35");
        assert.ok(result.ok, result.output);
    });

    it("without one, plain HTTP on 80 and no TLS annotation", async () => {
        const run = await okRun("dev");
        const service = inputs(one(run, "kubernetes:core/v1:Service"));
        assert.deepEqual(
            service.spec.ports.map((p: { port: number }) => p.port),
            [80],
        );
        assert.ok(!Object.keys(service.metadata.annotations).some((k) => k.includes("ssl")));
        assert.match(String(run.outputs.url), /^http:\/\//);
    });

    it("is refused on the local target, whose load balancer takes no ACM certificate", async () => {
        const run = await runStack("local", { overrides: { [`${P}:tlsCertificateArn`]: arn } });
        assert.match(
            run.error!.message,
            /tlsCertificateArn: got .*, expected empty: the local target's load balancer/,
        );
    });
});

describe("where the app's port admits traffic from", () => {
    const nlb = { vpcCidrs: ["10.30.0.0/16"], subnetCidrs: ["10.30.192.0/22", "10.30.196.0/22"] };

    it("behind an NLB: a client range holding the VPC, less the VPC, and the NLB's subnets", () => {
        assert.deepEqual(ingressSources(["0.0.0.0/0"], nlb), [
            { cidr: "0.0.0.0/0", except: ["10.30.0.0/16"] },
            { cidr: "10.30.192.0/22" },
            { cidr: "10.30.196.0/22" },
        ]);
    });

    it("behind an NLB: less every CIDR of the VPC that the range holds", () => {
        const twoCidrs = { ...nlb, vpcCidrs: ["10.30.0.0/16", "100.64.0.0/16"] };
        assert.deepEqual(ingressSources(["0.0.0.0/0", "10.0.0.0/8"], twoCidrs).slice(0, 2), [
            { cidr: "0.0.0.0/0", except: ["10.30.0.0/16", "100.64.0.0/16"] },
            { cidr: "10.0.0.0/8", except: ["10.30.0.0/16"] },
        ]);
    });

    it("behind an NLB: a client range inside any CIDR of the VPC left out", () => {
        const twoCidrs = { ...nlb, vpcCidrs: ["10.30.0.0/16", "100.64.0.0/16"] };
        assert.deepEqual(ingressSources(["100.64.1.0/24", "203.0.113.0/24"], twoCidrs).slice(0, 2), [
            { cidr: "203.0.113.0/24" },
            { cidr: "10.30.192.0/22" },
        ]);
    });

    it("behind an NLB: a client range apart from the VPC as it is; one inside it, or the VPC itself, left out", () => {
        assert.deepEqual(ingressSources(["203.0.113.0/24", "10.30.0.0/16", "10.30.64.0/18"], nlb), [
            { cidr: "203.0.113.0/24" },
            { cidr: "10.30.192.0/22" },
            { cidr: "10.30.196.0/22" },
        ]);
    });

    it("without one (the local target): the client ranges alone", () => {
        assert.deepEqual(ingressSources(["127.0.0.0/8"]), [{ cidr: "127.0.0.0/8" }]);
    });
});

describe("the app's settings in the pod", () => {
    const settings = {
        overrides: { [`${P}:appEnv`]: '{"ZED":"1","ALPHA":"2"}' },
        secrets: { [`${P}:appSecrets`]: '{"Z_TOKEN":"z","A_TOKEN":"a"}' },
    };

    it("lists appEnv, then appSecrets, each in name order whatever the config's: reordering keys rolls no pod", async () => {
        const [c] = inputs(one(await okRun("dev", settings), DEPLOYMENT)).spec.template.spec.containers;
        const names = c.env.map((e: { name: string }) => e.name);
        assert.deepEqual(names.slice(names.indexOf("APP_MODULE") + 1), [
            "ALPHA",
            "ZED",
            "A_TOKEN",
            "Z_TOKEN",
        ]);
    });

    it("keeps the secrets in an Opaque Secret labelled as the app's, made anew before the old one goes", async () => {
        const secret = one(await okRun("dev", settings), "kubernetes:core/v1:Secret");
        assert.equal(inputs(secret).type, "Opaque");
        assert.deepEqual(inputs(secret).metadata.labels, {
            "app.kubernetes.io/name": "flask-app",
            "app.kubernetes.io/component": "web",
        });
        // Running pods refer to the old Secret until the rollout replaces them.
        assert.equal(secret.options.deleteBeforeReplace, false);
    });
});
