import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { cpusOf } from "../../domain/quantities";
import { WORKLOAD_ALIASES, replacedOnControllerChange } from "../../migrations";
import type { AppSettings } from "./appsettings";
import { LB_TYPE_ANNOTATION, READINESS_GATE_LABEL, nlbAnnotations } from "./nlb";
import { networkPolicies } from "./networkpolicies";
import { secretReaders } from "./secretreaders";
import { disruptionAndScaling } from "./scaling";
import { Shutdown, shutdown } from "./shutdown";

/** The workload's settings, as the stack config gives them (defaults: Pulumi.yaml). */
export interface WorkloadSettings {
    /** HPA bounds. */
    minReplicas: number;
    maxReplicas: number;
    /** How long a release may take to be ready: the Deployment's progress deadline and Pulumi's wait. */
    rolloutTimeoutSeconds: number;
    /** Per-pod CPU request, memory request and memory limit. */
    cpuRequest: string;
    memoryRequest: string;
    memoryLimit: string;
    /** Client CIDRs the load balancer accepts. */
    lbSourceRanges: string[];
    /** An ACM certificate: on EKS the NLB then serves TLS on 443 (and nothing on 80). */
    tlsCertificateArn?: string;
    /** On EKS: each NLB node spreads its connections over the pods of every zone. */
    lbCrossZone: boolean;
    /** The service's own name (and its Route 53 zone): the stack makes its certificate and points it at the NLB. */
    hostname?: string;
    hostedZoneId?: string;
}

export interface WorkloadArgs extends Omit<WorkloadSettings, "tlsCertificateArn"> {
    /** The NLB's certificate: the one configured, or the one the stack makes for hostname. */
    tlsCertificateArn?: pulumi.Input<string>;
    /** Namespace for every object of the app. */
    namespace: string;
    /** What the app asks of the platform: its entry, environment, secrets and egress. */
    app: Omit<AppSettings, "policyArns">;
    /** The image by digest, from the Image component. */
    imageRef: pulumi.Input<string>;
    /** A Kubernetes group that may read the app's Secret by name (the drift check's identity). */
    secretReaders?: string;
    /**
     * On EKS: an IAM role for the service account (IRSA), which the caller makes so that this
     * component needs no AWS, and an NLB with the pods as its targets, made by the AWS Load Balancer
     * Controller. Elsewhere (the local target) the Service is a plain LoadBalancer and there is no
     * AWS at all.
     */
    eks?: {
        serviceAccountRole: ServiceAccountRole;
        /** The controller's release: the Service is made after it, and deleted (with its NLB) before it. */
        loadBalancerController: pulumi.Resource;
        /** The subnets the NLB has its nodes in, and their CIDRs, where its health checks come from. */
        loadBalancerSubnetIds: pulumi.Input<string[]>;
        loadBalancerSubnetCidrs: pulumi.Input<string[]>;
        /** The VPC's CIDRs: pods have addresses in them, so no client range may admit them. */
        vpcCidrs: pulumi.Input<string[]>;
        /** Whether the app's role has policies, so its pods call the AWS APIs. */
        callsAwsApis: boolean;
    };
}

/** The Service's name: the load balancer the controller makes for it is tagged with it. */
export const SERVICE_NAME = "web";

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

/** Makes the IAM role a service account assumes, as a child of `parent`; returns its ARN. */
export type ServiceAccountRole = (
    namespace: pulumi.Output<string>,
    serviceAccount: string,
    parent: pulumi.Resource,
) => pulumi.Output<string>;

