import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WORKLOAD_ALIASES } from "../../migrations";
import type { AppSettings } from "./appsettings";
import { appLabels, namespaceLabels } from "../../domain/namespaces";
import { NetworkPolicies } from "./networkpolicies";
import { APP_PORT, METRICS_PORT, PodArgs, appEnvVars, podTemplate } from "./pod";
import { SecretReaders } from "./secretreaders";
import { Canary, CanarySettings } from "./canary";
import { Scaling, deploymentTarget } from "./scaling";
import { AppService } from "./service";
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
    /** Each release as a canary, judged by its own metrics; a plain rolling update when unset. */
    canary?: CanarySettings;
}

export interface WorkloadArgs extends Omit<WorkloadSettings, "tlsCertificateArn"> {
    /** The NLB's certificate: the one configured, or the one the stack makes for hostname. */
    tlsCertificateArn?: pulumi.Input<string>;
    /** Namespace for every object of the app. */
    namespace: string;
    /**
     * Whether a platform stack made the namespace (a tenant's, with its labels, quota and limits): the
     * workload then makes nothing of it. Otherwise the workload makes it.
     */
    namespaceExists?: boolean;
    /** The name of the Deployment, its Service, service account, HPA, PDB and NetworkPolicy. */
    appName: string;
    /** What the app asks of the platform: its entry, environment, secrets and egress. */
    app: Omit<AppSettings, "policyArns">;
    /** The image by digest, from the Image component. */
    imageRef: pulumi.Input<string>;
    /** A Kubernetes group that may read the app's Secret by name (the drift check's identity). */
    secretReaders?: string;
    /** The canary controller's release, when this stack installs it: its CRDs exist before the Rollout. */
    canaryController?: pulumi.Resource;
    /**
     * On EKS: an IAM role for the service account (IRSA or Pod Identity), which the caller makes so
     * that this component needs no AWS, and an NLB with the pods as its targets, made by the AWS Load
     * Balancer Controller. Elsewhere (the local target) the Service is a plain LoadBalancer and there
     * is no AWS at all.
     */
    eks?: {
        serviceAccountRole: RoleForServiceAccount;
        /**
         * The controller's release, when this stack has it: the Service is made after it, and deleted
         * (with its NLB) before it. An app stack's controller is its platform's, destroyed after it.
         */
        loadBalancerController?: pulumi.Resource;
        /** The subnets the NLB has its nodes in, and their CIDRs, where its health checks come from. */
        loadBalancerSubnetIds: pulumi.Input<string[]>;
        loadBalancerSubnetCidrs: pulumi.Input<string[]>;
        /** The VPC's CIDRs: pods have addresses in them, so no client range may admit them. */
        vpcCidrs: pulumi.Input<string[]>;
        /** Whether the app's role has policies, so its pods call the AWS APIs. */
        callsAwsApis: boolean;
        /**
         * Its host on the platform's shared ALB, and the ALB's IngressClass: an Ingress then, and no
         * NLB; the ALB, in the same subnets, admits the platform's client ranges.
         */
        sharedEntry?: { className: string; host: string };
    };
}

/**
 * Makes the IAM role a service account assumes, as a child of `parent`. Returns what the service
 * account is annotated with: the role's ARN for IRSA, nothing for Pod Identity (whose association
 * names the role, and whose agent on the node hands out its credentials); and what the pods wait for.
 */
export type RoleForServiceAccount = (
    namespace: pulumi.Output<string>,
    serviceAccount: string,
    parent: pulumi.Resource,
) => { irsaRoleArn?: pulumi.Output<string>; podIdentity: boolean; waitFor?: pulumi.Resource[] };

/** The Flask workload: namespace, service account with an IRSA role, Deployment, Service, PDB, HPA. */
export class Workload extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    /** On the platform's shared entry: the Ingress the shared ALB serves the app's host by. */
    readonly ingress?: k8s.networking.v1.Ingress;
    /** http:// (https:// with a certificate) and the load balancer's hostname. */
    readonly url: pulumi.Output<string>;
    /** The image the pods serve with once this up is done: with a canary, only if the release passed. */
    readonly servedImageRef: pulumi.Output<string>;

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

        this.namespace = args.namespaceExists
            ? pulumi.output(args.namespace)
            : new k8s.core.v1.Namespace(
                  "ns",
                  { metadata: { name: args.namespace, labels: namespaceLabels(args.eks !== undefined) } },
                  parent,
              ).metadata.name;
        const labels = appLabels(args.namespace);

        // ---- identity: on EKS, an IAM role only this service account can assume ----
        const serviceAccountName = args.appName;
        const role = args.eks?.serviceAccountRole(this.namespace, serviceAccountName, this);
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            "web",
            {
                metadata: {
                    name: serviceAccountName,
                    namespace: this.namespace,
                    annotations: role?.irsaRoleArn && { "eks.amazonaws.com/role-arn": role.irsaRoleArn },
                },
                // The app never calls the Kubernetes API; IRSA's AWS token is mounted separately.
                automountServiceAccountToken: false,
            },
            parent,
        );

        // ---- the workload ----
        const env = appEnvironment(args, this.namespace, this);
        this.deployment = webDeployment(
            args,
            this.namespace,
            { ...args, appModule: args.app.module, serviceAccountName: serviceAccount.metadata.name, env },
            leaving,
            { parent: this, dependsOn: role?.waitFor },
        );

        // ---- traffic ----
        const entry = new AppService(
            "service",
            {
                name: args.appName,
                namespace: this.namespace,
                labels,
                selector: this.deployment.spec.template.metadata.labels,
                targetPort: APP_PORT.name,
                sourceRanges: args.lbSourceRanges,
                tlsCertificateArn: args.tlsCertificateArn,
                shutdown: leaving,
                eks: args.eks && { ...args.eks, crossZone: args.lbCrossZone },
            },
            parent,
        );
        this.service = entry.service;
        this.ingress = entry.ingress;
        this.servedImageRef = releasesAndScale(args, this.namespace, this.deployment, this);
        new NetworkPolicies(
            "network-policies",
            {
                name: args.appName,
                namespace: this.namespace,
                labels,
                port: APP_PORT.containerPort,
                metricsPort: METRICS_PORT.containerPort,
                // Behind the shared ALB only its nodes connect, from the subnets it lives in.
                clientRanges: entry.ingress ? [] : args.lbSourceRanges,
                egress: args.app.egress,
                nlb: args.eks && {
                    subnetCidrs: args.eks.loadBalancerSubnetCidrs,
                    vpcCidrs: args.eks.vpcCidrs,
                },
                awsApis: args.eks?.callsAwsApis
                    ? { vpcCidrs: args.eks.vpcCidrs, podIdentityAgent: role?.podIdentity ?? false }
                    : undefined,
            },
            parent,
        );
        this.url = entry.url;
        this.registerOutputs({ namespace: this.namespace, url: this.url });
    }
}

