// The pod rules of policy/kubernetes.ts (images by digest, resources, probes, the restricted pod
// security standard, no host access): each broken once on a real stack's graph, on every workload
// kind, what a violation says, and workloads the program does not make.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RunResult } from "../../../offline";
import { okRun } from "../../helpers";
import {
    Inputs,
    Message,
    POD_RULES,
    Regression,
    broken,
    firing,
    itCatchesEachRegression,
    itSaysEachMessage,
    pod,
    withResource,
} from "../helpers";

// Each mandatory rule, broken once on a real stack's graph: the rule must fire, and only it.
const regressions: Regression[] = [
    [
        "k8s-images-by-digest",
        "dev",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).containers[0].image = "nginx:latest")),
    ],
    [
        "k8s-resources-set",
        "dev",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).containers[0].resources.limits),
    ],
    [
        "k8s-probes-set",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).containers[0].livenessProbe),
    ],
    [
        "k8s-restricted-pod-security",
        "dev",
        (r) =>
            broken(
                r,
                "kubernetes:apps/v1:Deployment",
                (i) => (pod(i).containers[0].securityContext.allowPrivilegeEscalation = true),
            ),
    ],
    [
        "k8s-restricted-pod-security",
        "prod",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).securityContext.seccompProfile),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).hostNetwork = true)),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) =>
                pod(i).volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }),
            ),
    ],
    // ---- each check inside a rule, once: a rule that stops checking one thing fails here ----
    ...(
        [
            [
                "runAsNonRoot unset in the container and the pod",
                (i: Inputs) => {
                    delete pod(i).containers[0].securityContext.runAsNonRoot;
                    delete pod(i).securityContext.runAsNonRoot;
                },
            ],
            [
                "capabilities that do not drop ALL",
                (i: Inputs) => (pod(i).containers[0].securityContext.capabilities.drop = ["NET_RAW"]),
            ],
            // Unset, not false: the namespace's Pod Security level does not require it, so only the pack does.
            [
                "readOnlyRootFilesystem unset",
                (i: Inputs) => delete pod(i).containers[0].securityContext.readOnlyRootFilesystem,
            ],
            [
                "seccomp Unconfined in the container",
                (i: Inputs) => (pod(i).containers[0].securityContext.seccompProfile = { type: "Unconfined" }),
            ],
            [
                "an init container that may escalate",
                (i: Inputs) =>
                    (pod(i).initContainers = [
                        {
                            ...structuredClone(pod(i).containers[0]),
                            name: "init",
                            securityContext: {
                                ...pod(i).containers[0].securityContext,
                                allowPrivilegeEscalation: true,
                            },
                        },
                    ]),
            ],
        ] as [string, (i: Inputs) => void][]
    ).map(([, change]): [string, string, (run: RunResult) => RunResult] => [
        "k8s-restricted-pod-security",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", change),
    ]),
    [
        "k8s-resources-set",
        "dev",
        (r) =>
            broken(
                r,
                "kubernetes:apps/v1:Deployment",
                (i) => delete pod(i).containers[0].resources.requests.cpu,
            ),
    ],
    [
        "k8s-resources-set",
        "dev",
        (r) =>
            broken(
                r,
                "kubernetes:apps/v1:Deployment",
                (i) => delete pod(i).containers[0].resources.requests.memory,
            ),
    ],
    [
        "k8s-probes-set",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).containers[0].readinessProbe),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).hostPID = true)),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).hostIPC = true)),
    ],
    [
        "k8s-no-host-access",
        "dev",
        (r) =>
            broken(
                r,
                "kubernetes:apps/v1:Deployment",
                (i) => (pod(i).containers[0].securityContext.privileged = true),
            ),
    ],
    [
        "k8s-images-by-digest",
        "dev",
        // 65 hex digits: not a digest, however close.
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => (pod(i).containers[0].image += "0")),
    ],
];

