import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { cpusOf } from "../../domain/quantities";
import { Shutdown } from "./shutdown";

/** The numeric UID and GID the Dockerfile creates and runs as; the pod asks for the same. */
export const APP_UID = 10001;
/** The container's port and its name; the Service targets the name. */
export const APP_PORT = { name: "http", containerPort: 8080 };
/** Prometheus metrics (server/metrics.py): a port of its own, which no Service exposes. */
export const METRICS_PORT = { name: "metrics", containerPort: 9090 };
/** The most gunicorn workers the app accepts (WEB_CONCURRENCY); the Deployment runs one per requested CPU. */
export const MAX_GUNICORN_WORKERS = 64;

/**
 * gunicorn workers for a pod: one per CPU it requests, rounded up, and at least two so one busy or
 * restarting worker never stalls the pod. Pods have no CPU limit, so without this the app would
 * size itself from the node's CPU count, and on a large node start more workers than the pod's
 * request pays for or its memory limit holds.
 */
export function gunicornWorkers(cpuRequest: string): number {
    return Math.max(2, Math.ceil(cpusOf(cpuRequest)));
}

/** What the app's pod is made from. */
export interface PodArgs {
    /** The image by digest. */
    imageRef: pulumi.Input<string>;
    /** The app's WSGI entry (appModule). */
    appModule: string;
    /** Per-pod CPU request, memory request and memory limit. */
    cpuRequest: string;
    memoryRequest: string;
    memoryLimit: string;
    serviceAccountName: pulumi.Input<string>;
    /** The app's environment: appEnv, and appSecrets by reference. */
    env: k8s.types.input.core.v1.EnvVar[];
}

/** The pod template, labelled as the convention Prometheus' Kubernetes discovery is most often set up with. */
export function podTemplate(
    args: PodArgs,
    labels: Record<string, string>,
    leaving: Shutdown,
): k8s.types.input.core.v1.PodTemplateSpec {
    return {
        metadata: {
            labels,
            annotations: {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": String(METRICS_PORT.containerPort),
            },
        },
        spec: podSpec(args, labels, leaving),
    };
}

/** appEnv as it is, sorted, then each of appSecrets by its key in the Secret `secretName`. */
export function appEnvVars(
    env: Record<string, string>,
    secretNames: string[],
    secretName: pulumi.Input<string> | undefined,
): k8s.types.input.core.v1.EnvVar[] {
    return [
        ...Object.entries(env)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => ({ name, value })),
        ...secretNames.map((name) => ({
            name,
            valueFrom: { secretKeyRef: { name: secretName!, key: name } },
        })),
    ];
}

/** The pod: non-root with the runtime's seccomp profile, spread over zones and nodes, one container. */
function podSpec(
    args: PodArgs,
    labels: Record<string, string>,
    leaving: Shutdown,
): k8s.types.input.core.v1.PodSpec {
    return {
        serviceAccountName: args.serviceAccountName,
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: leaving.terminationGracePeriodSeconds,
        securityContext: {
            runAsNonRoot: true,
            runAsUser: APP_UID,
            runAsGroup: APP_UID,
            fsGroup: APP_UID,
            seccompProfile: { type: "RuntimeDefault" },
        },
        topologySpreadConstraints: [
            ["topology.kubernetes.io/zone", "ScheduleAnyway"],
            ["kubernetes.io/hostname", "ScheduleAnyway"],
        ].map(([topologyKey, whenUnsatisfiable]) => ({
            maxSkew: 1,
            topologyKey,
            whenUnsatisfiable,
            labelSelector: { matchLabels: labels },
        })),
        containers: [webContainer(args, leaving)],
        volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } }],
    };
}

/**
 * The node disk the container uses: its log, which the kubelet rotates at 5 files of 10 MiB (its
 * defaults, which EKS keeps), and nothing else (a read-only root; /tmp is memory). Requested, so the
 * kubelet does not evict these pods first when the node's disk runs short; limited, with room for
 * a log that grows between two rotations, so a runaway one cannot fill the node.
 */
export const EPHEMERAL_STORAGE = { request: "64Mi", limit: "256Mi" };

/** The app's container: sized from config, probed, drained on shutdown, locked down. */
function webContainer(args: PodArgs, leaving: Shutdown): k8s.types.input.core.v1.Container {
    const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
        httpGet: { path, port: APP_PORT.name },
        periodSeconds,
        failureThreshold,
        timeoutSeconds: 2,
    });
    return {
        name: "web",
        image: args.imageRef,
        ports: [APP_PORT, METRICS_PORT],
        env: [
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "WEB_CONCURRENCY", value: String(gunicornWorkers(args.cpuRequest)) },
            { name: "DRAIN_SECONDS", value: String(leaving.drainSeconds) },
            { name: "GRACEFUL_TIMEOUT", value: String(leaving.gracefulSeconds) },
            { name: "APP_MODULE", value: args.appModule },
            ...args.env,
        ],
        resources: {
            requests: {
                cpu: args.cpuRequest,
                memory: args.memoryRequest,
                "ephemeral-storage": EPHEMERAL_STORAGE.request,
            },
            limits: { memory: args.memoryLimit, "ephemeral-storage": EPHEMERAL_STORAGE.limit },
        },
        startupProbe: probe("/healthz", 1, 30),
        readinessProbe: probe("/readyz", 5, 2),
        livenessProbe: probe("/healthz", 10, 3),
        lifecycle: { preStop: { sleep: { seconds: leaving.preStopSeconds } } },
        securityContext: {
            runAsNonRoot: true,
            runAsUser: APP_UID,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    };
}