/**
 * Each release as a canary when the config asks for one (the Rollout then owns the pods), and the
 * PDB and HPA, the HPA on whichever owns them. Returns the image the pods serve once the up is done.
 */
function releasesAndScale(
    args: WorkloadArgs,
    namespace: pulumi.Output<string>,
    deployment: k8s.apps.v1.Deployment,
    workload: pulumi.Resource,
): pulumi.Output<string> {
    const common = { ...args, name: args.appName, namespace, labels: appLabels(args.namespace) };
    const { canary: settings, canaryController: controller } = args;
    const canary =
        settings &&
        new Canary("canary", { ...common, deployment, settings, controller }, { parent: workload });
    const target = canary ? canary.scaleTarget : deploymentTarget(deployment);
    new Scaling("scaling", { ...common, target, selector: deployment.spec.selector }, { parent: workload });
    return canary ? canary.stableImageRef : pulumi.output(args.imageRef);
}

/**
 * The Deployment: rolling, one pod more at a time and none fewer, scraped by Prometheus, with the pod
 * of pod.ts.
 */
function webDeployment(
    args: WorkloadArgs,
    namespace: pulumi.Output<string>,
    pod: PodArgs,
    leaving: Shutdown,
    opts: { parent: pulumi.Resource; dependsOn?: pulumi.Resource[] },
): k8s.apps.v1.Deployment {
    const labels = appLabels(args.namespace);
    const rollout = `${args.rolloutTimeoutSeconds}s`;
    return new k8s.apps.v1.Deployment(
        "web",
        {
            metadata: { name: args.appName, namespace, labels },
            spec: {
                selector: { matchLabels: labels },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                // A release whose pods do not become ready is marked ProgressDeadlineExceeded
                // after this long; the old pods keep serving (maxUnavailable 0).
                progressDeadlineSeconds: args.rolloutTimeoutSeconds,
                template: podTemplate(pod, labels, leaving),
            },
        },
        // No spec.replicas: the HPA owns the count. Declared here, every up (and every refresh)
        // would fight the HPA over it; Kubernetes' own advice for autoscaled Deployments is to
        // leave it out. A new Deployment starts at one pod and the HPA raises it to its minimum.
        // The provider waits for the rollout until its timeout, not the progress deadline
        // (pulumi-kubernetes provider/pkg/await/deployment.go records ProgressDeadlineExceeded
        // and keeps waiting): so the same bound for both, or an up waits 10 minutes for nothing.
        { ...opts, customTimeouts: { create: rollout, update: rollout } },
    );
}

/**
 * The app's environment: appEnv as it is, and appSecrets by reference to a Secret, never in the
 * Deployment. The Secret is named by Pulumi with a suffix and replaced when a value changes, so the
 * pods' references change with it and the Deployment rolls: a Secret read at start is not read again.
 */
function appEnvironment(
    args: WorkloadArgs,
    namespace: pulumi.Output<string>,
    workload: pulumi.Resource,
): k8s.types.input.core.v1.EnvVar[] {
    const secretNames = Object.keys(args.app.secrets).sort();
    const secret =
        secretNames.length > 0
            ? new k8s.core.v1.Secret(
                  "web-env",
                  {
                      metadata: { namespace, labels: appLabels(args.namespace) },
                      type: "Opaque",
                      stringData: pulumi.secret(args.app.secrets),
                  },
                  { parent: workload, replaceOnChanges: ["stringData"], deleteBeforeReplace: false },
              )
            : undefined;
    if (secret && args.secretReaders)
        new SecretReaders(
            "secret-readers",
            { secret, group: args.secretReaders, namespace },
            { parent: workload },
        );
    return appEnvVars(args.app.env, secretNames, secret?.metadata.name);
}