describe("policy pack: each mandatory rule catches its regression", () => {
    itCatchesEachRegression(regressions, POD_RULES);

    it("k8s-restricted-pod-security takes runAsNonRoot and seccomp from the container or the pod", async () => {
        for (const [podLevel, containerLevel] of [
            [{ seccompProfile: { type: "RuntimeDefault" } }, { runAsNonRoot: true }],
            [{ runAsNonRoot: true }, { seccompProfile: { type: "RuntimeDefault" } }],
        ]) {
            const run = broken(await okRun("dev"), "kubernetes:apps/v1:Deployment", (i) => {
                const container = pod(i).containers[0];
                const { runAsNonRoot: _r, seccompProfile: _s, ...rest } = container.securityContext;
                pod(i).securityContext = podLevel;
                container.securityContext = { ...rest, ...containerLevel };
            });
            assert.deepEqual(await firing(run, "dev"), [], JSON.stringify(podLevel));
        }
    });

    // The pod rules read every workload kind's pod spec, each kind from where it keeps it.
    for (const [type, wrap] of [
        ["kubernetes:apps/v1:StatefulSet", (spec: Inputs) => ({ spec: { template: { spec } } })],
        ["kubernetes:apps/v1:DaemonSet", (spec: Inputs) => ({ spec: { template: { spec } } })],
        ["kubernetes:batch/v1:Job", (spec: Inputs) => ({ spec: { template: { spec } } })],
        [
            "kubernetes:batch/v1:CronJob",
            (spec: Inputs) => ({ spec: { jobTemplate: { spec: { template: { spec } } } } }),
        ],
        ["kubernetes:core/v1:Pod", (spec: Inputs) => ({ spec })],
    ] as [string, (spec: Inputs) => Inputs][]) {
        it(`the pod rules check a ${type.split(":").pop()}'s pod spec`, async () => {
            const run = await okRun("dev");
            const deployment = run.registrations.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
            const withWorkload = (spec: Inputs): RunResult => {
                const workload = {
                    ...structuredClone(deployment),
                    type,
                    name: "other",
                    urn: `${deployment.urn}-other`,
                    inputs: wrap(spec),
                };
                return { ...run, registrations: [...run.registrations, workload] };
            };
            const spec = structuredClone(pod(deployment.inputs));
            assert.deepEqual(await firing(withWorkload(spec), "dev"), [], "the app's own pod spec passes");
            assert.deepEqual(await firing(withWorkload({}), "dev"), [], "no containers, nothing to fault");
            const bare = { securityContext: spec.securityContext, containers: spec.containers };
            assert.deepEqual(await firing(withWorkload(bare), "dev"), [], "no init containers, no volumes");
            spec.containers[0].image = "nginx:latest";
            spec.hostPID = true;
            assert.deepEqual(await firing(withWorkload(spec), "dev"), [
                "k8s-images-by-digest",
                "k8s-no-host-access",
            ]);
        });
    }
});

// What the CLI prints for a violation, exactly: the thing, and what is wrong with it.
const messages: Message[] = [
    [
        "dev",
        "k8s-resources-set",
        (r) => broken(r, "kubernetes:apps/v1:Deployment", (i) => delete pod(i).containers[0].resources),
        "container web sets no requests.cpu, requests.memory, limits.memory.",
    ],
    [
        "dev",
        "k8s-restricted-pod-security",
        (r) =>
            broken(r, "kubernetes:apps/v1:Deployment", (i) => {
                delete pod(i).securityContext;
                delete pod(i).containers[0].securityContext;
            }),
        "container web: runAsNonRoot is not true; allowPrivilegeEscalation is not false; capabilities do not drop ALL; seccompProfile is not RuntimeDefault; readOnlyRootFilesystem is not true.",
    ],
];

describe("policy pack: what a violation says", () => itSaysEachMessage(messages));

describe("policy pack: resources the program does not make", () => {
    // Another component's workload may not have its pod template filled in (yet): nothing to check.
    for (const [type, shapes] of [
        ["kubernetes:apps/v1:StatefulSet", [{}, { spec: {} }]],
        ["kubernetes:apps/v1:DaemonSet", [{}, { spec: {} }]],
        ["kubernetes:batch/v1:Job", [{}, { spec: {} }]],
        [
            "kubernetes:batch/v1:CronJob",
            [{}, { spec: {} }, { spec: { jobTemplate: {} } }, { spec: { jobTemplate: { spec: {} } } }],
        ],
    ] as [string, Inputs[]][]) {
        it(`the pod rules pass a ${type.split(":").pop()} with no pod template`, async () => {
            for (const inputs of shapes) {
                assert.deepEqual(await firing(await withResource(type, inputs)), [], JSON.stringify(inputs));
            }
        });
    }
});
