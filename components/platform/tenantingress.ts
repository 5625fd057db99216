import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENTRY_LABEL, HOST_ANNOTATION } from "../../domain/namespaces";
import type { RefresherRead } from "./refresherreads";

// What a tenant's way in may be. A tenant's deploy role writes Ingresses and Services (EKS's edit
// policy), and every Ingress of one IngressGroup shapes the same ALB: a member can take over another's
// rules (group.order), forward to any target group (actions.*), and one that the controller cannot
// build (a conflicting or malformed annotation, a backend that is not a Service) stops the whole
// group's reconcile, so no app's change reaches the ALB (the controller's
// docs/guide/ingress/annotations.md, IngressGroup, "Security Risk"; pkg/ingress/model_builder.go at
// the pinned version). So the API server itself admits only the platform's shape: the shared class,
// the one host the namespace is annotated with, Services as backends, and per-target-group health
// checks with values the ELB API takes; and no ALB annotation on a Service, which the controller
// would merge over the Ingress's. The policies read the namespace's label and annotation, which only
// the platform writes (Tenant), so they are the same objects on every target; the local e2e runs
// them on a real API server.

const ALB = "alb.ingress.kubernetes.io";

/**
 * The annotations a tenant may set on its Ingress, each with the values the ELB API takes for it
 * (CreateTargetGroup, ModifyTargetGroupAttributes): its own target group's health checks, and how long
 * it drains a leaving pod.
 */
export const TENANT_ALB_ANNOTATIONS: Record<string, string> = {
    [`${ALB}/healthcheck-path`]: "^/[A-Za-z0-9._~!$&()*+,;=:@/%-]{0,1000}$",
    [`${ALB}/healthcheck-interval-seconds`]: "^([5-9]|[1-9][0-9]|[12][0-9][0-9]|300)$",
    [`${ALB}/healthcheck-timeout-seconds`]: "^([2-9]|[1-9][0-9]|1[01][0-9]|120)$",
    [`${ALB}/healthy-threshold-count`]: "^([2-9]|10)$",
    [`${ALB}/unhealthy-threshold-count`]: "^([2-9]|10)$",
    [`${ALB}/success-codes`]: "^[2-4][0-9][0-9]([,-][2-4][0-9][0-9])*$",
    [`${ALB}/target-group-attributes`]:
        "^deregistration_delay\\.timeout_seconds=([0-9]|[1-9][0-9]|[1-9][0-9][0-9]|[1-2][0-9]{3}|3[0-5][0-9]{2}|3600)$",
};

/** The paths one Ingress may route: each an ALB rule, of the 100 a listener holds for every app. */
export const MAX_TENANT_PATHS = 5;

/** The controller's defaults for what a tenant leaves out: the timeout must stay under the interval. */
const DEFAULT_HEALTHCHECK = { interval: "15", timeout: "5" };

const labels = "namespaceObject.metadata.labels";
const annotations = "object.metadata.annotations";
const hostLent = `has(namespaceObject.metadata.annotations) && '${HOST_ANNOTATION}' in namespaceObject.metadata.annotations`;
const host = `namespaceObject.metadata.annotations['${HOST_ANNOTATION}']`;
/** A CEL map of strings: a JSON string is a CEL string literal, with the same escapes. */
const celMap = (map: Record<string, string>) =>
    `{${Object.entries(map)
        .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
        .join(", ")}}`;
const annotationOr = (name: string, fallback: string) =>
    `int(has(${annotations}) && '${ALB}/${name}' in ${annotations} ? ${annotations}['${ALB}/${name}'] : '${fallback}')`;

/** The allowed annotations and their values' patterns, as a CEL map. */
const allowed = celMap(TENANT_ALB_ANNOTATIONS);

type Rule = { expression: string; messageExpression: string };

