import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENTRY_LABEL, HOST_ANNOTATION } from "../../domain/namespaces";

// What an Ingress in a tenant namespace may be. A tenant's deploy role may write Ingresses (EKS's edit
// policy), and every Ingress of one IngressGroup shapes the same ALB: the controller's docs warn that
// a member can take over another's rules (group.order), forward to any target group (actions.*) or
// stop the whole group's reconcile with a conflicting annotation (docs/guide/ingress/annotations.md,
// IngressGroup, "Security Risk"). So the API server itself admits only the platform's shape: the shared
// class, the one host the namespace is annotated with, and per-target-group health check settings.
// The policy reads the namespace's label and annotation, which only the platform writes (Tenant), so
// it is the same object on every target; the local e2e runs it on a real API server.

/** The annotations a tenant may set: its own target group's health checks and attributes. */
export const TENANT_ALB_ANNOTATIONS = [
    "healthcheck-path",
    "healthcheck-interval-seconds",
    "healthcheck-timeout-seconds",
    "healthy-threshold-count",
    "unhealthy-threshold-count",
    "success-codes",
    "target-group-attributes",
].map((a) => `alb.ingress.kubernetes.io/${a}`);

const labels = "namespaceObject.metadata.labels";
const annotations = "object.metadata.annotations";
const host = `namespaceObject.metadata.annotations['${HOST_ANNOTATION}']`;

/** Each rule the API server holds a tenant's Ingress to, with the message it refuses one with. */
export const tenantIngressRules = (
    sharedClass: string,
): { expression: string; messageExpression: string }[] => [
    {
        expression: `has(${labels}) && '${ENTRY_LABEL}' in ${labels} && ${labels}['${ENTRY_LABEL}'] == 'shared'`,
        messageExpression: `'namespace ' + namespaceObject.metadata.name + ' has an NLB of its own, not the shared entry: its tenant needs entry shared on the platform for an Ingress'`,
    },
    {
        expression: `has(object.spec.ingressClassName) && object.spec.ingressClassName == '${sharedClass}'`,
        messageExpression: `'spec.ingressClassName must be ${sharedClass}, the platform\\'s shared ALB'`,
    },
    {
        expression: `has(object.spec.rules) && size(object.spec.rules) > 0 && object.spec.rules.all(r, has(r.host) && has(namespaceObject.metadata.annotations) && '${HOST_ANNOTATION}' in namespaceObject.metadata.annotations && r.host == ${host})`,
        messageExpression: `'every rule needs the host this namespace is lent, ' + (has(namespaceObject.metadata.annotations) && '${HOST_ANNOTATION}' in namespaceObject.metadata.annotations ? ${host} : 'none')`,
    },
    {
        expression: "!has(object.spec.defaultBackend) && !has(object.spec.tls)",
        messageExpression: `'spec.defaultBackend and spec.tls are the platform\\'s: the shared ALB has one of each'`,
    },
    {
        expression: `!has(${annotations}) || ${annotations}.all(k, !k.startsWith('alb.ingress.kubernetes.io/') && k != 'kubernetes.io/ingress.class' || k in ${JSON.stringify(TENANT_ALB_ANNOTATIONS).replaceAll('"', "'")})`,
        messageExpression: `'of the ALB\\'s annotations only ${TENANT_ALB_ANNOTATIONS.map((a) => a.split("/")[1]).join(", ")}: the rest shape every app\\'s ALB'`,
    },
];

export interface TenantIngressesArgs {
    /** The IngressClass of the platform's shared ALB, the only one a tenant may use. */
    sharedClass: string;
}

/**
 * The admission policy, and its binding to every tenant namespace (those with an entry label): the
 * API server refuses, with the rule's message, an Ingress that breaks one of tenantIngressRules.
 */
export class TenantIngresses extends pulumi.ComponentResource {
    constructor(name: string, args: TenantIngressesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:TenantIngresses", name, {}, opts);
        const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            name,
            {
                metadata: { name: "tenant-ingresses" },
                spec: {
                    failurePolicy: "Fail",
                    matchConstraints: {
                        resourceRules: [
                            {
                                apiGroups: ["networking.k8s.io"],
                                apiVersions: ["v1"],
                                operations: ["CREATE", "UPDATE"],
                                resources: ["ingresses"],
                            },
                        ],
                    },
                    validations: tenantIngressRules(args.sharedClass).map((rule) => ({
                        ...rule,
                        reason: "Forbidden",
                    })),
                },
            },
            { parent: this },
        );
        new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            name,
            {
                metadata: { name: "tenant-ingresses" },
                spec: {
                    policyName: policy.metadata.name,
                    validationActions: ["Deny"],
                    matchResources: {
                        namespaceSelector: { matchExpressions: [{ key: ENTRY_LABEL, operator: "Exists" }] },
                    },
                },
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