/** The Flask workload: namespace, service account with an IRSA role, Deployment, Service, PDB, HPA. */
export class Workload extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    /** http:// (https:// with a certificate) and the load balancer's hostname. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "flask-eks:index:Workload",
            name,
            {},
            {
                ...opts,
                aliases: [...(opts?.aliases ?? []), ...WORKLOAD_ALIASES],
            },
        );
        const parent = { parent: this };
        const leaving = shutdown(args.eks !== undefined);

        // Behind an NLB, new pods get a readiness gate: ready once the NLB finds them healthy.
        const ns = new k8s.core.v1.Namespace(
            "ns",
            {
                metadata: {
                    name: args.namespace,
                    labels: { ...RESTRICTED_POD_SECURITY, ...(args.eks && READINESS_GATE_LABEL) },
                },
            },
            parent,
        );
        this.namespace = ns.metadata.name;

        // ---- identity: on EKS, an IAM role only this service account can assume, with no permissions yet ----
        const serviceAccountName = "web";
        const roleArn = args.eks?.serviceAccountRole(this.namespace, serviceAccountName, this);
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            "web",
            {
                metadata: {
                    name: serviceAccountName,
                    namespace: this.namespace,
                    annotations: roleArn && { "eks.amazonaws.com/role-arn": roleArn },
                },
                // The app never calls the Kubernetes API; IRSA's AWS token is mounted separately.
                automountServiceAccountToken: false,
            },
            parent,
        );

        // ---- the app's secrets: in a Secret, never in the Deployment ----
        // Named by Pulumi with a suffix and replaced when a value changes, so the pods' references
        // change with it and the Deployment rolls: a Secret read at start is not read again.
        const secretNames = Object.keys(args.app.secrets).sort();
        const secret =
            secretNames.length > 0
                ? new k8s.core.v1.Secret(
                      "web-env",
                      {
                          metadata: { namespace: this.namespace, labels: APP_LABELS },
                          type: "Opaque",
                          stringData: pulumi.secret(args.app.secrets),
                      },
                      { ...parent, replaceOnChanges: ["stringData"], deleteBeforeReplace: false },
                  )
                : undefined;
        if (secret && args.secretReaders) secretReaders(secret, args.secretReaders, this.namespace, this);
        const appEnv: k8s.types.input.core.v1.EnvVar[] = [
            ...Object.entries(args.app.env)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([name, value]) => ({ name, value })),
            ...secretNames.map((name) => ({
                name,
                valueFrom: { secretKeyRef: { name: secret!.metadata.name, key: name } },
            })),
        ];

        // ---- the workload ----
        const labels = APP_LABELS;
        const rollout = `${args.rolloutTimeoutSeconds}s`;
        this.deployment = new k8s.apps.v1.Deployment(
            "web",
            {
                metadata: { name: "web", namespace: this.namespace, labels },
                spec: {
                    selector: { matchLabels: labels },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    // A release whose pods do not become ready is marked ProgressDeadlineExceeded
                    // after this long; the old pods keep serving (maxUnavailable 0).
                    progressDeadlineSeconds: args.rolloutTimeoutSeconds,
                    template: {
                        // The convention Prometheus' Kubernetes discovery is most often set up with.
                        metadata: {
                            labels,
                            annotations: {
                                "prometheus.io/scrape": "true",
                                "prometheus.io/port": String(METRICS_PORT.containerPort),
                            },
                        },
                        spec: podSpec(args, serviceAccount.metadata.name, labels, leaving, appEnv),
                    },
                },
            },
            // No spec.replicas: the HPA owns the count. Declared here, every up (and every refresh)
            // would fight the HPA over it; Kubernetes' own advice for autoscaled Deployments is to
            // leave it out. A new Deployment starts at one pod and the HPA raises it to its minimum.
            // The provider waits for the rollout until its timeout, not the progress deadline
            // (pulumi-kubernetes provider/pkg/await/deployment.go records ProgressDeadlineExceeded
            // and keeps waiting): so the same bound for both, or an up waits 10 minutes for nothing.
            { ...parent, customTimeouts: { create: rollout, update: rollout } },
        );

        // ---- traffic ----
        const scheme = args.tlsCertificateArn ? "https" : "http";
        const nlb =
            args.eks &&
            pulumi
                .all([args.eks.loadBalancerSubnetIds, args.tlsCertificateArn])
                .apply(([subnetIds, certificateArn]) =>
                    nlbAnnotations({
                        subnetIds,
                        crossZone: args.lbCrossZone,
                        certificateArn,
                        shutdown: leaving,
                    }),
                );
        this.service = new k8s.core.v1.Service(
            "web",
            {
                metadata: {
                    name: SERVICE_NAME,
                    namespace: this.namespace,
                    labels,
                    annotations: nlb,
                },
                spec: {
                    type: "LoadBalancer",
                    // One source of truth: whatever labels the Deployment's pods carry.
                    selector: this.deployment.spec.template.metadata.labels,
                    // With a certificate the NLB's listener on the port named "https" terminates TLS.
                    ports: [
                        {
                            name: scheme,
                            port: SERVICE_PORTS[scheme],
                            targetPort: APP_PORT.name,
                            protocol: "TCP",
                        },
                    ],
                    loadBalancerSourceRanges: args.lbSourceRanges,
                },
            },
            args.eks
                ? {
                      ...parent,
                      dependsOn: [args.eks.loadBalancerController],
                      ...replacedOnControllerChange(LB_TYPE_ANNOTATION),
                  }
                : parent,
        );

        disruptionAndScaling(this.deployment, this.namespace, args, labels, this);
        networkPolicies(
            {
                namespace: this.namespace,
                labels,
                port: APP_PORT.containerPort,
                metricsPort: METRICS_PORT.containerPort,
                clientRanges: args.lbSourceRanges,
                egress: args.app.egress,
                nlb: args.eks && {
                    subnetCidrs: args.eks.loadBalancerSubnetCidrs,
                    vpcCidrs: args.eks.vpcCidrs,
                },
                awsApis: args.eks?.callsAwsApis ? { vpcCidrs: args.eks.vpcCidrs } : undefined,
            },
            this,
        );

        // A hostname on EKS (the NLB's); many local load balancers give an address instead.
        this.url = this.service.status.loadBalancer.ingress.apply(
            (ingress) => `${scheme}://${ingress[0].hostname || ingress[0].ip}`,
        );
        this.registerOutputs({ namespace: this.namespace, url: this.url });
    }
}

/** The labels of the app's pods, which the Service, the PDB, the HPA and the policies select by. */
const APP_LABELS = { "app.kubernetes.io/name": "flask-app", "app.kubernetes.io/component": "web" };

/** The namespace admits only pods that meet the restricted Pod Security Standard. */
const RESTRICTED_POD_SECURITY = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
};

/** The Service's one port: plain HTTP, or TLS when the NLB has a certificate. */
const SERVICE_PORTS = { http: 80, https: 443 };

/** The pod: non-root with the runtime's seccomp profile, spread over zones and nodes, one container. */
function podSpec(
    args: WorkloadArgs,
    serviceAccountName: pulumi.Input<string>,
    labels: Record<string, string>,
    leaving: Shutdown,
    appEnv: k8s.types.input.core.v1.EnvVar[],
): k8s.types.input.core.v1.PodSpec {
    return {
        serviceAccountName,
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
        containers: [webContainer(args, leaving, appEnv)],
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
function webContainer(
    args: WorkloadArgs,
    leaving: Shutdown,
    appEnv: k8s.types.input.core.v1.EnvVar[],
): k8s.types.input.core.v1.Container {
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
            { name: "APP_MODULE", value: args.app.module },
            ...appEnv,
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