/** Each rule the API server holds a tenant's Ingress to, with the message it refuses one with. */
export const tenantIngressRules = (sharedClass: string): Rule[] => [
    {
        expression: `has(${labels}) && '${ENTRY_LABEL}' in ${labels} && ${labels}['${ENTRY_LABEL}'] == 'shared'`,
        messageExpression: `'namespace ' + namespaceObject.metadata.name + ' has an NLB of its own, not the shared entry: its tenant needs entry shared on the platform for an Ingress'`,
    },
    {
        expression: `has(object.spec.ingressClassName) && object.spec.ingressClassName == '${sharedClass}'`,
        messageExpression: `'spec.ingressClassName must be ${sharedClass}, the platform\\'s shared ALB'`,
    },
    {
        expression: `has(object.spec.rules) && size(object.spec.rules) > 0 && object.spec.rules.all(r, has(r.host) && ${hostLent} && r.host == ${host})`,
        messageExpression: `'every rule needs the host this namespace is lent, ' + (${hostLent} ? ${host} : 'none')`,
    },
    {
        expression: `!has(object.spec.rules) || object.spec.rules.all(r, has(r.http) && size(r.http.paths) <= ${MAX_TENANT_PATHS} && r.http.paths.all(p, has(p.backend.service)))`,
        messageExpression: `'every rule routes at most ${MAX_TENANT_PATHS} paths, each to a Service'`,
    },
    {
        expression: "!has(object.spec.defaultBackend) && !has(object.spec.tls)",
        messageExpression: `'spec.defaultBackend and spec.tls are the platform\\'s: the shared ALB has one of each'`,
    },
    {
        expression: `!has(${annotations}) || ${annotations}.all(k, !k.startsWith('${ALB}/') && k != 'kubernetes.io/ingress.class' || k in ${allowed} && ${annotations}[k].matches(${allowed}[k]))`,
        messageExpression: `'of the ALB\\'s annotations only ${Object.keys(TENANT_ALB_ANNOTATIONS)
            .map((a) => a.split("/")[1])
            .join(", ")}, with values the ELB API takes: the rest shape every app\\'s ALB'`,
    },
    {
        expression: `${annotationOr("healthcheck-timeout-seconds", DEFAULT_HEALTHCHECK.timeout)} < ${annotationOr("healthcheck-interval-seconds", DEFAULT_HEALTHCHECK.interval)}`,
        messageExpression: `'the health check\\'s timeout must be shorter than its interval (defaults ${DEFAULT_HEALTHCHECK.timeout} s and ${DEFAULT_HEALTHCHECK.interval} s)'`,
    },
];

/** The one rule for a tenant's Services: no ALB annotation, which the controller would take over the Ingress's. */
export const TENANT_SERVICE_RULES: Rule[] = [
    {
        expression: `!has(${annotations}) || ${annotations}.all(k, !k.startsWith('${ALB}/'))`,
        messageExpression: `'a Service here takes no ${ALB}/ annotation: its Ingress\\'s are the ones the platform admits'`,
    },
];

export interface TenantIngressesArgs {
    /** The IngressClass of the platform's shared ALB, the only one a tenant may use. */
    sharedClass: string;
    /**
     * The identity the AWS Load Balancer Controller acts as, when the cluster has it: its own updates
     * (finalizers, status) are never held to a tenant's rules.
     */
    controllerUsername?: string;
}

/**
 * The admission policies, each bound to every tenant namespace (those with an entry label): the API
 * server refuses, with the rule's message, an Ingress or Service that breaks one of its rules. Neither
 * holds back an object being deleted (the controller removes its finalizer from one whose namespace
 * moved back to an NLB of its own) nor the controller's own requests.
 */
export class TenantIngresses extends pulumi.ComponentResource {
    /** What the drift check reads of it, which EKS's view policy does not: the policies and bindings. */
    readonly reads: RefresherRead[];

    constructor(name: string, args: TenantIngressesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:TenantIngresses", name, {}, opts);
        const matchConditions = [
            { name: "not-being-deleted", expression: "!has(object.metadata.deletionTimestamp)" },
            ...(args.controllerUsername
                ? [
                      {
                          name: "not-the-controller",
                          expression: `request.userInfo.username != '${args.controllerUsername}'`,
                      },
                  ]
                : []),
        ];
        const policies = [
            ["tenant-ingresses", "ingresses", "networking.k8s.io", tenantIngressRules(args.sharedClass)],
            ["tenant-services", "services", "", TENANT_SERVICE_RULES],
        ] as const;
        for (const [policyName, resources, group, rules] of policies) {
            const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                policyName,
                {
                    metadata: { name: policyName },
                    spec: {
                        failurePolicy: "Fail",
                        matchConstraints: {
                            resourceRules: [
                                {
                                    apiGroups: [group],
                                    apiVersions: ["v1"],
                                    operations: ["CREATE", "UPDATE"],
                                    resources: [resources],
                                },
                            ],
                        },
                        matchConditions,
                        validations: rules.map((rule) => ({ ...rule, reason: "Forbidden" })),
                    },
                },
                { parent: this },
            );
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                policyName,
                {
                    metadata: { name: policyName },
                    spec: {
                        policyName: policy.metadata.name,
                        validationActions: ["Deny"],
                        matchResources: {
                            namespaceSelector: {
                                matchExpressions: [{ key: ENTRY_LABEL, operator: "Exists" }],
                            },
                        },
                    },
                },
                { parent: this },
            );
        }
        this.reads = [
            {
                apiGroup: "admissionregistration.k8s.io",
                resources: ["validatingadmissionpolicies", "validatingadmissionpolicybindings"],
                names: policies.map(([policyName]) => policyName),
            },
        ];
        this.registerOutputs({});
    }
}
