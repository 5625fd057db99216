import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { APP_PORT, APP_UID, MAX_GUNICORN_WORKERS, gunicornWorkers } from "../../../components/app/pod";
import { NLB_DEREGISTRATION_SECONDS } from "../../../components/app/shutdown";
import { ROOT, loadStackConfig } from "../../../offline/stack-config";
import { P, eksStacks, inputs, okRun, one } from "../../helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`the pod (${stack})`, () => {
        it("names the container's two ports: the app's, which the Service targets by name, and its metrics'", async () => {
            const [container] = inputs(one(await okRun(stack), DEPLOYMENT)).spec.template.spec.containers;
            assert.deepEqual(container.ports, [
                { name: "http", containerPort: 8080 },
                { name: "metrics", containerPort: 9090 },
            ]);
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
